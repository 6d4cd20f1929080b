"""The observed environment: what ``reconciler.install.observe`` found on disk, as values (pure).

Odd states are facts here, not exceptions: a missing ``pyvenv.cfg``, an interpreter that has
gone, a RECORD that lists a file that is not there. The diff turns them into reasons.
"""

from __future__ import annotations

import enum
from pathlib import PurePath

import attrs
from packaging.utils import NormalizedName
from packaging.version import Version

__all__ = [
    "DirectUrl",
    "EnvironmentState",
    "InstalledDist",
    "ObservedEnvironment",
]


class EnvironmentState(enum.Enum):
    MISSING = "missing"
    """Nothing at the path (or an empty directory)."""
    NOT_A_VENV = "not-a-venv"
    """A non-empty directory without ``pyvenv.cfg``."""
    BROKEN = "broken"
    """``pyvenv.cfg`` present but unreadable, incomplete, or its interpreter is gone."""
    PRESENT = "present"


@attrs.frozen(kw_only=True)
class DirectUrl:
    """The parts of a PEP 610 ``direct_url.json`` that decide whether a dist matches the lock."""

    url: str
    editable: bool = False
    is_directory: bool = False
    vcs_commit: str | None = None
    subdirectory: str | None = None
    """PEP 610's ``subdirectory``: where in the archive or repository the dist was built."""


@attrs.frozen(kw_only=True)
class InstalledDist:
    """One ``*.dist-info`` directory in site-packages."""

    name: NormalizedName
    version: Version
    dist_info: str
    """The directory name, e.g. ``pkg-1.0.dist-info``."""
    installer: str | None = None
    direct_url: DirectUrl | None = None
    record_problem: str | None = None
    """None when RECORD is present and every file it lists is in place; else what is wrong."""
    build_digest: str | None = None
    """For a dist accord built from a source tree: the digest of the inputs it was built from."""
    uv_freshness: str | None = None
    """The dist-info's ``uv_cache.json``, when uv (or accord) recorded one."""
    uv_build: str | None = None
    """The dist-info's ``uv_build.json`` (the config settings it was built with), when uv (or
    accord) recorded one."""
    modified_files: tuple[str, ...] = ()
    """Files (as RECORD names them, sorted) whose content no longer has RECORD's hash. Only
    a verify (``--verify``) reads contents: otherwise always empty."""

    @property
    def record_ok(self) -> bool:
        return self.record_problem is None and not self.modified_files


@attrs.frozen(kw_only=True)
class ObservedEnvironment:
    """A virtual environment as found."""

    path: PurePath
    state: EnvironmentState
    detail: str | None = None
    """Why the state is BROKEN or NOT_A_VENV, in words."""
    base_executable: PurePath | None = None
    """Where the environment's python really points (its resolved ``bin/python``)."""
    version: Version | None = None
    """``version_info`` (or ``version``) from ``pyvenv.cfg``."""
    dists: tuple[InstalledDist, ...] = ()
    """Sorted by name."""
    unreadable: tuple[str, ...] = ()
    """dist-info directories whose METADATA could not be read (they are reported, not removed)."""

    def dist(self, name: str) -> InstalledDist | None:
        for dist in self.dists:
            if dist.name == name:
                return dist
        return None
