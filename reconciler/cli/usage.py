"""click's usage errors worded as uv (clap) words them (CLI, slow path).

``error: unexpected argument '--frozn' found``, a ``tip:`` naming the closest known option
(clap's Jaro similarity above 0.7), the usage line, and ``For more information, try
'--help'.``; exit 2 is the caller's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

__all__ = ["jaro", "show_usage_error"]


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


def _long_options(command: click.Command) -> list[str]:
    return [
        opt
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for opt in param.opts
        if opt.startswith("--")
    ]


def _similar(name: str, candidates: Sequence[str]) -> str | None:
    if not name.startswith("--"):
        return None
    scored = [(jaro(name[2:], c[2:]), c) for c in candidates]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] > 0.7 else None


def _usage(ctx: click.Context | None) -> str:
    if ctx is None or isinstance(ctx.command, click.Group):
        return "Usage: accord [OPTIONS] <COMMAND>"
    if ctx.info_name == "run":
        return f"Usage: {ctx.command_path} [OPTIONS] [COMMAND]"
    return f"Usage: {ctx.command_path} [OPTIONS]"


def _metavar(ctx: click.Context | None, name: str) -> str:
    if ctx is not None:
        for param in ctx.command.params:
            if isinstance(param, click.Option) and name in param.opts and param.metavar:
                return f" <{param.metavar}>"
    return ""


def _context(root: click.Group, argv: Sequence[str]) -> click.Context:
    """A context for the subcommand ``argv`` names (the parser's errors carry none)."""
    group_ctx = click.Context(root, info_name="accord")
    for token in argv:
        command = root.get_command(group_ctx, token)
        if command is not None:
            return click.Context(command, info_name=token, parent=group_ctx)
    return group_ctx


def show_usage_error(exc: click.UsageError, argv: Sequence[str], root: click.Group) -> None:
    """Print ``exc`` to stderr in clap's words."""
    ctx = exc.ctx if exc.ctx is not None else _context(root, argv)
    lines: list[str]
    if isinstance(exc, click.NoSuchOption):
        name = exc.option_name
        lines = [f"error: unexpected argument '{name}' found", ""]
        tip = None
        if ctx is not None and isinstance(ctx.command, click.Group):
            for sub_name in ("run", "sync", "lock"):
                sub = ctx.command.get_command(ctx, sub_name)
                similar = _similar(name, _long_options(sub)) if sub is not None else None
                if similar is not None:
                    tip = f"'{sub_name} {similar}' exists"
                    break
        elif ctx is not None:
            similar = _similar(name, _long_options(ctx.command))
            tip = f"a similar argument exists: '{similar}'" if similar else None
        if tip:
            lines += [f"  tip: {tip}", ""]
        lines += [_usage(ctx), "", "For more information, try '--help'."]
    elif isinstance(exc, click.NoSuchCommand):
        lines = [f"error: unrecognized subcommand '{exc.command_name}'", ""]
        lines += [_usage(None), "", "For more information, try '--help'."]
    elif isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        name = exc.option_name
        lines = [
            f"error: a value is required for '{name}{_metavar(ctx, name)}' but none was supplied",
            "",
            "For more information, try '--help'.",
        ]
    elif isinstance(exc, click.BadOptionUsage) and "does not take a value" in exc.message:
        name = exc.option_name
        value = next((t.split("=", 1)[1] for t in argv if t.startswith(f"{name}=")), "")
        lines = [
            f"error: unexpected value '{value}' for '{name}' found; no more were expected",
            "",
            _usage(ctx),
            "",
            "For more information, try '--help'.",
        ]
    elif isinstance(exc, click.exceptions.NoArgsIsHelpError):
        assert ctx is not None
        sys.stderr.write(ctx.get_help() + "\n")
        return
    else:
        lines = [f"error: {exc.format_message()}", "", "For more information, try '--help'."]
    sys.stderr.write("\n".join(lines) + "\n")
