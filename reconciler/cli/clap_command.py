"""The command and the group as clap parses them (CLI, slow path): click parses, then the
arguments are read by clap's rules (``reconciler.cli.clap_rules``) and the parser's errors
worded as clap words them (``reconciler.cli.usage``).
"""

from __future__ import annotations

import click

from accord.reconciler.cli.clap_rules import (
    check_command_line,
    key,
    missing_required,
    read_group_line,
    read_line,
    run_pending_group_check,
)
from accord.reconciler.cli.clap_tables import REQUIRED
from accord.reconciler.cli.usage import in_clap_words, parse_error, unexpected_positional

__all__ = ["ClapCommand", "parse_group_args"]


class ClapCommand(click.Command):
    """A subcommand: its arguments checked by clap's rules once click has parsed them, then
    the group's (clap checks the subcommand first)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        error = parse_error(ctx, given)
        if error is not None:
            raise error
        extra_allowed, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, args)
        except click.MissingParameter as exc:
            if not isinstance(exc.param, click.Argument) or key(ctx) not in REQUIRED:
                raise
            raise missing_required(read_line(ctx, given)) from None
        except click.UsageError as exc:
            raise in_clap_words(ctx, given, exc) from None
        finally:
            ctx.allow_extra_args = extra_allowed
        if rest and not extra_allowed:
            raise unexpected_positional(ctx, given, rest[0])
        check_command_line(ctx, given)
        run_pending_group_check(ctx)
        return rest


def parse_group_args(group: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """``Group.parse_args``, its errors worded as clap's, and the arguments before the
    subcommand read (checked once the subcommand's are)."""
    given = list(args)
    error = parse_error(ctx, given)
    if error is not None:
        raise error
    try:
        rest = click.Group.parse_args(group, ctx, args)
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as exc:
        raise in_clap_words(ctx, given, exc) from None
    read_group_line(ctx, given)
    return rest
