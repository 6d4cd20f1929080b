"""What ``accord run`` runs in: a project (or workspace) or a bare environment (pure values)."""

from __future__ import annotations

from pathlib import PurePath

import attrs
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

__all__ = ["BareEnvironment", "Project", "Target"]


@attrs.frozen(kw_only=True)
class Project:
    """A project found from a ``pyproject.toml``, with its workspace root."""

    root: PurePath
    """The workspace root: where ``uv.lock`` and ``.venv`` live (the project dir when alone)."""
    directory: PurePath
    """The project's own directory (a member's directory inside a workspace)."""
    name: NormalizedName | None
    """None for a virtual workspace root (no ``[project]`` table)."""
    requires_python: SpecifierSet | None
    default_groups: tuple[NormalizedName, ...] | None
    """``tool.uv.default-groups``; None means uv's default (``dev``); ``all`` is expanded later."""
    all_default_groups: bool = False
    """``tool.uv.default-groups = "all"``."""
    has_build_system: bool = False
    package: bool | None = None
    """``tool.uv.package``: True/False when set, None to decide from the build system."""
    is_workspace_root: bool = False
    strict: bool = False
    """``[tool.accord] strict = true``: run only what the environment provides."""
    pyprojects: tuple[PurePath, ...] = ()
    """Every pyproject.toml that decided this target (for the fast-path stamp)."""
    members_python: tuple[tuple[str, SpecifierSet], ...] = ()
    """The other workspace members' ``requires-python``, by member name: the interpreter
    must satisfy them too, as uv's must."""
    venv: PurePath
    lock_path: PurePath

    @property
    def workspace_requires_python(self) -> SpecifierSet | None:
        """The project's requires-python and every other member's, written as uv writes their
        intersection (``>=3.11`` and ``>=3.12``: ``>=3.12``)."""
        if not self.members_python:
            return self.requires_python
        from accord.model.python_range import joined_requires_python

        own = [] if self.requires_python is None else [self.requires_python]
        return joined_requires_python([*own, *(s for _, s in self.members_python)])

    def interpreter_origin(self, version: Version) -> str:
        """Where the requires-python that excludes ``version`` comes from, in uv's words (the
        end of its message)."""
        for member, specifier in self.members_python:
            if not specifier.contains(version, True):
                return f"workspace member `{member}`'s `project.requires-python`)."
        return "`project.requires-python`)"

    @property
    def is_package(self) -> bool:
        """Built and installed (editable) rather than virtual, as uv decides."""
        return self.package if self.package is not None else self.has_build_system


@attrs.frozen(kw_only=True)
class BareEnvironment:
    """No project (or ``managed = false``): run in an environment as it is."""

    directory: PurePath
    reason: str
    """Why there is no project, for the plan."""


Target = Project | BareEnvironment
