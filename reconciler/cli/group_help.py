"""``accord --help`` (and bare ``accord``) laid out as clap lays out ``uv --help`` (CLI, slow
path).

The about line, ``Usage: accord [OPTIONS] <COMMAND>``, the commands, the options under uv's
headings (``Cache options``, ``Python options``, ``Global options``) and ``Use `accord help`
for more details.``. Each section is laid out by clap's rule: the help beside the name,
wrapped at 100 columns, unless the names take more than 40% of the width and some help does
not fit beside them; then every help of the section goes on the lines below, indented.
"""

from __future__ import annotations

import textwrap

import click

__all__ = ["group_help"]

_WIDTH = 100
"""clap's width when the output is not a terminal (uv's help is the same on one)."""

_HEADINGS = {
    "no_cache": "Cache options",
    "cache_dir": "Cache options",
    "managed_python": "Python options",
    "no_managed_python": "Python options",
    "no_python_downloads": "Python options",
}
"""uv's heading of each option that is not a global one."""

_ORDER = ("Cache options", "Python options", "Global options")

_LAST = ("-h,", "-V,")
"""clap lists these last, in this order (click declares -V first and adds -h at the end)."""


def _spec(option: click.Option) -> str:
    """``-q, --quiet...``, ``    --cache-dir <CACHE_DIR>``: an option as clap names it (its
    first long name only; four spaces where it has no short one)."""
    shorts = [o for o in option.opts if not o.startswith("--")]
    longs = [o for o in option.opts if o.startswith("--")]
    text = f"{shorts[0]}, " if shorts else "    "
    text += longs[0] if longs else ""
    if option.count:
        text += "..."
    elif not option.is_flag:
        text += f" <{option.metavar or (option.name or '').upper()}>"
    return text


def _section(heading: str, rows: list[tuple[str, str]]) -> list[str]:
    """``heading:`` and its rows (a name or an option, and its help), as clap writes them."""
    longest = max(len(name) for name, _ in rows)
    taken = longest + 4
    below = taken / _WIDTH > 0.40 and any(len(text) > _WIDTH - taken for _, text in rows)
    lines = [f"{heading}:"]
    for name, text in rows:
        if below:
            lines.append(f"  {name}")
            lines += textwrap.wrap(
                text, _WIDTH, initial_indent=" " * 10, subsequent_indent=" " * 10
            )
            continue
        wrapped = textwrap.wrap(text, _WIDTH - taken) or [""]
        lines.append(f"  {name.ljust(longest)}  {wrapped[0]}".rstrip())
        lines += [" " * taken + more for more in wrapped[1:]]
    return lines


def _order(row: tuple[str, str]) -> int:
    return _LAST.index(row[0][:3]) if row[0][:3] in _LAST else -1


def group_help(group: click.Group, ctx: click.Context) -> str:
    """The help of ``group`` (accord itself), laid out as ``uv --help``."""
    name = ctx.info_name or "accord"
    lines = [
        (group.help or "").strip().splitlines()[0],
        "",
        f"Usage: {name} [OPTIONS] <COMMAND>",
        "",
    ]
    commands: list[tuple[str, str]] = []
    for command_name in group.list_commands(ctx):
        command = group.get_command(ctx, command_name)
        if command is not None and not command.hidden:
            commands.append((command_name, command.get_short_help_str(limit=_WIDTH)))
    sections: dict[str, list[tuple[str, str]]] = {heading: [] for heading in _ORDER}
    for param in group.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            heading = _HEADINGS.get(param.name or "", "Global options")
            sections[heading].append((_spec(param), param.help or ""))
    sections["Global options"].sort(key=_order)
    lines += _section("Commands", commands)
    for heading in _ORDER:
        if sections[heading]:
            lines += ["", *_section(heading, sections[heading])]
    lines += ["", f"Use `{name} help` for more details."]
    return "\n".join(lines)
