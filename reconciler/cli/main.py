"""The command line (slow path): options → a ``RunRequest`` → the pipeline → execute.

Every option is parsed, and every variable read, before any work: an unknown option, a
contradiction or an option accord cannot honour is an error (exit 2) while nothing has been
touched. The options themselves are declared in ``reconciler.cli.options`` and
``reconciler.cli.command_options``.

This is the only place that prints errors and the only broad catch: an ``AccordError``
prints ``error:``/``hint:`` and exits with its code; click's usage errors are worded as uv
(clap) words them; anything else is a bug in accord (traceback, exit 2). Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import attrs
import click
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.request import LockMode, OutputFormat, RunRequest
from accord.reconciler.cli import command_options
from accord.reconciler.cli.refusals import (
    refuse_unsupported,
    refuse_unsupported_edit,
    refuse_unsupported_export,
    refuse_unsupported_sync,
)
from accord.reconciler.cli.variables import apply_environment, env_flag
from accord.reconciler.errors import AccordError, ExitCode, ProjectNotFound, UsageError
from accord.reconciler.fastpath import parse_options

__all__ = ["main"]

_DEV = canonicalize_name("dev")
_NAMED_INDEX = re.compile(r"^[A-Za-z0-9_.-]+=(?=.)")


def _names(values: Sequence[str]) -> tuple[NormalizedName, ...]:
    """Repeatable, comma-delimited option values as normalized names."""
    names: list[NormalizedName] = []
    for value in values:
        names.extend(canonicalize_name(part.strip()) for part in value.split(",") if part.strip())
    return tuple(names)


def _index_url(value: str) -> str:
    """``--index name=url`` (uv's named form) → the URL."""
    match = _NAMED_INDEX.match(value)
    return value[match.end() :] if match else value


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def _position(argv: Sequence[str], *spellings: str) -> int:
    for index, token in enumerate(argv):
        if token.split("=", 1)[0] in spellings:
            return index
    return len(argv)


def _lock_mode(ctx: click.Context, options: dict[str, Any]) -> tuple[LockMode, str]:
    """``--locked``/``--frozen`` and ``UV_LOCKED``/``UV_FROZEN``, with uv's precedence: a flag
    beats the other variable (with a warning); two flags, or two variables, conflict."""
    locked, frozen = options["locked"], options["frozen"]
    if locked and frozen:
        argv = ctx.obj["argv"]
        first, second = (
            ("--locked", "--frozen")
            if _position(argv, "--locked") < _position(argv, "--frozen")
            else ("--frozen", "--locked")
        )
        raise UsageError(f"the argument '{first}' cannot be used with '{second}'")
    env_locked = not options["no_locked"] and bool(env_flag("UV_LOCKED"))
    env_frozen = not options["no_frozen"] and bool(env_flag("UV_FROZEN"))
    if frozen and env_locked:
        _warn("Ignoring `UV_LOCKED` because `--frozen` was provided")
    if locked and env_frozen:
        _warn("Ignoring `UV_FROZEN` because `--locked` was provided")
    if not (locked or frozen):
        if env_locked and env_frozen:
            raise UsageError(
                "the argument `UV_LOCKED` (environment variable) cannot be used with "
                "`UV_FROZEN` (environment variable)"
            )
        if env_locked:
            return LockMode.LOCKED, "UV_LOCKED=1"
        if env_frozen:
            return LockMode.FROZEN, "--frozen"
    if frozen:
        return LockMode.FROZEN, "--frozen"
    if locked:
        return LockMode.LOCKED, "--locked"
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


def _settings(ctx: click.Context, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The options merged with the global ones and the environment, checked, applied to the
    process (``--directory``, the cache); refuses what accord cannot honour."""
    options = _merge_globals(ctx, options)
    sources: dict[str, str] = {}
    options = apply_environment(ctx, options, sources)
    refuse_unsupported(options, sources)
    if options.get("package") and options.get("all_packages"):
        raise UsageError("the argument '--package' cannot be used with '--all-packages'")
    if options.get("package") and options.get("no_project"):
        raise UsageError("the argument '--package' cannot be used with '--no-project'")
    if options["quiet"] and options["verbose"]:
        raise UsageError("the argument '--quiet...' cannot be used with '--verbose...'")
    from accord.reconciler.console import configure, explain_fast_path

    configure(quiet=options["quiet"], verbose=options["verbose"], color=options["color"])
    if options["verbose"] and ctx.info_name == "run":
        explain_fast_path(ctx.obj["argv"])
    if options["directory"]:
        try:
            os.chdir(options["directory"])
        except OSError as exc:
            raise UsageError(
                f"Cannot change to directory `{options['directory']}`: {exc.strerror}"
            ) from exc
    options["temporary_cache"] = _cache(options, sources)
    return options, sources


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


def _lock_fields(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """The RunRequest fields the shared lock options set (run, sync and lock alike)."""
    prerelease = options["prerelease"] or ("allow" if options["pre"] else None)
    return {
        "project": _project(options["project"]),
        "python": options["python"],
        "upgrade": options["upgrade"] and not options["no_upgrade"],
        "upgrade_packages": _names(options["upgrade_package"]),
        "default_index": _default_index(ctx, options),
        "extra_index_urls": tuple(
            _index_url(url) for url in (*options["index"], *options["extra_index_url"])
        ),
        "offline": options["offline"],
        "refresh": (options["refresh"] or bool(options["refresh_package"]))
        and not options["no_refresh"],
        "resolution": options["resolution"],
        "prerelease": prerelease,
        "exclude_newer": options["exclude_newer"] or None,
        "no_build_isolation": options["no_build_isolation"] and not options["build_isolation"],
        "no_index": options["no_index"],
        "fork_strategy": options["fork_strategy"],
        "no_build": options["no_build"] and not options["build"],
        "no_build_packages": _names(options["no_build_package"]),
        "no_binary": options["no_binary"] and not options["binary"],
        "no_binary_packages": _names(options["no_binary_package"]),
        "no_config": bool(options["no_config"]),
        "config_file": Path(options["config_file"]).absolute() if options["config_file"] else None,
        "quiet": options["quiet"],
        "verbose": options["verbose"],
    }


def _request(
    ctx: click.Context, command: tuple[str, ...], options: dict[str, Any], *, exact: bool
) -> RunRequest:
    mode, locked_flag = _lock_mode(ctx, options)
    if mode is LockMode.FROZEN and (options["upgrade"] or options["upgrade_package"]):
        raise UsageError("the argument '--upgrade' cannot be used with '--frozen'")
    if options["check"] and not options["dry_plan"]:
        raise UsageError("`--check` only makes sense with `--dry-plan`")
    only_groups = _names(options["only_group"]) + ((_DEV,) if options["only_dev"] else ())
    extras = _names(options["extra"])
    all_extras = options["all_extras"] and not options["no_all_extras"]
    if only_groups and (extras or all_extras):
        raise UsageError("`--only-group` cannot be used with `--extra` or `--all-extras`")
    no_dev = options["no_dev"] and not options["dev"]
    # `--dev` only cancels `--no-dev`/UV_NO_DEV: `dev` is a default group, and uv accepts
    # `--dev` in a project that defines no `dev` group.
    groups = _names(options["group"])
    no_groups = _names(options["no_group"]) + ((_DEV,) if no_dev else ())
    return RunRequest(
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
        reinstall_packages=_names(options["reinstall_package"]),
        verify=options["verify"],
        **_lock_fields(ctx, options),
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
        compile_bytecode=options["compile_bytecode"] and not options["no_compile_bytecode"],
        options_key=_options_key(ctx, command),
    )


def _script_target(command: tuple[str, ...], kind: Any) -> Path | None:
    """The script to run in its own environment: a .py/.pyw file (or any file under
    --script/--gui-script) whose text has a PEP 723 ``# /// script`` block."""
    from accord.reconciler.run.execute import CommandKind

    if not command or kind is CommandKind.MODULE:
        return None
    path = Path(command[0])
    forced = kind in (CommandKind.SCRIPT, CommandKind.GUI_SCRIPT)
    if not (forced or command[0].lower().endswith((".py", ".pyw"))) or not path.is_file():
        return None
    try:
        with path.open("rb") as stream:
            has_block = b"# /// script" in stream.read()
    except OSError:
        return None
    return path.absolute() if has_block else None


def _print_commands(venv: Path | None) -> None:
    click.echo(
        "Provide a command or script to invoke with `accord run <command>` or "
        "`accord run <script>.py`.\n"
    )
    names = []
    if venv is not None and (venv / "bin").is_dir():
        names = sorted(
            entry
            for entry in os.listdir(venv / "bin")
            if not entry.startswith(("activate", "deactivate"))
        )
    click.echo("The following commands are available in the environment:\n")
    for name in names:
        click.echo(f"- {name}")
    click.echo("\nSee `accord run --help` for more information.")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(f"accord {version('accord')}")
    ctx.exit(0)


_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=_CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show accord's version.",
)
@command_options.global_options
def accord(**_options: Any) -> None:
    """Run commands in a Python project's environment, reconciled from uv.lock."""


def _uv_exact_conflict(options: dict[str, Any]) -> None:
    if options["exact"] and options["inexact"]:
        raise UsageError("the argument '--exact' cannot be used with '--inexact'")


@accord.command(context_settings={**_CONTEXT, "allow_interspersed_args": False})
@command_options.run_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def run(ctx: click.Context, /, command: tuple[str, ...], **options: Any) -> None:
    """Sync the environment with the lock, then run COMMAND in it."""
    from accord.reconciler.run.execute import (
        CommandKind,
        build_environment,
        check_strict,
        execute,
        load_env_files,
        resolve_command,
    )
    from accord.reconciler.run.pipeline import sync

    options, _sources = _settings(ctx, options)
    _uv_exact_conflict(options)
    given = command
    if options["code"] is not None:
        command = ("-c", options["code"], *command)  # accord's own: `accord run -c CODE`
    forced = [flag for flag in ("module", "script", "gui_script") if options[flag]]
    if len(forced) > 1:
        raise UsageError("`--module`, `--script` and `--gui-script` exclude each other")
    kind = CommandKind(forced[0].replace("_", "-")) if forced else CommandKind.AUTO
    if kind is not CommandKind.AUTO and not command:
        raise UsageError(f"`--{kind.value}` needs a command")
    max_depth = options["max_recursion_depth"]
    max_depth = 100 if max_depth is None else max_depth
    # The recursion guard comes first: a self-calling shebang script must stop before syncing.
    build_environment(None, max_depth=max_depth)
    from accord.reconciler.run.cached import split_with

    request = _request(ctx, given, options, exact=options["exact"])
    request = attrs.evolve(
        request,
        command=command,
        no_project=options["no_project"],
        no_sync=options["no_sync"],
        isolated=options["isolated"],
        with_requirements=tuple(split_with(options["with_"])),
        with_files=tuple(Path(f) for f in options["with_requirements"]),
        with_editables=tuple(Path(p).absolute() for p in options["with_editable"]),
        script=_script_target(command, kind),
    )
    if request.verify:
        other = (
            "a PEP 723 script"
            if request.script is not None
            else "`--with`"
            if request.with_requirements or request.with_files or request.with_editables
            else "`--no-project`"
            if request.no_project
            else "`--no-sync`"
            if request.no_sync
            else None
        )
        if other is not None:
            # Verification covers the project environment only; never silently skipped.
            raise UsageError(
                f"`--verify` cannot be used with {other}: it checks the project environment",
                hint="run `accord sync --verify` for the project, then the command",
            )
    env_files = [] if options["no_env_file"] else [Path(f) for f in options["env_file"]]
    # Env files are read before anything changes, so a missing one leaves all as it was.
    extra = load_env_files(env_files, os.environ) if env_files else {}
    outcome = sync(request)
    if outcome.dry_plan:
        sys.exit(ExitCode.FAILURE if request.check and not outcome.plan_is_empty else 0)
    if not command:
        _print_commands(outcome.venv)
        sys.exit(ExitCode.ERROR)
    temporary_cache = options["temporary_cache"]
    if temporary_cache is not None:
        os.environ.pop("ACCORD_CACHE_DIR", None)  # the command must not see the temporary one
    env = build_environment(
        outcome.venv, max_depth=max_depth, extra=extra, extra_bins=outcome.extra_bins
    )
    argv = resolve_command(command, outcome.python, env, outcome.venv, kind=kind)
    if options["strict"] or outcome.strict:
        check_strict(argv, command, outcome.venv)
    # --no-cache: the temporary cache is removed when accord exits, so accord must outlive
    # the command (and a cached environment the command runs in lives in that cache).
    no_exec = options["no_exec"] or temporary_cache is not None
    sys.exit(execute(argv, env, no_exec=no_exec))


@accord.command(context_settings=_CONTEXT)
@command_options.sync_options
@click.pass_context
def sync(ctx: click.Context, /, **options: Any) -> None:
    """Make the project's environment match its lock (exactly, as `uv sync` does)."""
    from accord.reconciler.run.pipeline import sync as sync_environment

    options, _sources = _settings(ctx, options)
    refuse_unsupported_sync(options)
    if options["exact"] and options["inexact"]:
        raise UsageError("the argument '--exact' cannot be used with '--inexact'")
    # uv's --check and --dry-run change nothing, and say what would change in uv's words.
    uv_dry_run = bool(options["check"] or options["dry_run"]) and not options["dry_plan"]
    if uv_dry_run:
        options["dry_plan"] = True
    request = _request(ctx, (), options, exact=not options["inexact"])
    script = options["script"]
    request = attrs.evolve(
        request,
        require_project=script is None,
        uv_summary=not request.dry_plan or uv_dry_run,
        uv_dry_run=uv_dry_run and script is None,
        script=Path(script).absolute() if script else None,
    )
    outcome = sync_environment(request)
    if outcome.dry_plan and options["check"] and _outdated(outcome.plan, request):
        raise _Outdated()
    if outcome.dry_plan:
        sys.exit(0)


def _outdated(plan: Any, request: RunRequest) -> bool:
    """``--check`` fails when the environment would change (a lock rewrite alone passes, as
    in uv); accord's own ``--dry-plan --check`` fails on any change."""
    from accord.model.uv_dry_run import environment_outdated

    if plan is None:
        return False
    return environment_outdated(plan) if request.uv_dry_run else not plan.is_empty


class _Outdated(AccordError):
    exit_code = ExitCode.FAILURE

    def __init__(self) -> None:
        super().__init__("The environment is outdated; run `accord sync` to update the environment")


@accord.command("lock", context_settings=_CONTEXT)
@command_options.lock_command_options
@click.pass_context
def lock_command(ctx: click.Context, /, **options: Any) -> None:
    """Create or update the project's uv.lock (or a script's lock, with --script)."""
    import time

    from accord.model.plan import WriteLock
    from accord.reconciler.lock.write import write_lock
    from accord.reconciler.run.lock import lock_target

    started = time.perf_counter()
    options, _sources = _settings(ctx, options)
    if options["check"] and options["check_exists"]:
        raise UsageError("the argument '--check' cannot be used with '--check-exists'")
    checking = options["check"] or options["locked"]
    mode = LockMode.LOCKED if checking else LockMode.WRITE
    if options["check_exists"]:
        mode = LockMode.FROZEN
    request = RunRequest(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag="--check" if options["check"] else "--locked",
        **_lock_fields(ctx, options),
        script=Path(options["script"]).absolute() if options["script"] else None,
    )
    if request.script is None:
        from accord.reconciler.project.discover import find_pyproject

        start = Path(request.project) if request.project is not None else Path.cwd()
        if find_pyproject(start) is None:
            raise ProjectNotFound(
                "No `pyproject.toml` found in current directory or any parent directory"
            )
    lock, action, path = lock_target(request)
    if options["check_exists"]:
        _warn(
            f"The lockfile at `{os.path.relpath(path)}` was only checked for validity, not "
            "whether it is up-to-date, because `--check-exists` was provided; use `--check` "
            "instead"
        )
    shown = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    if not options["quiet"]:
        elapsed = (time.perf_counter() - started) * 1000
        count = len(lock.packages)
        noun = "package" if count == 1 else "packages"
        click.echo(f"Resolved {count} {noun} in {elapsed:.0f}ms", err=True)
    if not isinstance(action, WriteLock):
        return
    from accord.model.lock import lock_changes
    from accord.reconciler.console import debug
    from accord.reconciler.lock.read import read_existing_lock

    # What changed, in uv's words (`Updated pkg v1.0 -> v1.1`); the reason under -v.
    _, previous = read_existing_lock(path)
    changes = lock_changes(previous, action.lock, planned=options["dry_run"])
    if options["dry_run"]:
        debug("Would write %s: %s", shown, action.reason)
        for line in changes:
            click.echo(line, err=True)
        return
    write_lock(action.lock, path)
    debug("Wrote %s: %s", shown, action.reason)
    if not options["quiet"]:
        for line in changes:
            click.echo(line, err=True)


@accord.command("export", context_settings=_CONTEXT)
@command_options.export_options
@click.pass_context
def export_command(ctx: click.Context, /, **options: Any) -> None:
    """Export the lock as requirements.txt or pylock.toml (as `uv export` does)."""
    import time

    from accord.reconciler.run.export import (
        ExportOptions,
        export_lock,
        header_command,
        output_format,
        read_project_lock,
    )

    started = time.perf_counter()
    options, _sources = _settings(ctx, options)
    refuse_unsupported_export(options)
    mode, locked_flag = _lock_mode(ctx, options)
    extras = _names(options["extra"])
    all_extras = options["all_extras"] and not options["no_all_extras"]
    only_groups = _names(options["only_group"]) + ((_DEV,) if options["only_dev"] else ())
    if only_groups and (extras or all_extras):
        raise UsageError("`--only-group` cannot be used with `--extra` or `--all-extras`")
    no_dev = options["no_dev"] and not options["dev"]
    request = RunRequest(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        extras=extras,
        all_extras=all_extras,
        groups=_names(options["group"]),
        only_groups=only_groups,
        no_groups=_names(options["no_group"]) + ((_DEV,) if no_dev else ()),
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        **_lock_fields(ctx, options),
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
    )
    export = ExportOptions(
        format=output_format(options["export_format"], options["output_file"]),
        hashes=not options["no_hashes"] or options["hashes"],
        header=not options["no_header"],
        annotate=not options["no_annotate"],
        command=header_command(ctx.obj["argv"]),
    )
    project, lock, resolved = read_project_lock(request)
    if resolved is not None and not options["quiet"]:
        elapsed = (time.perf_counter() - started) * 1000
        noun = "package" if resolved == 1 else "packages"
        click.echo(f"Resolved {resolved} {noun} in {elapsed:.0f}ms", err=True)
    text = export_lock(project, lock, request, export)
    if options["output_file"]:
        from accord.reconciler.fsutil import write_atomic

        write_atomic(Path(options["output_file"]), text)
    if not (options["quiet"] and options["output_file"]):
        sys.stdout.write(text)


@accord.command("why", context_settings=_CONTEXT)
@command_options.why_options
@click.argument("name")
@click.pass_context
def why_command(ctx: click.Context, /, name: str, **options: Any) -> None:
    """Show the requirement chains that bring NAME into the environment (shortest first)."""
    from accord.model.why import render_chain
    from accord.reconciler.run.why import why_chains

    options, _sources = _settings(ctx, options)
    mode, locked_flag = _lock_mode(ctx, options)
    only_groups = _names(options["only_group"]) + ((_DEV,) if options["only_dev"] else ())
    no_dev = options["no_dev"] and not options["dev"]
    request = RunRequest(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        extras=_names(options["extra"]),
        all_extras=options["all_extras"] and not options["no_all_extras"],
        groups=_names(options["group"]),
        only_groups=only_groups,
        no_groups=_names(options["no_group"]) + ((_DEV,) if no_dev else ()),
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        **_lock_fields(ctx, options),
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
    )
    for chain in why_chains(request, name):
        click.echo(render_chain(chain))


def _edit(
    ctx: click.Context, packages: tuple[str, ...], options: dict[str, Any], name: str
) -> None:
    """``accord add``/``remove``: the options checked, then ``reconciler.run.edit``."""
    from accord.model.edit import BoundKind
    from accord.reconciler.project.edit import DependencyKind, DependencyPlace
    from accord.reconciler.run import edit as edit_command

    options, _sources = _settings(ctx, options)
    refuse_unsupported_edit(options, name)
    mode, locked_flag = _lock_mode(ctx, options)
    if options["dev"]:
        place = DependencyPlace(DependencyKind.DEV)
    elif options["optional"]:
        place = DependencyPlace(DependencyKind.OPTIONAL, canonicalize_name(options["optional"]))
    elif options["group"]:
        place = DependencyPlace(DependencyKind.GROUP, canonicalize_name(options["group"]))
    else:
        place = DependencyPlace(DependencyKind.PRODUCTION)
    request = RunRequest(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        reinstall=options["reinstall"] and not options["no_reinstall"],
        reinstall_packages=_names(options["reinstall_package"]),
        compile_bytecode=options["compile_bytecode"] and not options["no_compile_bytecode"],
        **_lock_fields(ctx, options),
    )
    edit = edit_command.EditRequest(
        packages=packages,
        place=place,
        raw=bool(options.get("raw")),
        bounds=BoundKind(options["bounds"]) if options.get("bounds") else None,
        extras=_names(options.get("extra") or ()),
        no_sync=options["no_sync"],
        script=Path(options["script"]).absolute() if options["script"] else None,
    )
    (edit_command.add if name == "add" else edit_command.remove)(request, edit)


@accord.command("add", context_settings=_CONTEXT)
@command_options.add_options
@click.argument("packages", nargs=-1, required=True)
@click.pass_context
def add_command(ctx: click.Context, /, packages: tuple[str, ...], **options: Any) -> None:
    """Add dependencies to the project (or a script), then lock and sync (as `uv add`)."""
    _edit(ctx, packages, options, "add")


@accord.command("remove", context_settings=_CONTEXT)
@command_options.remove_options
@click.argument("packages", nargs=-1, required=True)
@click.pass_context
def remove_command(ctx: click.Context, /, packages: tuple[str, ...], **options: Any) -> None:
    """Remove dependencies from the project (or a script), then lock and sync (as `uv remove`)."""
    _edit(ctx, packages, options, "remove")


@accord.command("help", context_settings=_CONTEXT)
@click.argument("names", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, /, names: tuple[str, ...]) -> None:
    """Show the help of accord or of one of its commands."""
    group = ctx.parent.command if ctx.parent is not None else accord
    assert isinstance(group, click.Group)
    target: click.Command = group
    path = "accord"
    for name in names:
        found = group.get_command(ctx, name) if target is group else None
        if found is None:
            commands = "\n".join(f"    {c}" for c in group.list_commands(ctx) if c != "help")
            raise UsageError(
                f"There is no command `{name}` for `accord`. Did you mean one of:\n{commands}"
            )
        target, path = found, f"{path} {name}"
    with click.Context(target, info_name=path, max_content_width=100) as sub:
        click.echo(target.get_help(sub))


def _fail(error: AccordError) -> NoReturn:
    from accord.reconciler.console import console

    text = f"error: {error.message}\n"
    if error.hint:
        text += f"hint: {error.hint}\n"
    console().error(text)
    sys.exit(int(error.exit_code))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI on ``argv`` (default: ``sys.argv[1:]``) and exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        accord.main(args=args, prog_name="accord", standalone_mode=False, obj={"argv": args})
    except AccordError as error:
        _fail(error)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        from accord.reconciler.cli.usage import show_usage_error
        from accord.reconciler.console import console

        console().errors_only()
        show_usage_error(exc, args, accord)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        from accord.reconciler.console import console

        console().error(f"error: {exc.format_message()}\n")
        sys.exit(ExitCode.ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:
        # The machine's fault, not accord's (a full disk, a read-only file system, a
        # permission): said in words, naming the path, without a traceback.
        from accord.reconciler.errors import FilesystemError

        _fail(FilesystemError.from_os_error(exc))
    except BaseException:
        import traceback  # only for a bug: importing it costs ~9 ms on every slow run

        from accord.reconciler.console import console

        console().errors_only()
        traceback.print_exc()
        sys.stderr.write(
            "error: this is a bug in accord; please report it with the traceback above\n"
        )
        sys.exit(ExitCode.ERROR)
    sys.exit(0)
