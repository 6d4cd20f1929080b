"""uv 0.13.8's clap declarations for the arguments accord shares with it (CLI, slow path; data
only, read by ``reconciler.cli.clap_rules``).

Each argument is named by accord's parameter name (``only_group``), or, for a spelling that
is an argument of its own in uv and an alias in accord, by the name of uv's argument
(``native_tls``, ``prune``). Measured against the uv 0.13.8 binary, pair by pair: which
arguments conflict, which override each other (the later one given wins; a variable never
overrides), which are hidden from the usage line, and which read a variable through clap
(``env = ...``) and in which order uv declares them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "CONFLICTS",
    "ENV_ARGUMENTS",
    "GROUPED",
    "HIDDEN",
    "OVERRIDES",
    "OWN_ARGUMENTS",
    "REQUIRED",
    "SELF_OVERRIDING",
]

OWN_ARGUMENTS: Mapping[str, tuple[str, str]] = {
    "--native-tls": ("native_tls", "--native-tls"),
    "--prune": ("prune", "--prune <PACKAGE>"),
}
"""Spellings accord reads as another option's that uv declares apart: (id, as clap shows it)."""

_QUIETNESS = (("quiet", "verbose"),)

_SELECTION = (
    ("extra", "all_extras"),
    ("extra", "only_group"),
    ("all_extras", "only_group"),
    ("dev", "only_group"),
    ("no_dev", "only_dev"),
    ("only_dev", "group"),
    ("only_dev", "all_groups"),
    ("group", "only_group"),
    ("only_group", "all_groups"),
)

# `--locked`/`--frozen` against each other, `--upgrade` and (`--frozen`) `--no-sources`.
_LOCKING = (
    ("locked", "frozen"),
    ("upgrade", "locked"),
    ("upgrade", "frozen"),
    ("no_sources", "frozen"),
)

# `sync --script` takes no selection of the project's.
_SCRIPT_SYNC = tuple(
    (name, "script")
    for name in (
        "extra",
        "all_extras",
        "no_all_extras",
        "no_extra",
        "dev",
        "no_dev",
        "only_dev",
        "group",
        "no_group",
        "no_default_groups",
        "only_group",
        "all_groups",
        "all_packages",
        "package",
        "no_install_project",
        "no_install_workspace",
        "no_install_local",
    )
)

_INSTALL_FILTERS = (
    "no_install_project",
    "no_install_workspace",
    "no_install_local",
    "no_install_package",
    "only_install_project",
    "only_install_workspace",
    "only_install_local",
    "only_install_package",
)

_INSTALL_PAIRS = tuple(
    (f"no_install_{kind}", f"only_install_{kind}")
    for kind in ("project", "workspace", "local", "package")
)

_EDIT_PLACES = (
    ("dev", "optional"),
    ("dev", "group"),
    ("dev", "script"),
    ("optional", "group"),
    ("optional", "script"),
    ("group", "script"),
)

_EXPORT = (
    *_QUIETNESS,
    *_SELECTION,
    ("locked", "frozen"),
    ("locked", "upgrade"),
    ("frozen", "upgrade"),
    ("frozen", "no_sources"),
    ("all_packages", "package"),
)

CONFLICTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "": _QUIETNESS,
    "run": (
        *_QUIETNESS,
        *_SELECTION,
        *_LOCKING,
        ("all_packages", "package"),
        ("package", "no_project"),
        ("module", "script"),
        ("module", "gui_script"),
        ("script", "gui_script"),
    ),
    "sync": (
        *_QUIETNESS,
        *_SELECTION,
        *_LOCKING,
        *_SCRIPT_SYNC,
        ("all_packages", "package"),
        *_INSTALL_PAIRS,
    ),
    "lock": (
        *_QUIETNESS,
        ("check", "check_exists"),
        ("check", "frozen"),
        ("check", "dry_run"),
        ("check", "upgrade"),
        ("locked", "check_exists"),
        ("locked", "frozen"),
        ("locked", "dry_run"),
        ("locked", "upgrade"),
        ("check_exists", "frozen"),
        ("check_exists", "dry_run"),
        ("frozen", "dry_run"),
    ),
    "export": (
        *_EXPORT,
        ("no_emit_project", "script"),
        ("no_emit_workspace", "script"),
        ("prune", "all_packages"),
        ("script", "all_packages"),
        ("script", "package"),
    ),
    "why": _EXPORT,  # accord's own: export's selection
    "add": (
        *_QUIETNESS,
        *_EDIT_PLACES,
        *(("no_sync", name) for name in _INSTALL_FILTERS),
        *(("frozen", name) for name in _INSTALL_FILTERS),
        ("locked", "frozen"),
        ("locked", "upgrade"),
        ("frozen", "upgrade"),
        ("frozen", "no_sources"),
        ("package", "script"),
        ("script", "workspace"),
        ("editable", "raw"),
        ("raw", "rev"),
        ("raw", "tag"),
        ("raw", "branch"),
        ("rev", "tag"),
        ("rev", "branch"),
        ("tag", "branch"),
        *_INSTALL_PAIRS,
    ),
    "remove": (
        *_QUIETNESS,
        *_EDIT_PLACES,
        ("locked", "frozen"),
        ("locked", "upgrade"),
        ("frozen", "upgrade"),
        ("frozen", "no_sources"),
    ),
}
"""Pairs clap refuses together, by command (``""``: the options before the subcommand)."""

_GLOBAL_OVERRIDES = (
    ("system_certs", "native_tls"),
    ("managed_python", "no_managed_python"),
    ("preview", "no_preview"),
)

_BUILD_OVERRIDES = (
    ("upgrade", "no_upgrade"),
    ("no_build_isolation", "build_isolation"),
    ("no_build", "build"),
    ("no_binary", "binary"),
    ("require_build_hashes", "no_require_build_hashes"),
    ("refresh", "no_refresh"),
)

_SELECTION_OVERRIDES = (
    ("all_extras", "no_all_extras"),
    ("dev", "no_dev"),
    ("no_editable", "editable"),
    ("locked", "no_locked"),
    ("frozen", "no_frozen"),
)

_INSTALL_OVERRIDES = (
    ("active", "no_active"),
    ("reinstall", "no_reinstall"),
    ("compile_bytecode", "no_compile_bytecode"),
    ("exact", "inexact"),
)

_EDIT_OVERRIDES = (
    ("active", "no_active"),
    ("locked", "no_locked"),
    ("frozen", "no_frozen"),
    ("reinstall", "no_reinstall"),
    ("compile_bytecode", "no_compile_bytecode"),
    ("workspace", "no_workspace"),
)

OVERRIDES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "": _GLOBAL_OVERRIDES,
    "run": (*_GLOBAL_OVERRIDES, *_BUILD_OVERRIDES, *_SELECTION_OVERRIDES, *_INSTALL_OVERRIDES),
    "sync": (*_GLOBAL_OVERRIDES, *_BUILD_OVERRIDES, *_SELECTION_OVERRIDES, *_INSTALL_OVERRIDES),
    "lock": (
        *_GLOBAL_OVERRIDES,
        *_BUILD_OVERRIDES,
        # `--no-locked` and `--no-frozen` (hidden) cancel the variables and the flags alike.
        ("check", "no_locked"),
        ("locked", "no_locked"),
        ("check_exists", "no_frozen"),
        ("frozen", "no_frozen"),
    ),
    "export": (
        *_GLOBAL_OVERRIDES,
        *_BUILD_OVERRIDES,
        *_SELECTION_OVERRIDES,
        ("no_hashes", "hashes"),
    ),
    "why": (*_GLOBAL_OVERRIDES, *_BUILD_OVERRIDES, *_SELECTION_OVERRIDES),
    "add": (*_GLOBAL_OVERRIDES, *_BUILD_OVERRIDES, *_EDIT_OVERRIDES),
    "remove": (*_GLOBAL_OVERRIDES, *_BUILD_OVERRIDES, *_EDIT_OVERRIDES),
}
"""Pairs of which the later given on the command line wins (clap's ``overrides_with``); a
pair's member that comes from a variable does not yield to the other: the two conflict."""

