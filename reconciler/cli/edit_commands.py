"""``accord add`` and ``accord remove``: edit the declared dependencies, then lock and sync
(CLI, slow path; the work is ``reconciler.run.edit``'s).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name

from accord.model.install_filter import InstallFilter
from accord.model.request import RunRequest
from accord.reconciler.cli import command_options
from accord.reconciler.cli.clap_command import ClapCommand
from accord.reconciler.cli.command_options import CONTEXT_SETTINGS
from accord.reconciler.cli.install_options import install_filter
from accord.reconciler.cli.refusals import refuse_unsupported_edit
from accord.reconciler.cli.settings import (
    active_option,
    lock_fields,
    lock_mode,
    normalized_names,
    read_settings,
    warn,
)

__all__ = ["add_command", "remove_command"]


def _edit(
    ctx: click.Context, packages: tuple[str, ...], options: dict[str, Any], name: str
) -> None:
    """``accord add``/``remove``: the options checked, then ``reconciler.run.edit``."""
    from accord.model.edit import BoundKind
    from accord.reconciler.project.dependency_arrays import DependencyKind, DependencyPlace
    from accord.reconciler.run import edit as edit_command

    options, _sources = read_settings(ctx, options)
    refuse_unsupported_edit(options, name)
    # uv writes the indexes given to `add` (not `--index-url`) to `[[tool.uv.index]]`.
    default_index = options["default_index"] or os.environ.get("UV_DEFAULT_INDEX") or None
    if name == "add":
        _not_persisted(options)
    mode, locked_flag = lock_mode(ctx, options)
    installs = install_filter(ctx, options) if name == "add" else InstallFilter()
    # Two places on the command line are refused (``clap_rules``); `UV_DEV` yields to the
    # place a flag names, as in uv.
    if options["optional"]:
        place = DependencyPlace(DependencyKind.OPTIONAL, canonicalize_name(options["optional"]))
    elif options["group"]:
        place = DependencyPlace(DependencyKind.GROUP, canonicalize_name(options["group"]))
    elif options["dev"]:
        place = DependencyPlace(DependencyKind.DEV)
    else:
        place = DependencyPlace(DependencyKind.PRODUCTION)
    request = RunRequest.of(
        cwd=Path.cwd(),
        lock_mode=mode,
        locked_flag=locked_flag,
        reinstall=options["reinstall"] and not options["no_reinstall"],
        reinstall_packages=normalized_names(options["reinstall_package"]),
        compile_bytecode=options["compile_bytecode"] and not options["no_compile_bytecode"],
        install_filter=installs,
        active=active_option(options),
        **lock_fields(ctx, options),
    )
    edit = edit_command.EditRequest(
        packages=packages,
        place=place,
        raw=bool(options.get("raw")),
        bounds=BoundKind(options["bounds"]) if options.get("bounds") else None,
        extras=normalized_names(options.get("extra") or ()),
        no_sync=options["no_sync"],
        script=Path(options["script"]).absolute() if options["script"] else None,
        indexes=tuple(text for text in options["index"] if text),
        default_index=default_index,
    )
    (edit_command.add if name == "add" else edit_command.remove)(request, edit)


def _not_persisted(options: dict[str, Any]) -> None:
    """uv's warnings for the indexes `add` uses but does not write."""
    place = "the script" if options["script"] else "the `pyproject.toml` file"
    if options["index_url"] or os.environ.get("UV_INDEX_URL"):
        warn(
            f"Indexes specified via `--index-url` will not be persisted to {place}; "
            "use `--default-index` instead."
        )
    if any(options["extra_index_url"] or ()):
        warn(
            f"Indexes specified via `--extra-index-url` will not be persisted to {place}; "
            "use `--index` instead."
        )


@click.command("add", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@command_options.add_options
@click.argument("packages", nargs=-1, required=True)
@click.pass_context
def add_command(ctx: click.Context, /, packages: tuple[str, ...], **options: Any) -> None:
    """Add dependencies to the project (or a script), then lock and sync (as `uv add`)."""
    _edit(ctx, packages, options, "add")


@click.command("remove", cls=ClapCommand, context_settings=CONTEXT_SETTINGS)
@command_options.remove_options
@click.argument("packages", nargs=-1, required=True)
@click.pass_context
def remove_command(ctx: click.Context, /, packages: tuple[str, ...], **options: Any) -> None:
    """Remove dependencies from the project (or a script), then lock and sync (as `uv remove`)."""
    _edit(ctx, packages, options, "remove")
