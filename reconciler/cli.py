"""The command line (slow path): click options → a ``RunRequest`` → the pipeline → execute.

This is the only place that prints errors and the only broad catch: an ``AccordError``
prints ``error:``/``hint:`` and exits with its code; anything else is a bug in accord
(traceback, exit 2). Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import attrs
import click
from packaging.utils import NormalizedName, canonicalize_name

from model.request import LockMode, OutputFormat, RunRequest
from model.uv_settings import PRERELEASE_MODES, RESOLUTION_MODES
from reconciler.errors import AccordError, ExitCode, UsageError
from reconciler.fastpath import parse_options

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def _names(values: Sequence[str]) -> tuple[NormalizedName, ...]:
    """Repeatable, comma-delimited option values as normalized names."""
    names: list[NormalizedName] = []
    for value in values:
        names.extend(canonicalize_name(part.strip()) for part in value.split(",") if part.strip())
    return tuple(names)


def _lock_options(function: F) -> F:
    """Options that decide how the lock is made (shared by run, sync and lock)."""
    options = [
        click.option("-U", "--upgrade", is_flag=True, help="Ignore the lock's versions."),
        click.option(
            "-P", "--upgrade-package", multiple=True, help="Let this package move (repeatable)."
        ),
        click.option(
            "-i",
            "--index-url",
            "--default-index",
            "default_index",
            help="The default package index (else ACCORD_INDEX_URL, [[tool.uv.index]], PyPI).",
        ),
        click.option(
            "--extra-index-url",
            "--index",
            "extra_index_urls",
            multiple=True,
            help="An index searched before the default one (repeatable).",
        ),
        click.option(
            "--no-build-isolation",
            is_flag=True,
            help="Build source packages with the target interpreter's own packages.",
        ),
        click.option(
            "--offline",
            is_flag=True,
            envvar="ACCORD_OFFLINE",
            help="Use the cache only; never the network.",
        ),
        click.option("--refresh", is_flag=True, help="Revalidate every cached index page."),
        click.option(
            "--resolution",
            type=click.Choice(RESOLUTION_MODES),
            envvar=["ACCORD_RESOLUTION", "UV_RESOLUTION"],
            help="highest, lowest or lowest-direct (over tool.uv.resolution).",
        ),
        click.option(
            "--prerelease",
            type=click.Choice(PRERELEASE_MODES),
            envvar=["ACCORD_PRERELEASE", "UV_PRERELEASE"],
            help="When pre-releases are candidates (over tool.uv.prerelease).",
        ),
        click.option(
            "--exclude-newer",
            envvar=["ACCORD_EXCLUDE_NEWER", "UV_EXCLUDE_NEWER"],
            help="Only files uploaded before this date, time or span (over tool.uv).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _lock_fields(options: dict[str, Any]) -> dict[str, Any]:
    """The RunRequest fields the shared lock options set (run, sync and lock alike)."""
    return {
        "upgrade": options["upgrade"],
        "upgrade_packages": _names(options["upgrade_package"]),
        "default_index": options["default_index"],
        "extra_index_urls": tuple(options["extra_index_urls"]),
        "offline": options["offline"],
        "refresh": options["refresh"],
        "resolution": options["resolution"],
        "prerelease": options["prerelease"],
        "exclude_newer": options["exclude_newer"] or None,
    }


def _sync_options(function: F) -> F:
    function = _lock_options(function)
    options = [
        click.option("--frozen", is_flag=True, help="Use uv.lock as it is, without checking it."),
        click.option("--locked", is_flag=True, help="Fail unless uv.lock is up to date."),
        click.option("--dry-plan", is_flag=True, help="Print the plan; change nothing."),
        click.option(
            "--format",
            "output_format",
            type=click.Choice(["text", "json"]),
            default="text",
            help="Plan output format (with --dry-plan).",
        ),
        click.option(
            "--check", is_flag=True, help="With --dry-plan: exit 1 if the plan is not empty."
        ),
        click.option("-p", "--python", help="Interpreter: a version, a path, or a name."),
        click.option("--project", type=click.Path(), help="Find the project from this directory."),
        click.option("--directory", type=click.Path(), help="Change to this directory first."),
        click.option("--exact", is_flag=True, help="Remove packages the lock does not ask for."),
        click.option("--extra", multiple=True, help="Include an extra (repeatable, comma lists)."),
        click.option("--all-extras", is_flag=True, help="Include every extra."),
        click.option("--group", multiple=True, help="Include a dependency group."),
        click.option(
            "--only-group", multiple=True, help="Only this group, no project dependencies."
        ),
        click.option("--no-group", multiple=True, help="Exclude a dependency group."),
        click.option("--all-groups", is_flag=True, help="Include every dependency group."),
        click.option("--no-dev", is_flag=True, help="Exclude the `dev` group."),
        click.option("--no-default-groups", is_flag=True, help="Ignore tool.uv.default-groups."),
        click.option("--reinstall", is_flag=True, help="Reinstall every package."),
        click.option("--reinstall-package", multiple=True, help="Reinstall this package."),
        click.option("--no-project", is_flag=True, help="Ignore any project; run as is."),
        click.option("--package", help="Run in the context of this workspace member."),
        click.option("--all-packages", is_flag=True, help="Install every workspace member."),
        click.option("-q", "--quiet", count=True, help="Print less."),
        click.option("-v", "--verbose", count=True, help="Print more."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _request(argv: Sequence[str], command: tuple[str, ...], **options: Any) -> RunRequest:
    if options["package"] and options["all_packages"]:
        raise UsageError("the argument '--package' cannot be used with '--all-packages'")
    if options["package"] and options["no_project"]:
        raise UsageError("the argument '--package' cannot be used with '--no-project'")
    if options["frozen"] and options["locked"]:
        raise UsageError("the argument '--locked' cannot be used with '--frozen'")
    if options["frozen"] and (options["upgrade"] or options["upgrade_package"]):
        raise UsageError("the argument '--upgrade' cannot be used with '--frozen'")
    if options["check"] and not options["dry_plan"]:
        raise UsageError("`--check` only makes sense with `--dry-plan`")
    if options["only_group"] and (options["extra"] or options["all_extras"]):
        raise UsageError("`--only-group` cannot be used with `--extra` or `--all-extras`")
    if options["directory"]:
        try:
            os.chdir(options["directory"])
        except OSError as exc:
            raise UsageError(
                f"Cannot change to directory `{options['directory']}`: {exc.strerror}"
            ) from exc
    project = options["project"]
    if project is not None:
        project_path = Path(project)
        if project_path.name == "pyproject.toml":
            project_path = project_path.parent
        if not project_path.exists():
            raise UsageError(f"Project directory `{project}` does not exist")
        if not project_path.is_dir():
            raise UsageError(f"Project path `{project}` is not a directory")
        project = project_path.absolute()
    mode = (
        LockMode.FROZEN
        if options["frozen"]
        else LockMode.LOCKED
        if options["locked"]
        else LockMode.WRITE
    )
    no_groups = _names(options["no_group"]) + (
        (canonicalize_name("dev"),) if options["no_dev"] else ()
    )
    parsed = parse_options(list(argv[1:]), allow_command=bool(command))
    return RunRequest(
        command=command,
        cwd=Path.cwd(),
        project=project,
        python=options["python"],
        lock_mode=mode,
        dry_plan=options["dry_plan"],
        output_format=OutputFormat(options["output_format"]),
        check=options["check"],
        exact=options["exact"],
        extras=_names(options["extra"]),
        all_extras=options["all_extras"],
        groups=_names(options["group"]),
        only_groups=_names(options["only_group"]),
        no_groups=no_groups,
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        no_project=options["no_project"],
        reinstall=options["reinstall"],
        reinstall_packages=_names(options["reinstall_package"]),
        **_lock_fields(options),
        no_build_isolation=options["no_build_isolation"],
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
        quiet=options["quiet"],
        verbose=options["verbose"],
        options_key=tuple(parsed[0]) if parsed is not None else ("<not on the fast path>",),
    )


def _script_target(command: tuple[str, ...], kind: Any) -> Path | None:
    """The script to run in its own environment: a .py/.pyw file (or any file under
    --script/--gui-script) whose text has a PEP 723 ``# /// script`` block."""
    from reconciler.execute import CommandKind

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="accord", prog_name="accord")
def accord() -> None:
    """Run commands in a Python project's environment, reconciled from uv.lock."""


