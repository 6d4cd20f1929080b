"""The fast path's command line: which ``accord run`` it may serve (``reconciler.entry``).

Standard library only, and not even ``model``: this module is imported on every run. It
accepts a run whose options only change what is synced (they become part of the stamp's
key, ``reconciler.fastpath``) and whose environment moves nothing the stamp does not record;
anything else (an option it does not know, ``-v``, a variable under which it steps aside)
goes to the slow path, ``reconciler.cli.main``, which reports real errors properly.
"""

# No ``from __future__ import annotations``: on every run, importing ``__future__`` would cost
# more than evaluating these annotations.
import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds here
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BOOLISH_FALSE",
    "BOOLISH_TRUE",
    "STEP_ASIDE",
    "active_choice",
    "active_elsewhere",
    "fast_lock_arguments",
    "fast_run_arguments",
    "fast_sync_arguments",
    "no_sync_asked",
    "parse_options",
    "split_run_arguments",
    "step_aside_variable",
]

# Options the fast path understands: they only change what is synced, which the stamp key
# records verbatim. Anything else goes to the slow path.
_FLAGS = frozenset(
    {
        "--frozen",
        "--locked",
        "--exact",
        "--all-extras",
        "--no-dev",
        "--all-groups",
        "--no-default-groups",
        "-q",
        "--quiet",
        "-v",
        "--verbose",
    }
)
BOOLISH_TRUE = frozenset({"1", "true", "yes", "y", "on", "t"})
BOOLISH_FALSE = frozenset({"0", "false", "no", "n", "off", "f"})
"""uv's "boolish" values for yes and for no (``reconciler.cli.variables`` refuses any other)."""
# Options that do not change what a sync makes, so not part of the key: how much is printed,
# and --no-sync (an environment whose stamp matches is what a sync would leave anyway).
_QUIETNESS = frozenset({"-q", "--quiet", "-v", "--verbose", "--no-progress", "--no-sync"})
_VERBOSE = frozenset({"-v", "--verbose"})
# Which environment is synced, not what: not part of the key, as the stamp is the project
# environment's own; ``active_elsewhere`` sends a run ``--active`` moves elsewhere aside.
_ACTIVE = frozenset({"--active", "--no-active"})
_VALUED = frozenset({"--extra", "--group", "--only-group", "--no-group", "--python", "-p"})
# Options uv takes more than once; any other given twice, or two that conflict, is an error
# the slow path reports (``reconciler.cli.clap_rules``).
_LISTS = frozenset({"--extra", "--group", "--only-group", "--no-group"})
_CONFLICTS = (
    ("--extra", "--all-extras"),
    ("--extra", "--only-group"),
    ("--all-extras", "--only-group"),
    ("--only-group", "--group"),
    ("--only-group", "--all-groups"),
    ("--locked", "--frozen"),
)
# Variables under which the fast path steps aside: they move the project or the environment
# (the slow path reads them), or name something accord refuses (the slow path says so).
STEP_ASIDE = (
    "ACCORD_NO_FAST_PATH",
    "ACCORD_ENV_FILE",
    "UV_ENV_FILE",
    "UV_PROJECT",
    "UV_WORKING_DIR",
    "UV_WORKING_DIRECTORY",
    "ACCORD_ISOLATED",
    "UV_ISOLATED",
    "UV_CONFIG_FILE",
    "UV_FIND_LINKS",
    "UV_NO_BUILD",
    "UV_NO_BUILD_PACKAGE",
    "UV_NO_BINARY",
    "UV_NO_BINARY_PACKAGE",
    "UV_NO_SOURCES",
    "UV_NO_SOURCES_PACKAGE",
    "UV_NO_EDITABLE",
    "UV_MANAGED_PYTHON",
    "UV_PYTHON_PREFERENCE",
    "UV_INDEX_STRATEGY",
    "UV_KEYRING_PROVIDER",
    "UV_LINK_MODE",
    "UV_FORK_STRATEGY",
    "UV_INSECURE_HOST",
    "UV_PREVIEW",
)


def step_aside_variable(environ: "Mapping[str, str]") -> str | None:
    """The first variable of ``STEP_ASIDE`` that is set; None when there is none."""
    for name in STEP_ASIDE:
        if name in environ:
            return name
    return None


