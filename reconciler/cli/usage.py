"""click's usage errors worded and laid out as uv (clap) words them (CLI, slow path).

``error: unexpected argument '--frozn' found``, a ``tip:`` naming the closest known option or
subcommand (clap's Jaro similarity above 0.7), the usage line (``reconciler.cli.clap_rules``:
the arguments given before the error), and ``For more information, try '--help'.``; exit 2 is
the caller's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

import click

from accord.reconciler.cli.clap_rules import (
    ClapError,
    help_usage,
    identity,
    key,
    option_spellings,
    read_line,
    scan,
    usage,
)
from accord.reconciler.cli.clap_tables import REQUIRED

__all__ = [
    "in_clap_words",
    "jaro",
    "parse_error",
    "show_usage_error",
    "unexpected_positional",
]


def jaro(first: str, second: str) -> float:
    """The Jaro similarity of two strings (as clap's ``strsim::jaro``)."""
    if first == second:
        return 1.0
    if not first or not second:
        return 0.0
    window = max(max(len(first), len(second)) // 2 - 1, 0)
    matched_second = [False] * len(second)
    first_matches: list[str] = []
    for index, char in enumerate(first):
        for other in range(max(0, index - window), min(len(second), index + window + 1)):
            if not matched_second[other] and second[other] == char:
                matched_second[other] = True
                first_matches.append(char)
                break
    if not first_matches:
        return 0.0
    second_matches = [c for c, used in zip(second, matched_second, strict=True) if used]
    transpositions = sum(a != b for a, b in zip(first_matches, second_matches, strict=True)) // 2
    count = len(first_matches)
    return (count / len(first) + count / len(second) + (count - transpositions) / count) / 3


def _similar(name: str, candidates: Iterable[str]) -> list[str]:
    """The candidates similar to ``name`` (Jaro above 0.7), the most similar last; of two as
    similar, the later candidate comes later (as clap orders them)."""
    scored = [(jaro(name, candidate), candidate) for candidate in candidates]
    ranked: list[tuple[float, str]] = []
    for score, candidate in scored:
        if score > 0.7:
            at = sum(1 for other, _ in ranked if other <= score)
            ranked.insert(at, (score, candidate))
    return [candidate for _, candidate in ranked]


def _options(command: click.Command, ctx: click.Context) -> dict[str, click.Option]:
    """Every long spelling of ``command``'s options, hidden ones too (clap suggests those)."""
    return {
        spelling[2:]: option
        for spelling, option in option_spellings(command.get_params(ctx)).items()
        if spelling.startswith("--")
    }


def _layout(error: str, tip: str | None, usage_line: str, ctx: click.Context) -> ClapError:
    body = [error, ""]
    if tip is not None:
        body += [f"  tip: {tip}", ""]
    return ClapError(body[:-1], usage_line, ctx)


def _subcommand_tip(
    group: click.Group, ctx: click.Context, name: str, after: Sequence[str]
) -> str | None:
    """For an option unknown before the subcommand: a similar one of the first subcommand
    named after it."""
    best: tuple[int, str] | None = None
    for sub_name in group.list_commands(ctx):
        if sub_name not in after:
            continue
        sub = group.get_command(ctx, sub_name)
        similar = _similar(name[2:], _options(sub, ctx)) if sub is not None else []
        position = after.index(sub_name)
        if similar and (best is None or position < best[0]):
            best = (position, f"'{sub_name} --{similar[-1]}' exists")
    return best[1] if best else None


def _unknown_option(ctx: click.Context, given: list[str], name: str) -> ClapError:
    """An option ``ctx.command`` does not have: the arguments given before it (and the one
    suggested instead) on the usage line."""
    error = f"error: unexpected argument '{name}' found"
    found = scan(ctx.command.get_params(ctx), given, interspersed=ctx.allow_interspersed_args)
    stop = found.unknown if found.unknown is not None else len(given)
    positional = key(ctx) in REQUIRED
    tip: str | None = None
    if not name.startswith("--"):
        read_line(ctx, given[:stop], last_pending="skip")
        tip = f"to pass '{name}' as a value, use '-- {name}'" if positional else None
        return _layout(error, tip, help_usage(ctx), ctx)
    line = read_line(ctx, given[:stop], last_pending="drop")
    options = _options(ctx.command, ctx)
    similar = _similar(name[2:], options)
    if similar:
        line.take(options[similar[-1]], f"--{similar[-1]}", suggested=True)
        tip = f"a similar argument exists: '--{similar[-1]}'"
    elif isinstance(ctx.command, click.Group):
        tip = _subcommand_tip(ctx.command, ctx, name, given[stop + 1 :])
    elif positional:
        tip = f"to pass '{name}' as a value, use '-- {name}'"
    return _layout(error, tip, usage(line), ctx)


def _value_to_flag(ctx: click.Context, given: list[str], name: str) -> ClapError | None:
    """``--flag=value``: the arguments given before it, and the flag, on the usage line."""
    stop = next((i for i, token in enumerate(given) if token.startswith(f"{name}=")), None)
    option = _spelled(ctx, name)
    if stop is None or option is None:
        return None
    value = given[stop].split("=", 1)[1]
    line = read_line(ctx, given[:stop], last_pending="skip")
    ident, shown = identity(option, name)
    line.shown.setdefault(ident, shown)
    line.hidden.discard(ident)
    error = f"error: unexpected value '{value}' for '{shown}' found; no more were expected"
    return _layout(error, None, usage(line), ctx)


def _missing_value(ctx: click.Context, given: list[str], name: str) -> ClapError:
    """``--python`` last, without its value (an option given twice before it is refused
    first): named as clap names it, with the choices when it has some."""
    line = read_line(ctx, given[:-1])
    option = _spelled(ctx, name)
    shown = identity(option, name)[1] if option is not None else name
    body = [f"error: a value is required for '{shown}' but none was supplied"]
    if option is not None and isinstance(option.type, click.Choice):
        body.append(f"  [possible values: {', '.join(map(str, option.type.choices))}]")
    return ClapError(body, None, line.ctx)


def _spelled(ctx: click.Context, spelling: str) -> click.Option | None:
    return option_spellings(ctx.command.get_params(ctx)).get(spelling)


def parse_error(ctx: click.Context, given: list[str]) -> ClapError | None:
    """The error clap's parser stops at in ``given``, which click's parser may not see (it
    takes ``-x`` in ``--python -x`` for the value): an option without its value, or an
    unknown one, whichever comes first."""
    found = scan(ctx.command.get_params(ctx), given, interspersed=ctx.allow_interspersed_args)
    if found.valueless is not None and (found.unknown is None or found.valueless < found.unknown):
        return _missing_value(ctx, given[: found.valueless + 1], found.valueless_name)
    if found.unknown is not None:
        return _unknown_option(ctx, given, found.unknown_name)
    return None


def in_clap_words(ctx: click.Context, given: list[str], exc: click.UsageError) -> click.UsageError:
    """click's parser error ``exc`` for the arguments ``given`` to ``ctx.command``, as clap
    words it (``exc`` itself when clap has nothing else to say)."""
    if isinstance(exc, click.NoSuchOption):
        return _unknown_option(ctx, given, exc.option_name)
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        return _missing_value(ctx, given, exc.option_name)
    if isinstance(exc, click.BadOptionUsage) and "does not take a value" in exc.message:
        return _value_to_flag(ctx, given, exc.option_name) or exc
    return exc


def unexpected_positional(ctx: click.Context, given: list[str], token: str) -> ClapError:
    """A positional argument the command does not take (``accord sync foo``)."""
    read_line(ctx, given[: given.index(token)], last_pending="skip")
    return _layout(f"error: unexpected argument '{token}' found", None, help_usage(ctx), ctx)


def _unknown_subcommand(root: click.Group, name: str) -> ClapError:
    ctx = click.Context(root, info_name="accord")
    similar = _similar(name, root.list_commands(ctx))
    tip = None
    if len(similar) == 1:
        tip = f"a similar subcommand exists: '{similar[0]}'"
    elif similar:
        tip = "some similar subcommands exist: " + ", ".join(f"'{s}'" for s in similar)
    return _layout(f"error: unrecognized subcommand '{name}'", tip, help_usage(None), ctx)


def show_usage_error(exc: click.UsageError, root: click.Group) -> None:
    """Print ``exc`` to stderr in clap's words."""
    if isinstance(exc, click.NoSuchCommand) and exc.command_name is not None:
        exc = _unknown_subcommand(root, exc.command_name)
    if isinstance(exc, ClapError):
        sys.stderr.write(exc.render())
        return
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        assert exc.ctx is not None
        sys.stderr.write(exc.ctx.get_help() + "\n")
        return
    sys.stderr.write(f"error: {exc.format_message()}\n\nFor more information, try '--help'.\n")
