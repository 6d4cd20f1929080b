"""From the parsed options to the settings of one command and its ``RunRequest`` (CLI, slow
path).

Every option is parsed, and every variable read, before any work: an unknown option, a
contradiction or an option accord cannot honour is an error (exit 2) while nothing has been
touched. The options themselves are declared in ``reconciler.cli.options`` and
``reconciler.cli.command_options``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.config_settings import BuildSettings, ConfigSettings
from accord.model.request import LockMode, OutputFormat, RunRequest
from accord.reconciler.cli.refusals import refuse_unsupported
from accord.reconciler.cli.variables import apply_environment, env_flag
from accord.reconciler.errors import UsageError
from accord.reconciler.fastargs import parse_options

__all__ = [
    "DEV",
    "active_option",
    "lock_fields",
    "lock_mode",
    "normalized_names",
    "read_settings",
    "resolve_lock_mode",
    "run_request",
    "warn",
]

DEV = canonicalize_name("dev")
_NAMED_INDEX = re.compile(r"^[A-Za-z0-9_.-]+=(?=.)")


def normalized_names(values: Sequence[str]) -> tuple[NormalizedName, ...]:
    """Repeatable, comma-delimited option values as normalized names."""
    names: list[NormalizedName] = []
    for value in values:
        names.extend(canonicalize_name(part.strip()) for part in value.split(",") if part.strip())
    return tuple(names)


def _index_url(value: str) -> str:
    """``--index name=url`` (uv's named form) → the URL."""
    match = _NAMED_INDEX.match(value)
    return value[match.end() :] if match else value


def warn(message: str) -> None:
    """A ``warning:`` line on stderr, as uv prints it."""
    sys.stderr.write(f"warning: {message}\n")


def lock_mode(ctx: click.Context, options: dict[str, Any]) -> tuple[LockMode, str]:
    """``--locked``/``--frozen`` and ``UV_LOCKED``/``UV_FROZEN`` of ``run``, ``sync``,
    ``export``, ``add`` and ``remove`` (see ``resolve_lock_mode``)."""
    return resolve_lock_mode(
        "--locked" if options["locked"] else None,
        "--frozen" if options["frozen"] else None,
        no_locked=options["no_locked"],
        no_frozen=options["no_frozen"],
    )


def resolve_lock_mode(
    locked: str | None, frozen: str | None, *, no_locked: bool, no_frozen: bool
) -> tuple[LockMode, str]:
    """The lock mode and how to name what asked for it, with uv's precedence: ``locked`` and
    ``frozen`` are the flags given (as spelled: ``--check``, ``--check-exists``...), which
    beat the other variable with a warning; ``no_locked``/``no_frozen`` cancel a variable;
    the two variables alone conflict (two flags are refused by ``reconciler.cli.clap_rules``).

    uv reads the variables itself, not through clap: a variable never conflicts with an
    option, so ``UV_FROZEN=1`` with ``--upgrade`` is a frozen run, the upgrade unused.
    """
    env_locked = not no_locked and bool(env_flag("UV_LOCKED"))
    env_frozen = not no_frozen and bool(env_flag("UV_FROZEN"))
    if frozen and env_locked:
        warn(f"Ignoring `UV_LOCKED` because `{frozen}` was provided")
    if locked and env_frozen:
        warn(f"Ignoring `UV_FROZEN` because `{locked}` was provided")
    if frozen:
        return LockMode.FROZEN, frozen
    if locked:
        return LockMode.LOCKED, locked
    if env_locked and env_frozen:
        raise UsageError(
            "the argument `UV_LOCKED` (environment variable) cannot be used with "
            "`UV_FROZEN` (environment variable)"
        )
    if env_locked:
        return LockMode.LOCKED, "UV_LOCKED=1"
    if env_frozen:
        return LockMode.FROZEN, "UV_FROZEN=1"
    return LockMode.WRITE, "--locked"


def _default_index(ctx: click.Context, options: dict[str, Any]) -> str | None:
    """The default index: ``--default-index`` over ``-i``, then ``UV_DEFAULT_INDEX`` over
    ``UV_INDEX_URL`` (``ACCORD_INDEX_URL`` is read where the indexes are assembled)."""
    for value in (options["default_index"], options["index_url"]):
        if value:
            return _index_url(value)
    for variable in ("UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        value = os.environ.get(variable)
        if value:
            return _index_url(value)
    return None


def _cache(options: dict[str, Any], sources: dict[str, str]) -> str | None:
    """``--cache-dir``/``UV_CACHE_DIR`` and ``--no-cache``: where the cache lives for this run;
    returns the temporary cache of ``--no-cache`` (removed when accord exits).

    ``ACCORD_CACHE_DIR`` is what the stages read; it is only set here when the user asked
    for another cache, so an ordinary run leaves the environment (and the stamp key) alone.
    """
    if options["no_cache"]:
        import atexit
        import shutil
        import tempfile

        path = tempfile.mkdtemp(prefix="accord-no-cache-")
        os.environ["ACCORD_CACHE_DIR"] = path
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        return path
    # --cache-dir wins over both variables; UV_CACHE_DIR itself is read by cachedir (after
    # ACCORD_CACHE_DIR), so a run under it leaves the environment, and the stamp key, alone.
    if options["cache_dir"] and "cache_dir" not in sources:
        os.environ["ACCORD_CACHE_DIR"] = str(Path(options["cache_dir"]).absolute())
    return None


def _merge_globals(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """Global options given before the subcommand (``accord -q run``) merged into its own."""
    parent = ctx.parent
    if parent is None:
        return options
    for name, value in parent.params.items():
        if name not in options or value in (None, False, 0, ()):
            continue
        mine = options[name]
        if name in ("quiet", "verbose"):
            options[name] = mine + value
        elif isinstance(value, tuple):
            options[name] = value + mine
        elif mine in (None, False):
            options[name] = value
    return options


def read_settings(
    ctx: click.Context, options: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The options merged with the global ones and the environment, checked, applied to the
    process (``--directory``, the cache); refuses what accord cannot honour."""
    options = _merge_globals(ctx, options)
    sources: dict[str, str] = {}
    options = apply_environment(ctx, options, sources)
    refuse_unsupported(options, sources)
    from accord.reconciler.console import configure, explain_fast_path

    configure(
        quiet=options["quiet"],
        verbose=options["verbose"],
        color=options["color"],
        show_progress=not options.get("no_progress"),
    )
    if options["verbose"] and ctx.info_name == "run":
        explain_fast_path(ctx.obj["argv"])
    if options["verbose"]:
        from accord.reconciler import console

        if console.served_by is not None:
            console.debug("Run by %s", console.served_by)
    if options["directory"]:
        try:
            os.chdir(options["directory"])
        except OSError as exc:
            raise UsageError(
                f"Cannot change to directory `{options['directory']}`: {exc.strerror}"
            ) from exc
    options["temporary_cache"] = _cache(options, sources)
    return options, sources


def active_option(options: dict[str, Any]) -> bool | None:
    """``--active`` (True) or ``--no-active`` (False): the later given wins, the other is off
    by then (``clap_rules``); None when neither was given."""
    if options.get("active"):
        return True
    return False if options.get("no_active") else None


def _project(value: str | None) -> Path | None:
    if value is None:
        return None
    project_path = Path(value)
    if project_path.name == "pyproject.toml":
        project_path = project_path.parent
    if not project_path.exists():
        raise UsageError(f"Project directory `{value}` does not exist")
    if not project_path.is_dir():
        raise UsageError(f"Project path `{value}` is not a directory")
    return project_path.absolute()


def _options_key(ctx: click.Context, command: tuple[str, ...]) -> tuple[str, ...]:
    """The sync-affecting options as given, for the stamp: the fast path's own reading of
    them when it can read them, else every token (a key the fast path never computes)."""
    argv = list(ctx.obj["argv"])
    if argv and argv[0] == ctx.info_name:
        parsed = parse_options(argv[1:], allow_command=bool(command))
        if parsed is not None:
            return tuple(parsed[0])
    return ("<not on the fast path>", *argv[: len(argv) - len(command)])


def _config_settings(options: dict[str, Any]) -> BuildSettings:
    """``-C KEY=VALUE`` and ``--config-settings-package PACKAGE:KEY=VALUE``, parsed by their
    option types, gathered as uv gathers them."""
    entries: dict[NormalizedName, list[tuple[str, str]]] = {}
    for name, key, setting in options.get("config_settings_package") or ():
        entries.setdefault(name, []).append((key, setting))
    return BuildSettings(
        common=ConfigSettings.from_entries(options.get("config_setting") or ()),
        packages=tuple(
            (name, ConfigSettings.from_entries(pairs)) for name, pairs in sorted(entries.items())
        ),
    )


def lock_fields(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """The RunRequest fields the shared lock options set (run, sync and lock alike)."""
    prerelease = options["prerelease"] or ("allow" if options["pre"] else None)
    return {
        "project": _project(options["project"]),
        "python": options["python"],
        "upgrade": options["upgrade"] and not options["no_upgrade"],
        "upgrade_packages": normalized_names(options["upgrade_package"]),
        "default_index": _default_index(ctx, options),
        "extra_index_urls": tuple(
            _index_url(url) for url in (*options["index"], *options["extra_index_url"])
        ),
        "find_links": tuple(options["find_links"]),
        "offline": options["offline"],
        "refresh": (options["refresh"] or bool(options["refresh_package"]))
        and not options["no_refresh"],
        "resolution": options["resolution"],
        "prerelease": prerelease,
        "prerelease_package": tuple(options["prerelease_package"]),
        "exclude_newer": options["exclude_newer"] or None,
        "no_build_isolation": options["no_build_isolation"] and not options["build_isolation"],
        "no_index": options["no_index"],
        "fork_strategy": options["fork_strategy"],
        "index_strategy": options["index_strategy"],
        "config_settings": _config_settings(options),
        "no_sources": options["no_sources"],
        "no_sources_packages": normalized_names(options["no_sources_package"]),
        "no_build": options["no_build"] and not options["build"],
        "no_build_packages": normalized_names(options["no_build_package"]),
        "no_binary": options["no_binary"] and not options["binary"],
        "no_binary_packages": normalized_names(options["no_binary_package"]),
        "no_config": bool(options["no_config"]),
        "config_file": Path(options["config_file"]).absolute() if options["config_file"] else None,
        "settings_from": _project(options["project"]),
        "quiet": options["quiet"],
        "verbose": options["verbose"],
    }


def run_request(
    ctx: click.Context, command: tuple[str, ...], options: dict[str, Any], *, exact: bool
) -> RunRequest:
    """The request of ``run`` and ``sync``: the lock mode, the selection and the install
    options, checked, with the fields the lock options set."""
    mode, locked_flag = lock_mode(ctx, options)
    if options["check"] and not options["dry_plan"]:
        raise UsageError("`--check` only makes sense with `--dry-plan`")
    only_groups = normalized_names(options["only_group"]) + ((DEV,) if options["only_dev"] else ())
    extras = normalized_names(options["extra"])
    all_extras = options["all_extras"] and not options["no_all_extras"]
    no_dev = options["no_dev"] and not options["dev"]
    # `--dev` only cancels `--no-dev`/UV_NO_DEV: `dev` is a default group, and uv accepts
    # `--dev` in a project that defines no `dev` group.
    groups = normalized_names(options["group"])
    no_groups = normalized_names(options["no_group"]) + ((DEV,) if no_dev else ())
    return RunRequest.of(
        command=command,
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        dry_plan=options["dry_plan"],
        output_format=OutputFormat(options["output_format"] or "text"),
        check=options["check"],
        exact=exact,
        extras=extras,
        all_extras=all_extras,
        groups=groups,
        only_groups=only_groups,
        no_groups=no_groups,
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        reinstall=options["reinstall"] and not options["no_reinstall"],
        reinstall_packages=normalized_names(options["reinstall_package"]),
        verify=options["verify"],
        **lock_fields(ctx, options),
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
        compile_bytecode=options["compile_bytecode"] and not options["no_compile_bytecode"],
        active=active_option(options),
        options_key=_options_key(ctx, command),
    )
