"""The builder apply uses for sdists and source trees, from one request's options."""

from __future__ import annotations

from pathlib import Path

from accord.model.interpreter import Interpreter
from accord.model.request import RunRequest
from accord.reconciler.build.builder import ProjectBuilder, make_builder

__all__ = ["project_builder", "refreshed_trees"]


def project_builder(
    interpreter: Interpreter, request: RunRequest, pyproject: Path | None
) -> ProjectBuilder:
    """``make_builder`` given only what it needs of ``request``: the index and configuration
    options, ``--no-build-isolation``, and ``--reinstall`` (source trees built again)."""
    refresh, refresh_packages = refreshed_trees(request)
    return make_builder(
        interpreter,
        pyproject,
        index=request.index,
        config=request.config,
        no_build_isolation=request.locking.no_build_isolation,
        config_settings=request.locking.config_settings,
        refresh=refresh,
        refresh_packages=refresh_packages,
    )


def refreshed_trees(request: RunRequest) -> tuple[bool, frozenset[str]]:
    """Which source trees are built again though a wheel of their build inputs is kept: all
    under ``--refresh`` or ``--reinstall`` (which implies it in uv), else those
    ``--reinstall-package`` names."""
    return (
        request.index.refresh or request.sync.reinstall,
        frozenset(request.sync.reinstall_packages),
    )
