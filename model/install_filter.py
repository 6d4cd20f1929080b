"""Which of the selected packages are installed: uv's ``--no-install-*``/``--only-install-*``
(pure).

The selection decides what the environment needs; the install filter then leaves some of it
out, as uv's ``InstallOptions::include_package`` does: a package left out is not installed,
but its own dependencies still are (the lock is walked through it). Under an exact sync a
left-out package that is installed is removed, like anything else the environment should
not hold.
"""

from __future__ import annotations

import attrs
from packaging.utils import NormalizedName

from accord.model.lock import LockedPackage, SourceKind

__all__ = ["InstallFilter"]

_LOCAL = frozenset({SourceKind.PATH, SourceKind.DIRECTORY, SourceKind.EDITABLE, SourceKind.VIRTUAL})


@attrs.frozen(kw_only=True)
class InstallFilter:
    """The ``--no-install-*``/``--only-install-*`` options of one sync (``uv sync``,
    ``uv add``); the default leaves everything in."""

    project: NormalizedName | None = None
    """The project the options speak of: the current project, or ``--package``'s member;
    None for a virtual workspace root (``--no-install-project`` then leaves nothing out)."""
    no_project: bool = False
    only_project: bool = False
    no_workspace: bool = False
    only_workspace: bool = False
    no_local: bool = False
    only_local: bool = False
    no_packages: frozenset[NormalizedName] = frozenset()
    only_packages: frozenset[NormalizedName] = frozenset()

    @property
    def is_empty(self) -> bool:
        """True when nothing is left out, whatever the lock holds."""
        return not (
            self.no_project
            or self.only_project
            or self.no_workspace
            or self.only_workspace
            or self.no_local
            or self.only_local
            or self.no_packages
            or self.only_packages
        )

    def excluded_by(
        self, package: LockedPackage, members: tuple[NormalizedName, ...]
    ) -> str | None:
        """The option that leaves ``package`` out, or None when it is installed.

        ``members`` are the lock's workspace members (``[manifest] members``, empty for a
        single project). The order is uv's: an ``--only-install-*`` option decides alone
        (package, then local, then workspace, then project), then the ``--no-install-*``
        ones apply in turn.
        """
        name = package.name
        is_project = self.project is not None and name == self.project
        is_local = package.source.kind in _LOCAL
        if self.only_packages:
            return None if name in self.only_packages else "--only-install-package"
        if self.only_local:
            return None if is_local else "--only-install-local"
        if self.only_workspace:
            return None if is_project or name in members else "--only-install-workspace"
        if self.only_project:
            return None if is_project else "--only-install-project"
        if self.no_project and is_project:
            return "--no-install-project"
        if self.no_workspace and (is_project or name in members):
            return "--no-install-workspace"
        if self.no_local and is_local:
            return "--no-install-local"
        if name in self.no_packages:
            return "--no-install-package"
        return None
