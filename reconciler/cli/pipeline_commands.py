"""``accord run`` and ``accord sync``: the commands that take the project's environment
through the pipeline (lock, plan, apply), and run a command in it (CLI, slow path).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from accord.model.request import RunRequest
from accord.reconciler.cli import command_options
from accord.reconciler.cli.clap_command import ClapCommand
from accord.reconciler.cli.command_options import CONTEXT_SETTINGS
from accord.reconciler.cli.install_options import install_filter
from accord.reconciler.cli.refusals import refuse_unsupported_sync
from accord.reconciler.cli.settings import read_settings, run_request
from accord.reconciler.errors import AccordError, ExitCode, UsageError

__all__ = ["run", "sync"]


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


@click.command(
    cls=ClapCommand, context_settings={**CONTEXT_SETTINGS, "allow_interspersed_args": False}
)
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

    options, _sources = read_settings(ctx, options)
    given = command
    if options["code"] is not None:
        command = ("-c", options["code"], *command)  # accord's own: `accord run -c CODE`
    forced = [flag for flag in ("module", "script", "gui_script") if options[flag]]
    kind = CommandKind(forced[0].replace("_", "-")) if forced else CommandKind.AUTO
    if kind is not CommandKind.AUTO and not command:
        raise UsageError(f"`--{kind.value}` needs a command")
    max_depth = options["max_recursion_depth"]
    max_depth = 100 if max_depth is None else max_depth
    # The recursion guard comes first: a self-calling shebang script must stop before syncing.
    build_environment(None, max_depth=max_depth)
    from accord.reconciler.run.cached import split_with

    request = run_request(ctx, given, options, exact=options["exact"])
    request = request.evolve(
        command=command,
        no_project=options["no_project"],
        no_sync=options["no_sync"],
        isolated=options["isolated"],
        with_requirements=tuple(split_with(options["with_"])),
        with_files=tuple(Path(f) for f in options["with_requirements"]),
        with_editables=tuple(Path(p).absolute() for p in options["with_editable"]),
        script=_script_target(command, kind),
    )
    if request.sync.verify:
        other = (
            "a PEP 723 script"
            if request.run.script is not None
            else "`--with`"
            if request.run.with_requirements or request.run.with_files or request.run.with_editables
            else "`--no-project`"
            if request.run.no_project
            else "`--no-sync`"
            if request.sync.no_sync
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
        sys.exit(ExitCode.FAILURE if request.output.check and not outcome.plan_is_empty else 0)
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


@click.command(cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@command_options.sync_options
@click.pass_context
def sync(ctx: click.Context, /, **options: Any) -> None:
    """Make the project's environment match its lock (exactly, as `uv sync` does)."""
    from accord.reconciler.run.pipeline import sync as sync_environment

    options, _sources = read_settings(ctx, options)
    refuse_unsupported_sync(options)
    # uv's --check and --dry-run change nothing, and say what would change in uv's words.
    uv_dry_run = bool(options["check"] or options["dry_run"]) and not options["dry_plan"]
    if uv_dry_run:
        options["dry_plan"] = True
    script = options["script"]
    installs = install_filter(ctx, options, script=script is not None)
    request = run_request(ctx, (), options, exact=not options["inexact"])
    request = request.evolve(
        install_filter=installs,
        require_project=script is None,
        uv_summary=not request.output.dry_plan or uv_dry_run,
        uv_dry_run=uv_dry_run and script is None,
        script=Path(script).absolute() if script else None,
    )
    outcome = sync_environment(request)
    if outcome.dry_plan and options["check"] and _outdated(outcome.plan, request):
        raise _Outdated()
    if outcome.refused is not None:
        raise outcome.refused
    if outcome.dry_plan:
        sys.exit(0)


def _outdated(plan: Any, request: RunRequest) -> bool:
    """``--check`` fails when the environment would change (a lock rewrite alone passes, as
    in uv); accord's own ``--dry-plan --check`` fails on any change."""
    from accord.model.uv_dry_run import environment_outdated

    if plan is None:
        return False
    return environment_outdated(plan) if request.output.uv_dry_run else not plan.is_empty


class _Outdated(AccordError):
    exit_code = ExitCode.FAILURE

    def __init__(self) -> None:
        super().__init__("The environment is outdated; run `accord sync` to update the environment")