def parse_options(
    tokens: list[str], *, allow_command: bool = True
) -> tuple[list[str], list[str]] | None:
    """Split ``tokens`` (after the subcommand) into the options the fast path knows and the
    command; None if any other option appears. The options are the stamp's key."""
    options: list[str] = []
    quiet = verbose = False
    choices: set[str] = set()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            index += 1
            break
        if not token.startswith("-"):
            break
        name = token.split("=", 1)[0]
        if token in _QUIETNESS:
            # How much is printed does not change what is synced: not part of the key. Both
            # -q and -v is an error the slow path reports.
            if token in ("-q", "--quiet"):
                quiet = True
            elif token in ("-v", "--verbose"):
                verbose = True
            if quiet and verbose:
                return None
        elif token in _ACTIVE:
            if token in choices:
                return None  # given twice: the slow path reports what clap would
            choices.add(token)
        elif token in _FLAGS or (name in _VALUED and "=" in token):
            options.append(token)
        elif token in _VALUED and index + 1 < len(tokens):
            options.extend((token, tokens[index + 1]))
            index += 1
        else:
            return None
        index += 1
    command = tokens[index:]
    if command and not allow_command:
        return None
    if not _clap_accepts(options):
        return None
    return options, command


def _clap_accepts(options: list[str]) -> bool:
    """Whether uv's parser accepts these options: none repeated but the lists, no two that
    conflict."""
    names = [
        "--python" if name == "-p" else name
        for name in (token.split("=", 1)[0] for token in options)
        if name.startswith("-")
    ]
    given = set(names)
    if len(given) < len(names) and any(
        names.count(name) > 1 for name in given if name not in _LISTS
    ):
        return False
    return not any(a in given and b in given for a, b in _CONFLICTS)


def active_choice(given: "list[str]") -> bool | None:
    """``--active`` (True) or ``--no-active`` (False), whichever of the arguments ``given``
    before the command names last; None when neither is there."""
    for token in reversed(given):
        if token in _ACTIVE:
            return token == "--active"
    return None


def active_elsewhere(
    venv: str, active: bool | None, cwd: str, environ: "Mapping[str, str]"
) -> bool:
    """Whether ``--active`` selects another environment than ``venv`` (the stamp's or the
    recipe's ``<root>/.venv``): ``VIRTUAL_ENV`` is set and, joined to ``cwd`` as the slow path
    joins it, names another path. The fast path and the replay then step aside."""
    virtual_env = environ.get("VIRTUAL_ENV")
    return bool(active and virtual_env and os.path.join(cwd, virtual_env) != venv)


def no_sync_asked(given: "list[str]", environ: "Mapping[str, str]") -> bool:
    """Whether the run syncs nothing (``--no-sync`` among the arguments ``given`` before the
    command, or ``UV_NO_SYNC``)."""
    return "--no-sync" in given or environ.get("UV_NO_SYNC", "").lower() in BOOLISH_TRUE


def split_run_arguments(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """(options, command) for ``run …``, or None if anything is beyond the fast path."""
    if len(argv) < 2 or argv[0] != "run":
        return None
    parsed = parse_options(argv[1:])
    if parsed is None or not parsed[1]:
        return None
    return parsed


def fast_sync_arguments(argv: list[str], environ: "Mapping[str, str]") -> list[str] | None:
    """The options of a ``sync`` the replay may serve (``reconciler.replay``); None: the slow
    path's."""
    if not argv or argv[0] != "sync" or step_aside_variable(environ) is not None:
        return None
    parsed = parse_options(argv[1:], allow_command=False)
    if parsed is None or not _VERBOSE.isdisjoint(argv):
        return None
    return parsed[0]


def fast_run_arguments(
    argv: list[str], environ: "Mapping[str, str]"
) -> tuple[list[str], list[str]] | None:
    """(options, command) of a ``run`` the fast path may serve; None: the slow path's."""
    if step_aside_variable(environ) is not None:
        return None
    split = split_run_arguments(argv)
    if split is None:
        return None
    if not _VERBOSE.isdisjoint(argv[: len(argv) - len(split[1])]):
        return None  # -v asks why: the slow path says, the stamp check included
    return split


def fast_lock_arguments(argv: list[str], environ: "Mapping[str, str]") -> bool | None:
    """Whether a plain ``lock`` the fast path may serve (``fastpath.lock_proven_current``) is
    quiet; None: the slow path's. Only ``-q``/``--quiet`` may follow; under ``UV_FROZEN`` the
    sync that wrote the stamp never checked the lock, so the stamp proves nothing about it."""
    if not argv or argv[0] != "lock" or step_aside_variable(environ) is not None:
        return None
    if "UV_FROZEN" in environ or any(token not in ("-q", "--quiet") for token in argv[1:]):
        return None
    return len(argv) > 1
