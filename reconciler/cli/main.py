"""The command line (slow path): the ``accord`` group, ``accord help``, and ``main()``, the
error boundary.

The commands live in ``reconciler.cli.pipeline_commands`` (run, sync),
``reconciler.cli.lock_commands`` (lock, export, why) and ``reconciler.cli.edit_commands`` (add,
remove); each turns its options into a ``RunRequest`` through ``reconciler.cli.settings``.

This is the only place that prints errors and the only broad catch: an ``AccordError``
prints ``error:``/``hint:`` and exits with its code; click's usage errors are worded as uv
(clap) words them; anything else is a bug in accord (traceback, exit 2). Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any, NoReturn

import click

from accord.reconciler.cli import command_options
from accord.reconciler.cli.clap_command import ClapCommand, parse_group_args
from accord.reconciler.cli.command_options import CONTEXT_SETTINGS
from accord.reconciler.cli.variables import env_flag
from accord.reconciler.errors import AccordError, ExitCode, UsageError

__all__ = ["main"]

_COMMANDS = {
    "run": ("accord.reconciler.cli.pipeline_commands", "run"),
    "add": ("accord.reconciler.cli.edit_commands", "add_command"),
    "remove": ("accord.reconciler.cli.edit_commands", "remove_command"),
    "sync": ("accord.reconciler.cli.pipeline_commands", "sync"),
    "lock": ("accord.reconciler.cli.lock_commands", "lock_command"),
    "export": ("accord.reconciler.cli.lock_commands", "export_command"),
    "why": ("accord.reconciler.cli.lock_commands", "why_command"),
}
"""Where each command is declared, imported only when it is asked for (as pip's command
table): declaring every command's options and importing what they need costs tens of
milliseconds that ``accord lock`` would pay for ``add`` and ``sync``. In uv's order of
declaration (``why`` is accord's own), which the help and the usage errors list them in;
``help`` comes last, as in uv."""


class _LazyGroup(click.Group):
    """A group whose commands (other than those added to it) are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*_COMMANDS, *(name for name in self.commands if name not in _COMMANDS)]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return parse_group_args(self, ctx, args)  # by clap's rules

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from accord.reconciler.cli.group_help import group_help

        formatter.write(group_help(self, ctx))  # as clap lays out `uv --help`

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module, attribute = _COMMANDS[cmd_name]
            command = getattr(import_module(module), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)


def prepare_commands() -> None:
    """Import every command and build its help option, as a run's parse does (the warm server
    does it once for all its workers: click builds the option on first use, and its message
    asks ``gettext``, which searches the disk for catalogues every time)."""

    def prepare(command: click.Command, ctx: click.Context) -> None:
        command.get_help_option(ctx)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    prepare(sub, click.Context(sub, ctx, name, **sub.context_settings))

    prepare(accord, click.Context(accord, info_name="accord", **accord.context_settings))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(f"accord {version('accord')}")
    ctx.exit(0)


@click.group(cls=_LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show accord's version.",
)
@command_options.global_options
def accord(**_options: Any) -> None:
    """Run commands in a Python project's environment, reconciled from uv.lock."""


@accord.command("help", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("names", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, /, names: tuple[str, ...]) -> None:
    """Show the help of accord or of one of its commands."""
    group = ctx.parent.command if ctx.parent is not None else accord
    assert isinstance(group, click.Group)
    target: click.Command = group
    path = "accord"
    for name in names:
        found = group.get_command(ctx, name) if target is group else None
        if found is None:
            commands = "\n".join(f"    {c}" for c in group.list_commands(ctx) if c != "help")
            raise UsageError(
                f"There is no command `{name}` for `accord`. Did you mean one of:\n{commands}"
            )
        target, path = found, f"{path} {name}"
    with click.Context(target, info_name=path, max_content_width=100) as sub:
        click.echo(target.get_help(sub))


def _fail(error: AccordError) -> NoReturn:
    from accord.reconciler.console import console

    text = f"error: {error.message}\n"
    if error.hint:
        text += f"\nhint: {error.hint}\n"  # a blank line between, as uv writes them
    console().error(text)
    sys.exit(int(error.exit_code))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI on ``argv`` (default: ``sys.argv[1:]``) and exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        _run(args)
    finally:
        from accord.reconciler.progress import progress

        progress().stop()  # whatever ended the run: nothing left drawn, the cursor shown


def _run(args: list[str]) -> NoReturn:
    try:
        if os.environ.get("ACCORD_WARM"):  # read by the entry; a value it cannot read is said here
            env_flag("ACCORD_WARM")
        accord.main(args=args, prog_name="accord", standalone_mode=False, obj={"argv": args})
    except AccordError as error:
        _fail(error)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        from accord.reconciler.cli.usage import show_usage_error
        from accord.reconciler.console import console

        console().errors_only()
        show_usage_error(exc, accord)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        from accord.reconciler.console import console

        console().error(f"error: {exc.format_message()}\n")
        sys.exit(ExitCode.ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:
        # The machine's fault, not accord's (a full disk, a read-only file system, a
        # permission): said in words, naming the path, without a traceback.
        from accord.reconciler.errors import FilesystemError

        _fail(FilesystemError.from_os_error(exc))
    except BaseException:
        import traceback  # only for a bug: importing it costs ~9 ms on every slow run

        from accord.reconciler.console import console

        console().errors_only()
        traceback.print_exc()
        sys.stderr.write(
            "error: this is a bug in accord; please report it with the traceback above\n"
        )
        sys.exit(ExitCode.ERROR)
    sys.exit(0)
