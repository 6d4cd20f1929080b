"""clap's rules on how the options given on the command line combine (CLI, slow path).

uv's parser (clap) refuses, before anything runs, a single-valued option or a flag given twice
at one level (``the argument '--python <PYTHON>' cannot be used multiple times``) and two
options it declares in conflict (``the argument '--all-extras' cannot be used with '--extra
<EXTRA>'``, naming the one given first first); of two options that override each other
(``--exact``/``--inexact``), the later one wins. These rules read the tokens as given, at the
level they were given (``uv --quiet sync --verbose`` is no conflict): a value that comes from a
variable or a settings file never conflicts here, as in uv.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import click

from accord.reconciler.errors import UsageError

__all__ = ["ClapCommand", "check_command_line"]

_GROUP_CONFLICTS = (("quiet", "verbose"),)

# uv's `--extra`/`--all-extras` and `ProjectDependencyGroupsArgs` (run, sync, export; accord's
# `why` shares the options). `--dev`/`--no-dev` and `--no-group` conflict with nothing.
_SELECTION_CONFLICTS = (
    *_GROUP_CONFLICTS,
    ("extra", "all_extras"),
    ("extra", "only_group"),
    ("all_extras", "only_group"),
    ("only_dev", "group"),
    ("only_dev", "all_groups"),
    ("only_dev", "no_dev"),
    ("only_group", "group"),
    ("only_group", "dev"),
    ("only_group", "all_groups"),
)

# `uv add`/`uv remove`: where the requirements go, one place at a time, never in a script.
_EDIT_CONFLICTS = (
    *_GROUP_CONFLICTS,
    ("dev", "optional"),
    ("dev", "group"),
    ("optional", "group"),
    ("dev", "script"),
    ("optional", "script"),
    ("group", "script"),
)

_CONFLICTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "run": (
        *_SELECTION_CONFLICTS,
        ("module", "script"),
        ("module", "gui_script"),
        ("script", "gui_script"),
    ),
    "sync": _SELECTION_CONFLICTS,
    "export": _SELECTION_CONFLICTS,
    "why": _SELECTION_CONFLICTS,
    "lock": (
        *_GROUP_CONFLICTS,
        ("frozen", "check"),
        ("frozen", "check_exists"),
        ("frozen", "locked"),
        ("check", "check_exists"),
        ("locked", "check_exists"),
    ),
    "add": _EDIT_CONFLICTS,
    "remove": _EDIT_CONFLICTS,
}

# Pairs of which the later given wins (clap's `overrides_with`).
_OVERRIDES = (("exact", "inexact"), ("dev", "no_dev"), ("all_extras", "no_all_extras"))

# Single options uv takes more than once: `lock --check` overrides itself. (`sync`'s and
# `export`'s `--package` are lists in uv, several members at once: accord refuses a second one
# by name rather than keep only the last, below.)
_REPEATABLE: Mapping[str, frozenset[str]] = {"lock": frozenset({"check"})}
_SEVERAL_PACKAGES = frozenset({"sync", "export"})

# Spellings that are an option of their own in uv (accord reads them as one).
_OWN_ARGUMENT = frozenset({"--native-tls"})


def _takes_value(option: click.Option) -> bool:
    return not (option.is_flag or option.count)


def _given(
    params: Sequence[click.Parameter], args: Sequence[str], *, interspersed: bool
) -> list[tuple[click.Option, str]]:
    """The options in ``args`` in the order given, each with its spelling, read as click's
    parser reads them (``--opt=value``, ``-p3.11``, ``-qv``; up to ``--``, and up to the first
    argument when ``interspersed`` is false)."""
    spellings = {
        spelling: param
        for param in params
        if isinstance(param, click.Option)
        for spelling in (*param.opts, *param.secondary_opts)
    }
    found: list[tuple[click.Option, str]] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            if interspersed:
                continue
            break
        if token.startswith("--"):
            name = token.split("=", 1)[0]
            option = spellings.get(name)
            if option is None:
                continue
            found.append((option, name))
            if _takes_value(option) and "=" not in token:
                index += 1
            continue
        for offset in range(1, len(token)):
            option = spellings.get(f"-{token[offset]}")
            if option is None:
                break
            found.append((option, f"-{token[offset]}"))
            if _takes_value(option):
                if offset == len(token) - 1:
                    index += 1  # `-p 3.11`; else the rest of the token is the value
                break
    return found


def _shown(option: click.Option, spelling: str) -> str:
    """How clap names an option: its long spelling, with the value's name."""
    if spelling in _OWN_ARGUMENT:
        return spelling
    long = next((o for o in option.opts if o.startswith("--")), option.opts[0])
    if option.count:
        return f"{long}..."
    return f"{long} <{option.metavar}>" if _takes_value(option) and option.metavar else long


def check_command_line(ctx: click.Context, args: Sequence[str]) -> None:
    """Refuse what clap refuses in the options ``args`` gives ``ctx.command``, and let the
    later of two overriding flags win (in ``ctx.params``); raises ``UsageError``."""
    command = ctx.info_name or ""
    given = _given(ctx.command.params, args, interspersed=ctx.allow_interspersed_args)
    repeatable = _REPEATABLE.get(command, frozenset())
    seen: set[tuple[str | None, str]] = set()
    packages = [option for option, _ in given if option.name == "package"]
    if command in _SEVERAL_PACKAGES and len(packages) > 1:
        raise UsageError(
            "`--package` given more than once is not supported by accord yet",
            hint=f"`uv {command}` takes several members at once; run accord once per package,"
            " or use `--all-packages`",
        )
    for option, spelling in given:
        if option.multiple or option.count or option.name in repeatable:
            continue
        key = (option.name, spelling if spelling in _OWN_ARGUMENT else "")
        if key in seen:
            raise UsageError(
                f"the argument '{_shown(option, spelling)}' cannot be used multiple times"
            )
        seen.add(key)
    first: dict[str | None, tuple[int, click.Option, str]] = {}
    for position, (option, spelling) in enumerate(given):
        first.setdefault(option.name, (position, option, spelling))
    conflicts = _CONFLICTS.get(command, _GROUP_CONFLICTS)
    clashes = sorted(
        (
            sorted((first[a], first[b]), key=_position)
            for a, b in conflicts
            if a in first and b in first
        ),
        key=lambda pair: (pair[0][0], pair[1][0]),
    )
    if clashes:
        (_, earlier, said), (_, later, later_said) = clashes[0]
        raise UsageError(
            f"the argument '{_shown(earlier, said)}' cannot be used with "
            f"'{_shown(later, later_said)}'"
        )
    last = {option.name: position for position, (option, _) in enumerate(given)}
    for a, b in _OVERRIDES:
        if a in last and b in last and a in ctx.params and b in ctx.params:
            ctx.params[a if last[a] < last[b] else b] = False


def _position(entry: tuple[int, click.Option, str]) -> int:
    return entry[0]


class ClapCommand(click.Command):
    """A command whose options are checked by clap's rules once click has parsed them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        rest = super().parse_args(ctx, args)
        check_command_line(ctx, given)
        return rest
