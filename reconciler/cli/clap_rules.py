"""clap's rules on the arguments a command line gives, and the usage line of its errors (CLI,
slow path).

uv's parser (clap) reads the arguments of each level (before the subcommand, the subcommand's)
in the order given: a single-valued option or a flag given twice is refused at once (``the
argument '--python <PYTHON>' cannot be used multiple times``); of two arguments that override
each other (``--exact``/``--inexact``) the later one replaces the earlier. Then it adds the
arguments it reads from a variable (``UV_PYTHON``, not ``UV_FROZEN``, which uv reads itself)
that the command line left out, in uv's order of declaration, and refuses two arguments it
declares in conflict, naming the first given first (``the argument '--frozen' cannot be used
with '--locked'``); a variable never yields to an overriding flag, so the two conflict. The
subcommand is checked before the arguments that precede it.

Every such error ends with a usage line naming the arguments still given, as clap names them
(``Usage: accord sync --frozen --python <PYTHON>``), hidden ones and the conflicting ones left
out, or ``[OPTIONS]`` when none is left; the tables are ``reconciler.cli.clap_tables``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from accord.reconciler.cli.clap_tables import (
    CONFLICTS,
    ENV_ARGUMENTS,
    GROUPED,
    HIDDEN,
    OVERRIDES,
    OWN_ARGUMENTS,
    REQUIRED,
    SELF_OVERRIDING,
)
from accord.reconciler.errors import UsageError

__all__ = [
    "ClapError",
    "Line",
    "check_command_line",
    "help_usage",
    "identity",
    "key",
    "missing_required",
    "option_spellings",
    "read_group_line",
    "read_line",
    "run_pending_group_check",
    "scan",
    "usage",
]

_BOOLISH = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
_PENDING = "accord.clap_rules.group_line"
"""Where the group leaves its own line to be checked after the subcommand's (``ctx.meta``)."""

# Single options of uv's that are lists there: accord refuses a second one by name rather
# than keep only the last.
_SEVERAL_PACKAGES = frozenset({"sync", "export"})


class ClapError(click.UsageError):
    """A usage error laid out as clap lays it out: ``body`` (the ``error:`` line first), the
    usage line when there is one, and ``For more information, try '--help'.``"""

    def __init__(
        self, body: Sequence[str], usage: str | None, ctx: click.Context | None = None
    ) -> None:
        super().__init__(body[0].removeprefix("error: "), ctx=ctx)
        self.body = list(body)
        self.usage = usage

    def render(self) -> str:
        lines = [*self.body, ""]
        if self.usage is not None:
            lines += [self.usage, ""]
        lines.append("For more information, try '--help'.")
        return "\n".join(lines) + "\n"


def key(ctx: click.Context) -> str:
    """The tables' name for ``ctx``'s command: ``""`` for the group."""
    return "" if isinstance(ctx.command, click.Group) else ctx.info_name or ""


def help_usage(ctx: click.Context | None) -> str:
    """The usage line of the help, which clap prints when no argument is to be named."""
    if ctx is None or isinstance(ctx.command, click.Group):
        return "Usage: accord [OPTIONS] <COMMAND>"
    if ctx.info_name == "run":
        return f"Usage: {ctx.command_path} [OPTIONS] [COMMAND]"
    tail = REQUIRED.get(ctx.info_name or "")
    return f"Usage: {ctx.command_path} [OPTIONS]" + (f" {tail}" if tail else "")


class _Given:
    """An option as given: its value is the next token when ``separate_value`` (clap resolves
    it only when the next argument starts)."""

    __slots__ = ("end", "option", "separate_value", "spelling", "valueless")

    def __init__(
        self,
        option: click.Option,
        spelling: str,
        separate_value: bool,
        end: int,
        *,
        valueless: bool = False,
    ) -> None:
        self.option = option
        self.spelling = spelling
        self.separate_value = separate_value
        self.end = end
        """The index of its last token."""
        self.valueless = valueless
        """Its value is missing (an option follows): clap never takes it in."""