def _run_options(function: F) -> F:
    options = [
        click.option(
            "-w",
            "--with",
            "with_",
            multiple=True,
            help="Also provide this requirement, in a cached layer (repeatable, comma lists).",
        ),
        click.option(
            "--with-requirements",
            multiple=True,
            type=click.Path(),
            help="Also provide the requirements in this file (repeatable).",
        ),
        click.option(
            "--with-editable",
            multiple=True,
            type=click.Path(),
            help="Also provide this local project, editable.",
        ),
        click.option(
            "--isolated",
            is_flag=True,
            envvar="ACCORD_ISOLATED",
            help="Run in a cached environment of its own; leave .venv alone.",
        ),
        click.option("-m", "--module", is_flag=True, help="Run COMMAND as a module (python -m)."),
        click.option("-s", "--script", is_flag=True, help="Run COMMAND as a Python script."),
        click.option("--gui-script", is_flag=True, help="Run COMMAND as a GUI script (pythonw)."),
        click.option("--no-exec", is_flag=True, help="Spawn the command instead of exec."),
        click.option(
            "--strict", is_flag=True, help="Run only what the environment itself provides."
        ),
        click.option(
            "--env-file",
            multiple=True,
            type=click.Path(),
            envvar="ACCORD_ENV_FILE",
            help="Load variables from a dotenv file (repeatable; later wins).",
        ),
        click.option(
            "--no-env-file",
            is_flag=True,
            envvar="ACCORD_NO_ENV_FILE",
            help="Ignore --env-file and ACCORD_ENV_FILE.",
        ),
        click.option(
            "--max-recursion-depth",
            type=click.IntRange(min=0),
            default=100,
            envvar="ACCORD_RUN_MAX_RECURSION_DEPTH",
            show_default=True,
            help="Refuse to run when accord run is nested deeper than this.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


_RUN_ONLY = (
    "with_",
    "with_requirements",
    "with_editable",
    "isolated",
    "module",
    "script",
    "gui_script",
    "no_exec",
    "strict",
    "env_file",
    "no_env_file",
    "max_recursion_depth",
)


@accord.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@_sync_options
@_run_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def run(ctx: click.Context, /, command: tuple[str, ...], **options: Any) -> None:
    """Sync the environment with the lock, then run COMMAND in it."""
    from reconciler.execute import (
        CommandKind,
        build_environment,
        check_strict,
        execute,
        load_env_files,
        resolve_command,
    )
    from reconciler.pipeline import sync

    run_options = {name: options.pop(name) for name in _RUN_ONLY}
    forced = [flag for flag in ("module", "script", "gui_script") if run_options[flag]]
    if len(forced) > 1:
        raise UsageError("`--module`, `--script` and `--gui-script` exclude each other")
    kind = CommandKind(forced[0].replace("_", "-")) if forced else CommandKind.AUTO
    if kind is not CommandKind.AUTO and not command:
        raise UsageError(f"`--{kind.value}` needs a command")
    # The recursion guard comes first: a self-calling shebang script must stop before syncing.
    build_environment(None, max_depth=run_options["max_recursion_depth"])
    from reconciler.ephemeral import split_with

    request = _request(ctx.obj["argv"], command, **options)
    request = attrs.evolve(
        request,
        isolated=run_options["isolated"],
        with_requirements=tuple(split_with(run_options["with_"])),
        with_files=tuple(Path(f) for f in run_options["with_requirements"]),
        with_editables=tuple(Path(p).absolute() for p in run_options["with_editable"]),
        script=_script_target(command, kind),
    )
    env_files = [] if run_options["no_env_file"] else [Path(f) for f in run_options["env_file"]]
    # Env files are read before anything changes, so a missing one leaves all as it was.
    extra = load_env_files(env_files, os.environ) if env_files else {}
    outcome = sync(request)
    if outcome.dry_plan:
        sys.exit(ExitCode.FAILURE if request.check and not outcome.plan_is_empty else 0)
    if not command:
        _print_commands(outcome.venv)
        sys.exit(ExitCode.ERROR)
    env = build_environment(
        outcome.venv,
        max_depth=run_options["max_recursion_depth"],
        extra=extra,
        extra_bins=outcome.extra_bins,
    )
    argv = resolve_command(command, outcome.python, env, outcome.venv, kind=kind)
    if run_options["strict"] or outcome.strict:
        check_strict(argv, command, outcome.venv)
    sys.exit(execute(argv, env, no_exec=run_options["no_exec"]))


@accord.command()
@_sync_options
@click.pass_context
def sync(ctx: click.Context, /, **options: Any) -> None:
    """Make the project's environment match its lock."""
    from reconciler.pipeline import sync as sync_environment

    request = _request(ctx.obj["argv"], (), **options)
    outcome = sync_environment(request)
    if outcome.dry_plan:
        sys.exit(ExitCode.FAILURE if request.check and not outcome.plan_is_empty else 0)


@accord.command("lock")
@_lock_options
@click.option("--check", "check", is_flag=True, help="Fail (exit 1) if the lock is not up to date.")
@click.option("--locked", "locked", is_flag=True, help="The same as --check.")
@click.option("--dry-run", is_flag=True, help="Resolve and report; write nothing.")
@click.option("--script", "script", type=click.Path(), help="Lock a PEP 723 script instead.")
@click.option("-p", "--python", help="Interpreter (for a project without requires-python).")
@click.option("--project", type=click.Path(), help="Find the project from this directory.")
@click.option("--directory", type=click.Path(), help="Change to this directory first.")
@click.option("-q", "--quiet", count=True, help="Print less.")
def lock_command(**options: Any) -> None:
    """Create or update the project's uv.lock (or a script's lock, with --script)."""
    import time

    from model.plan import WriteLock
    from reconciler.locking import lock_target
    from reconciler.lockwrite import write_lock

    started = time.perf_counter()
    if options["directory"]:
        os.chdir(options["directory"])
    request = RunRequest(
        cwd=Path.cwd(),
        project=Path(options["project"]).absolute() if options["project"] else None,
        python=options["python"],
        lock_mode=LockMode.LOCKED if options["check"] or options["locked"] else LockMode.WRITE,
        locked_flag="--check" if options["check"] else "--locked",
        **_lock_fields(options),
        script=Path(options["script"]).absolute() if options["script"] else None,
    )
    lock, action, path = lock_target(request)
    shown = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    if not options["quiet"]:
        elapsed = (time.perf_counter() - started) * 1000
        click.echo(f"Resolved {len(lock.packages)} packages in {elapsed:.0f}ms", err=True)
    if not isinstance(action, WriteLock):
        return
    if options["dry_run"]:
        click.echo(f"Would write {shown} ({action.reason})", err=True)
        return
    write_lock(action.lock, path)
    if not options["quiet"]:
        click.echo(f"Wrote {shown} ({action.reason})", err=True)


def _fail(error: AccordError) -> NoReturn:
    message = error.message
    sys.stderr.write(f"error: {message}\n")
    if error.hint:
        sys.stderr.write(f"hint: {error.hint}\n")
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
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException:
        import traceback  # only for a bug: importing it costs ~9 ms on every slow run

        traceback.print_exc()
        sys.stderr.write(
            "error: this is a bug in accord; please report it with the traceback above\n"
        )
        sys.exit(ExitCode.ERROR)
    sys.exit(0)