SELF_OVERRIDING: Mapping[str, frozenset[str]] = {"lock": frozenset({"check"})}
"""Single options uv lets be given again, the last one winning."""

HIDDEN: Mapping[str, frozenset[str]] = {
    "run": frozenset({"native_tls", "no_active", "max_recursion_depth"}),
    "sync": frozenset({"native_tls", "no_active"}),
    "lock": frozenset({"native_tls", "locked"}),
    "add": frozenset({"no_active"}),
    "remove": frozenset({"no_active"}),
}
"""Arguments uv hides that accord shows in its help (besides those hidden in both)."""

_RESOLVER_HEAD = (
    ("UV_INDEX", "index"),
    ("UV_DEFAULT_INDEX", "default_index"),
    ("UV_INDEX_URL", "index_url"),
    ("UV_EXTRA_INDEX_URL", "extra_index_url"),
    ("UV_FIND_LINKS", "find_links"),
    ("UV_INDEX_STRATEGY", "index_strategy"),
    ("UV_KEYRING_PROVIDER", "keyring_provider"),
    ("UV_RESOLUTION", "resolution"),
    ("UV_PRERELEASE", "prerelease"),
    ("UV_FORK_STRATEGY", "fork_strategy"),
    ("UV_NO_BUILD_ISOLATION", "no_build_isolation"),
    ("UV_EXCLUDE_NEWER", "exclude_newer"),
    ("UV_LINK_MODE", "link_mode"),
)
_COMPILE = (("UV_COMPILE_BYTECODE", "compile_bytecode"),)
_RESOLVER_TAIL = (
    ("UV_NO_SOURCES", "no_sources"),
    ("UV_NO_BUILD", "no_build"),
    ("UV_NO_BINARY", "no_binary"),
)
_GLOBAL_ENV = (
    ("UV_NO_CACHE", "no_cache"),
    ("UV_CACHE_DIR", "cache_dir"),
    ("UV_PYTHON_PREFERENCE", "python_preference"),  # hidden
    ("UV_INSECURE_HOST", "allow_insecure_host"),
    ("UV_WORKING_DIR", "directory"),
    ("UV_PROJECT", "project"),
    ("UV_CONFIG_FILE", "config_file"),
    ("UV_NO_CONFIG", "no_config"),
)
_PYTHON = (("UV_PYTHON", "python"),)
_GROUPS = (("UV_NO_DEFAULT_GROUPS", "no_default_groups"),)

ENV_ARGUMENTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "": _GLOBAL_ENV,
    "run": (
        *_GROUPS,
        ("UV_ENV_FILE", "env_file"),
        *_RESOLVER_HEAD,
        *_COMPILE,
        *_RESOLVER_TAIL,
        ("UV_NO_PROJECT", "no_project"),
        *_PYTHON,
        ("UV_RUN_MAX_RECURSION_DEPTH", "max_recursion_depth"),  # hidden
        *_GLOBAL_ENV,
    ),
    "sync": (*_GROUPS, *_RESOLVER_HEAD, *_COMPILE, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
    "lock": (*_RESOLVER_HEAD, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
    "export": (*_GROUPS, *_RESOLVER_HEAD, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
    "why": (*_GROUPS, *_RESOLVER_HEAD, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
    "add": (*_RESOLVER_HEAD, *_COMPILE, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
    "remove": (*_RESOLVER_HEAD, *_COMPILE, *_RESOLVER_TAIL, *_PYTHON, *_GLOBAL_ENV),
}
"""The arguments clap reads from a variable (``env = ...``), in uv's order of declaration:
each counts as given (after the command line's) when its variable is set and the command
line did not give it. uv reads its other variables (``UV_OFFLINE``, ``UV_FROZEN``) itself."""

GROUPED: Mapping[str, frozenset[str]] = {"add": frozenset({"requirements"})}
"""Options given in place of the required positional argument, named inside its group."""

REQUIRED: Mapping[str, str] = {
    "add": "<PACKAGES|--requirements <REQUIREMENTS>>",
    "remove": "<PACKAGES>...",
    "why": "<NAME>",
}
"""The required positional argument (or group) of a command, as the usage line shows it."""