class _Scan:
    """The options given (in order), and the index of the first positional token (the
    subcommand, ``run``'s command) and of the first unknown option (and its name)."""

    __slots__ = ("given", "positional", "unknown", "unknown_name", "valueless", "valueless_name")

    def __init__(self) -> None:
        self.given: list[_Given] = []
        self.positional: int | None = None
        self.unknown: int | None = None
        self.unknown_name = ""
        self.valueless: int | None = None
        """The index of the first option whose value is missing: another option follows."""
        self.valueless_name = ""

    def note_unknown(self, index: int, name: str) -> None:
        if self.unknown is None:
            self.unknown, self.unknown_name = index, name


def _takes_value(option: click.Option) -> bool:
    return not (option.is_flag or option.count)


def option_spellings(params: Sequence[click.Parameter]) -> dict[str, click.Option]:
    """Every spelling of the options among ``params`` (``--python``, ``-p``, ``--no-dev``)."""
    return {
        spelling: param
        for param in params
        if isinstance(param, click.Option)
        for spelling in (*param.opts, *param.secondary_opts)
    }


def scan(params: Sequence[click.Parameter], args: Sequence[str], *, interspersed: bool) -> _Scan:
    """The known options in ``args`` in the order given, read as clap reads them (``--opt=v``,
    ``-p3.11``, ``-qv``; up to ``--``, and up to the first positional when ``interspersed`` is
    false). Unknown ones are passed over (the first is noted), and so is an option's value
    that looks like an option (``--python -x``), which clap does not take for one."""
    spellings = option_spellings(params)
    found = _Scan()
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            if found.positional is None:
                found.positional = index - 1
            if interspersed:
                continue
            break
        if token.startswith("--"):
            name = token.split("=", 1)[0]
            option = spellings.get(name)
            if option is None:
                found.note_unknown(index - 1, name)
                continue
            separate = _takes_value(option) and "=" not in token
            index = _value(found, option, name, separate, args, index, spellings)
            continue
        for offset in range(1, len(token)):
            spelling = f"-{token[offset]}"
            option = spellings.get(spelling)
            if option is None:
                found.note_unknown(index - 1, spelling)
                break
            separate = _takes_value(option) and offset == len(token) - 1
            index = _value(found, option, spelling, separate, args, index, spellings)
            if _takes_value(option):
                break  # the rest of the token is its value
    return found


def _value(
    found: _Scan,
    option: click.Option,
    spelling: str,
    separate: bool,
    args: Sequence[str],
    index: int,
    spellings: dict[str, click.Option],
) -> int:
    """Note ``option`` given (its value the token at ``index`` when ``separate``); returns
    the index of the next token to read."""
    following = args[index] if separate and index < len(args) else None
    if following is not None and following.startswith("-") and following not in ("-", "--"):
        named = following.split("=", 1)[0] if following.startswith("--") else following[:2]
        if found.valueless is None and named in spellings:
            found.valueless, found.valueless_name = index - 1, spelling
        found.given.append(_Given(option, spelling, True, index - 1, valueless=True))
        return index
    if separate and index >= len(args):  # its value is not there (yet)
        found.given.append(_Given(option, spelling, True, index - 1, valueless=True))
        return index
    index += 1 if separate else 0
    found.given.append(_Given(option, spelling, separate, index - 1))
    return index


def identity(option: click.Option, spelling: str) -> tuple[str, str]:
    """uv's argument for ``spelling`` and how clap names it: its long spelling, with the
    value's name (``--python <PYTHON>``), ``...`` for a counter."""
    if spelling in OWN_ARGUMENTS:
        return OWN_ARGUMENTS[spelling]
    name = option.name or spelling
    long = next((o for o in option.opts if o.startswith("--")), option.opts[0])
    if option.count:
        return name, f"{long}..."
    if _takes_value(option) and option.metavar:
        return name, f"{long} <{option.metavar}>"
    return name, long


