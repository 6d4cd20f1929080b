"""``accord lock``, ``accord export`` and ``accord why``: the commands that read or write the
lock and leave the environment alone (CLI, slow path).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name

from accord.model.request import LockMode, RunRequest
from accord.reconciler.cli import command_options
from accord.reconciler.cli.clap_command import ClapCommand
from accord.reconciler.cli.command_options import CONTEXT_SETTINGS
from accord.reconciler.cli.refusals import refuse_unsupported_export
from accord.reconciler.cli.settings import (
    DEV,
    lock_fields,
    lock_mode,
    normalized_names,
    read_settings,
    resolve_lock_mode,
    warn,
)
from accord.reconciler.errors import LockStale, ProjectNotFound

__all__ = ["export_command", "lock_command", "why_command"]


@click.command("lock", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@command_options.lock_command_options
@click.pass_context
def lock_command(ctx: click.Context, /, **options: Any) -> None:
    """Create or update the project's uv.lock (or a script's lock, with --script)."""
    import time

    from accord.model.lock_action import WriteLock
    from accord.reconciler.lock.write import write_lock
    from accord.reconciler.run.lock import lock_target

    started = time.perf_counter()
    options, _sources = read_settings(ctx, options)
    # uv's `--check-exists`, also spelled `--frozen` (hidden) or `UV_FROZEN`, and its `--check`,
    # also spelled `--locked` (hidden) or `UV_LOCKED`; each is named as given.
    mode, named = resolve_lock_mode(
        "--check" if options["check"] else "--locked" if options["locked"] else None,
        "--frozen" if options["frozen"] else "--check-exists" if options["check_exists"] else None,
        no_locked=options["no_locked"],
        no_frozen=options["no_frozen"],
    )
    frozen = named if mode is LockMode.FROZEN else None
    request = RunRequest.of(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=named,
        **lock_fields(ctx, options),
        script=Path(options["script"]).absolute() if options["script"] else None,
    )
    if request.run.script is None:
        from accord.reconciler.project.discover import find_pyproject

        start = Path(request.project) if request.project is not None else Path.cwd()
        if find_pyproject(start) is None:
            raise ProjectNotFound(
                "No `pyproject.toml` found in current directory or any parent directory"
            )
    try:
        lock, action, path = lock_target(request, announce=None if options["quiet"] else _say)
    except LockStale as stale:
        if stale.resolved is not None and not options["quiet"]:
            _say_resolved(stale.resolved, started)  # uv resolved, then refused the change
        raise
    if frozen:
        warn(
            f"The lockfile at `{os.path.relpath(path)}` was only checked for validity, not "
            f"whether it is up-to-date, because `{frozen}` was provided; use `--check` "
            "instead"
        )
    shown = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    if not options["quiet"] and not frozen:  # uv resolves nothing then
        _say_resolved(len(lock.packages), started)
    if not isinstance(action, WriteLock):
        if options["dry_run"] and not options["quiet"]:
            click.echo("No lockfile changes detected", err=True)
        return
    from accord.model.lock import lock_changes
    from accord.reconciler.console import debug
    from accord.reconciler.lock.memo import read_existing_lock

    # What changed, in uv's words (`Updated pkg v1.0 -> v1.1`); the reason under -v.
    _, previous = read_existing_lock(path)
    changes = lock_changes(previous, action.lock, planned=options["dry_run"])
    if options["dry_run"]:
        debug("Would write %s: %s", shown, action.reason)
        if not options["quiet"]:
            # uv says the lock would change even when no version does (a marker, a hash).
            for line in changes or ["Lockfile changes detected"]:
                click.echo(line, err=True)
        return
    write_lock(action.lock, path)
    debug("Wrote %s: %s", shown, action.reason)
    if not options["quiet"]:
        for line in changes:
            click.echo(line, err=True)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _say_resolved(count: int, started: float) -> None:
    import time

    from accord.model.elapsed import format_elapsed, resolved_line

    _say(resolved_line(count, format_elapsed(time.perf_counter() - started)))


@click.command("export", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
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
    options, _sources = read_settings(ctx, options)
    refuse_unsupported_export(options)
    mode, locked_flag = lock_mode(ctx, options)
    extras = normalized_names(options["extra"])
    all_extras = options["all_extras"] and not options["no_all_extras"]
    only_groups = normalized_names(options["only_group"]) + ((DEV,) if options["only_dev"] else ())
    no_dev = options["no_dev"] and not options["dev"]
    request = RunRequest.of(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        extras=extras,
        all_extras=all_extras,
        groups=normalized_names(options["group"]),
        only_groups=only_groups,
        no_groups=normalized_names(options["no_group"]) + ((DEV,) if no_dev else ()),
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        **lock_fields(ctx, options),
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
    project, lock, resolved = read_project_lock(
        request, announce=None if options["quiet"] else _say
    )
    if resolved is not None and not options["quiet"]:
        _say_resolved(resolved, started)
    text = export_lock(project, lock, request, export)
    if options["output_file"]:
        from accord.reconciler.fsutil import write_atomic

        write_atomic(Path(options["output_file"]), text)
    if not (options["quiet"] and options["output_file"]):
        sys.stdout.write(text)


@click.command("why", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@command_options.why_options
@click.argument("name")
@click.pass_context
def why_command(ctx: click.Context, /, name: str, **options: Any) -> None:
    """Show the requirement chains that bring NAME into the environment (shortest first)."""
    from accord.model.why import render_chain
    from accord.reconciler.run.why import why_chains

    options, _sources = read_settings(ctx, options)
    mode, locked_flag = lock_mode(ctx, options)
    only_groups = normalized_names(options["only_group"]) + ((DEV,) if options["only_dev"] else ())
    no_dev = options["no_dev"] and not options["dev"]
    request = RunRequest.of(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        extras=normalized_names(options["extra"]),
        all_extras=options["all_extras"] and not options["no_all_extras"],
        groups=normalized_names(options["group"]),
        only_groups=only_groups,
        no_groups=normalized_names(options["no_group"]) + ((DEV,) if no_dev else ()),
        all_groups=options["all_groups"],
        no_default_groups=options["no_default_groups"],
        **lock_fields(ctx, options),
        package=canonicalize_name(options["package"]) if options["package"] else None,
        all_packages=options["all_packages"],
    )
    for chain in why_chains(request, name):
        click.echo(render_chain(chain))
