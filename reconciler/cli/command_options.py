"""Each command's own options, and the decorator that declares all of a command's options
(CLI, slow path): the shared sets of ``reconciler.cli.options`` and the command's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from accord.reconciler.cli.options import (
    EXTRAS_AND_GROUPS,
    GLOBAL_OPTIONS,
    INSTALL_OPTIONS,
    LOCK_OPTIONS,
    SELECTION_OPTIONS,
    U32,
    Decorator,
    apply_options,
    flag,
    value,
)

__all__ = [
    "CONTEXT_SETTINGS",
    "add_options",
    "export_options",
    "global_options",
    "lock_command_options",
    "remove_options",
    "run_options",
    "sync_options",
    "why_options",
]

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
"""The context settings of the group and of every command."""

RUN_OPTIONS: list[Decorator[Any]] = [
    flag("-m", "--module", help="Run COMMAND as a module (python -m)."),
    flag("-s", "--script", help="Run COMMAND as a Python script."),
    flag("--gui-script", help="Run COMMAND as a GUI script (pythonw)."),
    value(
        "-w",
        "--with",
        "with_",
        multiple=True,
        metavar="WITH",
        help="Also provide this requirement, in a cached layer (repeatable, comma lists).",
    ),
    value("--with-editable", multiple=True, help="Also provide this local project, editable."),
    value("--with-requirements", multiple=True, help="Also provide the requirements in FILE."),
    flag("--isolated", help="A cached environment of its own (ACCORD_ISOLATED, UV_ISOLATED)."),
    flag("--no-sync", help="Run in the environment as it is: no lock, no install (UV_NO_SYNC)."),
    value("--env-file", multiple=True, help="Load a dotenv file (ACCORD_ENV_FILE, UV_ENV_FILE)."),
    flag("--no-env-file", help="Ignore env files (ACCORD_NO_ENV_FILE, UV_NO_ENV_FILE)."),
    flag("--no-project", help="Ignore any project; run as is (UV_NO_PROJECT)."),
    flag("--exact", help="Remove packages the lock does not ask for."),
    flag("--inexact", "--no-exact", "inexact", hidden=True),
    flag("--show-resolution", hidden=True),
    value(
        "--max-recursion-depth",
        type=U32(),
        help="Refuse to run when nested deeper (default 100; UV_RUN_MAX_RECURSION_DEPTH).",
    ),
    value("-c", "code", metavar="CODE", help="Run CODE with the environment's python."),
    flag("--no-exec", help="Spawn the command instead of exec."),
    flag("--strict", help="Run only what the environment itself provides."),
    flag("--check", help="With --dry-plan: exit 1 if the plan is not empty."),
]

# uv's install filters (`sync`, `add`): the `--only-install-*` ones are hidden in uv too.
_INSTALL_FILTER_OPTIONS: list[Decorator[Any]] = [
    flag("--no-install-project", help="Do not install the project, only its dependencies."),
    flag("--no-install-workspace", help="Do not install the workspace members (nor the project)."),
    flag("--no-install-local", help="Do not install local (path, directory) packages."),
    value("--no-install-package", multiple=True, help="Do not install this package."),
    flag("--only-install-project", hidden=True),
    flag("--only-install-workspace", hidden=True),
    flag("--only-install-local", hidden=True),
    value("--only-install-package", multiple=True, hidden=True),
]

SYNC_OPTIONS: list[Decorator[Any]] = [
    flag("--inexact", help="Keep packages the lock does not ask for."),
    flag("--exact", hidden=True),
    *_INSTALL_FILTER_OPTIONS,
    value("--output-format", choices=("text", "json"), help="Only text."),
    flag("--dry-run", help="Print what would change; change nothing."),
    value("--script", help="Sync a PEP 723 script's environment."),
    flag("--check", help="Exit 1 if the environment is not in sync (changes nothing)."),
]


LOCK_COMMAND_OPTIONS: list[Decorator[Any]] = [
    flag("--check", help="Fail (exit 1) if the lock is not up to date."),
    flag("--locked", help="The same as --check (UV_LOCKED)."),
    flag("--no-locked", hidden=True),
    flag("--check-exists", help="Fail if there is no lock; do not check it is current."),
    flag("--frozen", help="The same as --check-exists (UV_FROZEN).", hidden=True),
    flag("--no-frozen", hidden=True),
    flag("--dry-run", help="Resolve and report; write nothing."),
    value("--script", help="Lock a PEP 723 script instead."),
]


def global_options(function: F) -> F:
    return apply_options(function, GLOBAL_OPTIONS)


def run_options(function: F) -> F:
    return apply_options(
        function,
        [*LOCK_OPTIONS, *SELECTION_OPTIONS, *INSTALL_OPTIONS, *RUN_OPTIONS, *GLOBAL_OPTIONS],
    )


def sync_options(function: F) -> F:
    return apply_options(
        function,
        [*LOCK_OPTIONS, *SELECTION_OPTIONS, *INSTALL_OPTIONS, *SYNC_OPTIONS, *GLOBAL_OPTIONS],
    )


def lock_command_options(function: F) -> F:
    return apply_options(function, [*LOCK_COMMAND_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS])


EXPORT_SELECTION_OPTIONS: list[Decorator[Any]] = [
    *EXTRAS_AND_GROUPS,
    flag("--locked", help="Fail unless uv.lock is up to date (UV_LOCKED)."),
    flag("--no-locked", hidden=True),
    flag("--frozen", help="Use uv.lock as it is, without checking it (UV_FROZEN)."),
    flag("--no-frozen", hidden=True),
    flag("--all-packages", help="Export every workspace member."),
    value("--package", help="Export this workspace member."),
]

EXPORT_OPTIONS: list[Decorator[Any]] = [
    value(
        "--format",
        "export_format",
        choices=("requirements.txt", "pylock.toml"),
        metavar="FORMAT",
        help="requirements.txt (default) or pylock.toml (or as -o's file name implies).",
    ),
    value("-o", "--output-file", help="Also write the export to this file."),
    flag("--no-hashes", help="Leave out the hashes (requirements.txt)."),
    flag("--hashes", hidden=True),
    flag("--no-header", help="Leave out the header comment."),
    flag("--no-annotate", help="Leave out the `# via` comments."),
    flag("--no-emit-project", help="Not supported."),
    flag("--no-emit-workspace", help="Not supported."),
    flag("--no-emit-local", help="Not supported."),
    value("--no-emit-package", "--prune", multiple=True, help="Not supported."),
    flag("--emit-index-url", help="Not supported."),
    flag("--emit-find-links", help="Not supported."),
    value("--script", help="Not supported."),
]


def export_options(function: F) -> F:
    return apply_options(
        function, [*EXPORT_OPTIONS, *EXPORT_SELECTION_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS]
    )


def why_options(function: F) -> F:
    return apply_options(function, [*EXPORT_SELECTION_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS])


_EDIT_PLACE_OPTIONS: list[Decorator[Any]] = [
    flag("--dev", "dev", help="The `dev` dependency group (UV_DEV)."),
    value("--optional", help="The optional dependencies of this extra."),
    value("--group", help="This dependency group."),
    flag("--no-sync", help="Lock, but do not sync the environment (UV_NO_SYNC)."),
    flag("--locked", help="Fail unless uv.lock stays as it is (UV_LOCKED)."),
    flag("--no-locked", hidden=True),
    flag("--frozen", help="Only edit: no lock, no sync (UV_FROZEN)."),
    flag("--no-frozen", hidden=True),
    flag("--active", help="Sync the environment VIRTUAL_ENV names, not the project's."),
    flag("--no-active", help="Use the project environment whatever VIRTUAL_ENV says."),
    value("--package", help="Not supported."),
    value("--script", help="Edit a PEP 723 script's `# /// script` block instead."),
]

_EDIT_INSTALL_OPTIONS: list[Decorator[Any]] = [
    flag("--reinstall", help="Reinstall every package."),
    flag("--no-reinstall", hidden=True),
    value("--reinstall-package", multiple=True, help="Reinstall this package."),
    flag("--compile-bytecode", help="Compile to bytecode after installing (UV_COMPILE_BYTECODE)."),
    flag("--no-compile-bytecode", hidden=True),
]

ADD_OPTIONS: list[Decorator[Any]] = [
    value("-r", "--requirements", multiple=True, help="Not supported."),
    value("-c", "--constraints", multiple=True, help="Not supported."),
    value("-m", "--marker", help="Not supported."),
    *_EDIT_PLACE_OPTIONS,
    flag("--editable", help="Not supported."),
    flag("--raw", help="Write each requirement as given, without a bound."),
    value(
        "--bounds",
        choices=("lower", "major", "minor", "exact"),
        help="The specifier written for a requirement given without one (default: lower).",
    ),
    value("--rev", help="Not supported."),
    value("--tag", help="Not supported."),
    value("--branch", help="Not supported."),
    flag("--lfs", help="Not supported."),
    value("--extra", multiple=True, help="An extra of the added requirements (repeatable)."),
    flag("--workspace", help="Not supported."),
    flag("--no-workspace", help="Not supported."),
    *_INSTALL_FILTER_OPTIONS,
]


def add_options(function: F) -> F:
    return apply_options(
        function, [*ADD_OPTIONS, *LOCK_OPTIONS, *_EDIT_INSTALL_OPTIONS, *GLOBAL_OPTIONS]
    )


def remove_options(function: F) -> F:
    return apply_options(
        function, [*_EDIT_PLACE_OPTIONS, *LOCK_OPTIONS, *_EDIT_INSTALL_OPTIONS, *GLOBAL_OPTIONS]
    )