class Line:
    """The arguments of one level as clap holds them once read: in order, each once.
    (Plain classes here: a dataclass costs milliseconds to import on every slow run.)"""

    __slots__ = ("ctx", "from_command_line", "hidden", "key", "params", "positional", "shown")

    def __init__(self, ctx: click.Context, command: str) -> None:
        self.ctx = ctx
        self.key = command
        self.shown: dict[str, str] = {}
        """uv's argument -> how clap names it, in clap's order."""
        self.params: dict[str, str] = {}
        """uv's argument -> accord's parameter."""
        self.hidden: set[str] = set()
        self.from_command_line: list[str] = []
        self.positional = False
        """A positional argument of the command itself was given (``add``'s packages)."""

    def take(self, option: click.Option, spelling: str, *, suggested: bool = False) -> str:
        """``option`` given, as clap's parser takes an argument: a single one given again is
        refused; the arguments it overrides are taken out; it goes last, unless it is a list
        already given (or the argument clap suggests for an unknown one, which stays where it
        is). Returns its argument."""
        ident, shown = identity(option, spelling)
        single = not (option.multiple or option.count)
        if not suggested and (single or option.count) and ident in self.shown:
            if single and ident not in SELF_OVERRIDING.get(self.key, ()):
                raise ClapError(
                    [f"error: the argument '{shown}' cannot be used multiple times"],
                    help_usage(self.ctx),
                    self.ctx,
                )
            del self.shown[ident]
        for other in _partners(OVERRIDES.get(self.key, ()), ident):
            self.shown.pop(other, None)
        self.shown.setdefault(ident, shown)
        self.params[ident] = option.name or ident
        if _hidden(self.key, ident, option):
            self.hidden.add(ident)
        if ident in GROUPED.get(self.key, ()):
            self.hidden.add(ident)  # named in the required group, which it stands for
            self.positional = True
        self.from_command_line.append(ident)
        return ident


def _hidden(command: str, ident: str, option: click.Option) -> bool:
    """Whether uv leaves ``ident`` out of its usage lines (and its help)."""
    return option.hidden or ident in HIDDEN.get(command, ()) or ident == "native_tls"


def _partners(pairs: Sequence[tuple[str, str]], ident: str) -> list[str]:
    return [b if a == ident else a for a, b in pairs if ident in (a, b) and a != b]


def read_line(ctx: click.Context, args: Sequence[str], *, last_pending: str = "resolve") -> Line:
    """The arguments ``args`` gives ``ctx``'s command, read as clap reads them (refusing one
    given twice). ``last_pending``: what becomes of a last option whose value is the next
    token, when an error stops clap before the next argument: ``"resolve"``d as any other,
    ``"skip"``ped (never read) or ``"drop"``ped when given twice (the error is lost, and
    the argument with it)."""
    found = scan(ctx.command.get_params(ctx), args, interspersed=ctx.allow_interspersed_args)
    line = Line(ctx, key(ctx))
    line.positional = found.positional is not None and line.key in REQUIRED
    given = found.given
    if line.key in _SEVERAL_PACKAGES and sum(g.option.name == "package" for g in given) > 1:
        raise UsageError(
            "`--package` given more than once is not supported by accord yet",
            hint=f"`uv {line.key}` takes several members at once; run accord once per package,"
            " or use `--all-packages`",
        )
    pending = given[-1] if given and given[-1].separate_value else None
    if pending is not None and found.positional is not None and found.positional > pending.end:
        pending = None  # a positional argument after its value had clap read it
    if pending is not None and (last_pending == "skip" or pending.valueless):
        given = given[:-1]
    for entry in given:
        dropped = entry is pending and last_pending == "drop"
        try:
            line.take(entry.option, entry.spelling)
        except ClapError:
            if not dropped:
                raise
            ident, _ = identity(entry.option, entry.spelling)
            line.shown.pop(ident, None)
    return line


