"""Options and variables accord parses but cannot honour yet, refused by name (CLI, slow
path): a set value is an error naming the option (or the variable that set it), never silence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accord.reconciler.errors import UsageError

__all__ = [
    "refuse_unsupported",
    "refuse_unsupported_edit",
    "refuse_unsupported_export",
    "refuse_unsupported_sync",
]

# Options accord parses but cannot honour yet: (parameter, spelling, why). A set value is an
# error naming the option, never silence.
_UNSUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("allow_insecure_host", "--allow-insecure-host", "accord always verifies TLS"),
    ("managed_python", "--managed-python", "accord uses installed interpreters only"),
    ("upgrade_group", "--upgrade-group", "use `--upgrade-package` for each package"),
    ("exclude_newer_package", "--exclude-newer-package", "use `tool.uv.exclude-newer-package`"),
    (
        "no_build_isolation_package",
        "--no-build-isolation-package",
        "use `tool.uv.no-build-isolation-package`",
    ),
    ("require_build_hashes", "--require-build-hashes", "build dependencies are not hashed"),
    ("no_extra", "--no-extra", "list the extras you want with `--extra`"),
    ("no_editable", "--no-editable", "accord installs the project and members editable"),
    ("no_editable_package", "--no-editable-package", "accord installs local projects editable"),
    ("python_platform", "--python-platform", "accord installs for the interpreter it runs"),
    ("preview", "--preview", "accord has no preview features"),
)

# Values of choice options accord honours; any other value is refused by name.
_SUPPORTED_VALUES: Mapping[str, tuple[str, str, str]] = {
    "keyring_provider": (
        "disabled",
        "--keyring-provider",
        "accord reads logins from UV_INDEX_<NAME>_USERNAME/_PASSWORD and .netrc",
    ),
    "link_mode": (
        "hardlink",
        "--link-mode",
        "accord hardlinks from its cache (copying where links fail)",
    ),
}


def refuse_unsupported(options: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Raise for the first option accord parses but cannot honour yet."""
    for name, spelling, why in _UNSUPPORTED:
        if options.get(name) not in (None, False, ()):
            shown = f"`{sources[name]}`" if name in sources else f"`{spelling}`"
            raise UsageError(f"{shown} is not supported by accord yet", hint=why)
    for name, (supported, spelling, why) in _SUPPORTED_VALUES.items():
        value = options.get(name)
        if value is not None and value != supported:
            shown = f"`{sources[name]}={value}`" if name in sources else f"`{spelling} {value}`"
            raise UsageError(f"{shown} is not supported by accord yet", hint=why)
    if options.get("python_preference") == "only-managed":
        raise UsageError(
            "`--python-preference only-managed` is not supported by accord yet",
            hint="accord uses installed interpreters only",
        )


def refuse_unsupported_sync(options: Mapping[str, Any]) -> None:
    """``uv sync``'s options accord does not honour yet."""
    if options.get("output_format") == "json":
        raise UsageError(
            "`--output-format json` is not supported by accord yet",
            hint="`accord sync --dry-plan --format json` prints the plan as JSON",
        )


_UNSUPPORTED_EXPORT = (
    ("no_emit_project", "--no-emit-project"),
    ("no_emit_workspace", "--no-emit-workspace"),
    ("no_emit_local", "--no-emit-local"),
    ("no_emit_package", "--no-emit-package"),
    ("emit_index_url", "--emit-index-url"),
    ("emit_find_links", "--emit-find-links"),
    ("script", "--script"),
)


def refuse_unsupported_export(options: Mapping[str, Any]) -> None:
    """``uv export``'s options accord does not honour yet, refused by name."""
    for name, spelling in _UNSUPPORTED_EXPORT:
        if options.get(name) not in (None, False, ()):
            raise UsageError(
                f"`{spelling}` is not supported by `accord export` yet",
                hint="accord exports the whole selection, without index or find-links lines",
            )


_UNSUPPORTED_EDIT = (
    ("requirements", "--requirements", "name the packages on the command line"),
    ("constraints", "--constraints", "add constraints to `tool.uv.constraint-dependencies`"),
    ("marker", "--marker", "write the marker into each requirement instead"),
    ("editable", "--editable", "accord writes no `tool.uv.sources` entries yet"),
    ("rev", "--rev", "accord writes no `tool.uv.sources` entries yet"),
    ("tag", "--tag", "accord writes no `tool.uv.sources` entries yet"),
    ("branch", "--branch", "accord writes no `tool.uv.sources` entries yet"),
    ("lfs", "--lfs", "accord writes no `tool.uv.sources` entries yet"),
    ("workspace", "--workspace", "add the member to `tool.uv.workspace.members` by hand"),
    ("no_workspace", "--no-workspace", "accord never adds workspace members"),
    ("package", "--package", "run accord in the member's directory"),
)


def refuse_unsupported_edit(options: Mapping[str, Any], command: str) -> None:
    """``uv add``/``uv remove`` options accord does not honour yet, refused by name."""
    for name, spelling, why in _UNSUPPORTED_EDIT:
        if options.get(name) not in (None, False, ()):
            raise UsageError(f"`{spelling}` is not supported by `accord {command}` yet", hint=why)