def add_variables(line: Line) -> None:
    """The arguments clap reads from a set variable, after the command line's; a flag's
    value must be a boolish, a choice's one of its choices, a count a number."""
    params = {p.name: p for p in line.ctx.command.params if isinstance(p, click.Option)}
    for variable, ident in ENV_ARGUMENTS.get(line.key, ()):
        value = os.environ.get(variable)
        option = params.get(ident)
        if value is None or option is None or ident in line.shown:
            continue
        _, shown = identity(option, option.opts[-1])
        if option.is_flag and value.lower() not in _BOOLISH:
            raise ClapError(
                [f"error: invalid value '{value}' for '{shown}': value was not a boolean"],
                None,
                line.ctx,
            )
        if value and not (option.is_flag or option.multiple):
            option.type.convert(value, option, line.ctx)  # a choice, a count
        line.shown[ident] = shown
        line.params[ident] = ident
        if _hidden(line.key, ident, option):
            line.hidden.add(ident)


def usage(line: Line, leaving_out: Sequence[str] = (), *, missing: bool = False) -> str:
    """The usage line of an error: the arguments given but ``leaving_out`` and the hidden
    ones, the required positional; the help's when nothing is to be named."""
    named = [s for i, s in line.shown.items() if i not in line.hidden and i not in leaving_out]
    if not (named or line.positional or missing):
        return help_usage(line.ctx)
    parts = ["Usage:", line.ctx.command_path, *named]
    tail = REQUIRED.get(line.key)
    if tail:
        parts.append(tail)
    if line.key == "":
        parts.append("<COMMAND>")
    return " ".join(parts)


def validate(line: Line) -> None:
    """Refuse the first argument (in clap's order) given with one it conflicts with."""
    pairs = (*CONFLICTS.get(line.key, ()), *OVERRIDES.get(line.key, ()))
    for ident in line.shown:
        clashing = [o for o in line.shown if o != ident and o in _partners(pairs, ident)]
        if not clashing:
            continue
        former = line.shown[ident]
        if len(clashing) == 1:
            body = [
                f"error: the argument '{former}' cannot be used with '{line.shown[clashing[0]]}'"
            ]
        else:
            body = [f"error: the argument '{former}' cannot be used with:"]
            body += [f"  {line.shown[other]}" for other in clashing]
        raise ClapError(body, usage(line, clashing), line.ctx)


def _apply_overrides(line: Line) -> None:
    """A flag another one given later overrode is off in ``ctx.params``."""
    kept = {line.params[ident] for ident in line.shown}
    for ident in line.from_command_line:
        name = line.params[ident]
        if name not in kept and isinstance(line.ctx.params.get(name), bool):
            line.ctx.params[name] = False


def check_command_line(ctx: click.Context, args: Sequence[str]) -> Line:
    """Refuse what clap refuses in the arguments ``args`` gives ``ctx.command`` (with the
    variables clap reads), and let the later of two overriding flags win (in
    ``ctx.params``); raises ``ClapError``."""
    line = read_line(ctx, args)
    add_variables(line)
    validate(line)
    _apply_overrides(line)
    return line


def missing_required(line: Line) -> ClapError:
    """The command's required positional argument was not given."""
    tail = REQUIRED[line.key]
    add_variables(line)
    validate(line)
    body = ["error: the following required arguments were not provided:", f"  {tail}"]
    return ClapError(body, usage(line, missing=True), line.ctx)


def read_group_line(ctx: click.Context, args: Sequence[str]) -> None:
    """The arguments before the subcommand: refused at once if given twice; without a
    subcommand, clap asks for one; else checked once the subcommand's are (clap's order)."""
    line = read_line(ctx, args)
    group = ctx.command
    assert isinstance(group, click.Group)
    if scan(group.get_params(ctx), args, interspersed=False).positional is None:
        add_variables(line)
        names = ", ".join(group.list_commands(ctx))
        raise ClapError(
            [
                "error: 'accord' requires a subcommand but one was not provided",
                f"  [subcommands: {names}]",
            ],
            help_usage(ctx),
            ctx,
        )
    ctx.meta[_PENDING] = line


def run_pending_group_check(ctx: click.Context) -> None:
    """The group's arguments, checked after the subcommand's (``ctx`` is the subcommand's)."""
    line = ctx.meta.pop(_PENDING, None)
    if isinstance(line, Line):
        add_variables(line)
        validate(line)
        _apply_overrides(line)
