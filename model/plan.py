"""The plan: what must change to turn the observed environment into the desired one (pure).

``diff(desired, observed)`` is a function of two values and never raises because the
environment looks odd: odd states become reasons. Every action and every reason is a class
that carries its evidence; actions are sorted by name so output is stable from run to run.
"""

from __future__ import annotations

from pathlib import PurePath

import attrs
from packaging.utils import NormalizedName

from accord.model.desired import ArtifactKind, DesiredDist, DesiredEnvironment
from accord.model.lock import Source, SourceKind
from accord.model.lock_action import KeepLock, LockAction, WriteLock
from accord.model.observed import EnvironmentState, InstalledDist, ObservedEnvironment

__all__ = [
    "BuildInputsChanged",
    "BuildSettingsChanged",
    "ContentModified",
    "Create",
    "EnvironmentAction",
    "EnvironmentMissing",
    "Extraneous",
    "FilesModified",
    "Install",
    "InterpreterChanged",
    "Keep",
    "KeepLock",
    "Missing",
    "NotAVirtualEnvironment",
    "PackageAction",
    "Plan",
    "PyvenvBroken",
    "Recreate",
    "ReinstallRequested",
    "Remove",
    "Replace",
    "SourceDiffers",
    "VersionDiffers",
    "WriteLock",
    "diff",
    "source_subdirectory",
]


# Reasons for the environment action -------------------------------------------------------


@attrs.frozen
class EnvironmentMissing:
    kind = "missing"

    def describe(self) -> str:
        return "no environment yet"


@attrs.frozen
class NotAVirtualEnvironment:
    detail: str
    kind = "not-a-venv"

    def describe(self) -> str:
        return f"not a virtual environment: {self.detail}"


@attrs.frozen
class PyvenvBroken:
    detail: str
    kind = "pyvenv-broken"

    def describe(self) -> str:
        return f"broken environment: {self.detail}"


@attrs.frozen
class InterpreterChanged:
    installed: str
    wanted: str
    kind = "interpreter-changed"

    def describe(self) -> str:
        return f"interpreter changed: {self.installed} → {self.wanted}"


EnvironmentReason = EnvironmentMissing | NotAVirtualEnvironment | PyvenvBroken | InterpreterChanged


@attrs.frozen
class Keep:
    kind = "keep"


@attrs.frozen
class Create:
    reason: EnvironmentReason
    kind = "create"


@attrs.frozen
class Recreate:
    reason: EnvironmentReason
    kind = "recreate"


EnvironmentAction = Keep | Create | Recreate


# Reasons for package actions --------------------------------------------------------------


@attrs.frozen
class Missing:
    kind = "missing"

    def describe(self) -> str:
        return "missing"


@attrs.frozen
class VersionDiffers:
    installed: str
    wanted: str
    kind = "version-differs"

    def describe(self) -> str:
        return f"version differs: {self.installed} → {self.wanted}"


@attrs.frozen
class SourceDiffers:
    installed: str
    wanted: str
    kind = "source-differs"

    def describe(self) -> str:
        return f"source differs: {self.installed} → {self.wanted}"


@attrs.frozen
class FilesModified:
    detail: str
    kind = "files-modified"

    def describe(self) -> str:
        return f"files missing or modified: {self.detail}"


@attrs.frozen
class ContentModified:
    """Installed files whose content differs from RECORD's hash (found by ``--verify``)."""

    files: tuple[str, ...]
    """As RECORD names them, sorted; never empty."""
    kind = "content-modified"

    def describe(self) -> str:
        count = len(self.files)
        shown = ", ".join(self.files[:_FILES_SHOWN])
        if count > _FILES_SHOWN:
            shown += f" and {count - _FILES_SHOWN} more"
        return f"{count} file{'' if count == 1 else 's'} modified: {shown}"


_FILES_SHOWN = 5
"""A repair names this many files in its sentence; the JSON reason lists them all."""


@attrs.frozen
class BuildInputsChanged:
    kind = "build-inputs-changed"

    def describe(self) -> str:
        return "build inputs changed (pyproject.toml or cache-keys)"


@attrs.frozen
class BuildSettingsChanged:
    """Built with other PEP 517 config settings than the build would get now: uv's
    ``uv_build.json`` differs (uv 0.13.8 rebuilds such an install too)."""

    kind = "build-settings-changed"

    def describe(self) -> str:
        return "built with other config settings"


@attrs.frozen
class ReinstallRequested:
    kind = "reinstall-requested"

    def describe(self) -> str:
        return "reinstall requested"


@attrs.frozen
class Extraneous:
    kind = "extraneous"

    def describe(self) -> str:
        return "not selected (--exact)"


ReplaceReason = (
    VersionDiffers
    | SourceDiffers
    | FilesModified
    | ContentModified
    | BuildInputsChanged
    | BuildSettingsChanged
    | ReinstallRequested
)


@attrs.frozen
class Install:
    dist: DesiredDist
    reason: Missing = Missing()
    kind = "install"

    @property
    def name(self) -> NormalizedName:
        return self.dist.name


@attrs.frozen
class Replace:
    installed: InstalledDist
    dist: DesiredDist
    reason: ReplaceReason
    kind = "replace"

    @property
    def name(self) -> NormalizedName:
        return self.dist.name


@attrs.frozen
class Remove:
    installed: InstalledDist
    reason: Extraneous = Extraneous()
    kind = "remove"

    @property
    def name(self) -> NormalizedName:
        return self.installed.name


PackageAction = Install | Replace | Remove


# The lock action (KeepLock, WriteLock) is in model.lock_action ------------------------------


@attrs.frozen(kw_only=True)
class Plan:
    """An environment action, the lock action and package actions (sorted by name)."""

    venv: PurePath
    desired: DesiredEnvironment
    environment: EnvironmentAction
    lock: LockAction | None
    actions: tuple[PackageAction, ...]
    notes: tuple[str, ...] = ()
    lock_name: str = "uv.lock"
    """The lock file's name as shown (``uv.lock``, or ``script.py.lock``)."""

    @property
    def is_empty(self) -> bool:
        """Nothing to do: the lock and the environment are kept and no package changes."""
        return (
            isinstance(self.environment, Keep)
            and not self.actions
            and not isinstance(self.lock, WriteLock)
        )

    def of_kind(self, kind: type[PackageAction]) -> tuple[PackageAction, ...]:
        return tuple(action for action in self.actions if isinstance(action, kind))


# The diff ----------------------------------------------------------------------------------


def _environment_action(
    desired: DesiredEnvironment, observed: ObservedEnvironment
) -> EnvironmentAction:
    state = observed.state
    if state is EnvironmentState.MISSING:
        return Create(EnvironmentMissing())
    if state is EnvironmentState.NOT_A_VENV:
        return Recreate(NotAVirtualEnvironment(observed.detail or "no pyvenv.cfg"))
    if state is EnvironmentState.BROKEN:
        return Recreate(PyvenvBroken(observed.detail or "unreadable pyvenv.cfg"))
    wanted = desired.interpreter
    if observed.version != wanted.version or observed.base_executable != wanted.base_executable:
        return Recreate(
            InterpreterChanged(
                installed=f"{observed.version} ({observed.base_executable})",
                wanted=f"{wanted.version} ({wanted.base_executable})",
            )
        )
    return Keep()


def _expected_url(dist: DesiredDist) -> str | None:
    """The direct_url.json URL a dist from this source would carry; None for registries."""
    source = dist.source
    if source.kind is SourceKind.REGISTRY:
        return None
    if source.kind is SourceKind.URL:
        return source.location
    if source.kind is SourceKind.PATH:
        return dist.artifact.url if dist.artifact is not None else None
    if source.kind.is_source_tree:
        return dist.directory_url
    if source.kind is SourceKind.GIT:
        return git_repository(source.location)
    return None  # path archives are compared by version


def git_repository(location: str) -> str:
    """The repository URL of a lock's git source (``<url>?<query>#<commit>``)."""
    return location.split("#", 1)[0].split("?", 1)[0]


def source_subdirectory(source: Source) -> str | None:
    """The directory within a ``url`` source's archive or a git source's repository that the
    package is built from (PEP 610's ``subdirectory``); None for the top and other kinds."""
    if source.kind is SourceKind.URL:
        return source.subdirectory
    if source.kind is SourceKind.GIT:
        return git_query(source.location).get("subdirectory")
    return None


def git_query(location: str) -> dict[str, str]:
    """The query of a lock's git source (``<url>?<query>#<commit>``), decoded: its
    ``subdirectory`` and its ``tag``, ``branch`` or ``rev``."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(location.split("#", 1)[0].partition("?")[2]))


def _within(url: str, subdirectory: str | None) -> str:
    return f"{url}#subdirectory={subdirectory}" if subdirectory else url


def _replace_reason(dist: DesiredDist, installed: InstalledDist) -> ReplaceReason | None:
    if dist.version is not None and installed.version != dist.version:
        return VersionDiffers(installed=str(installed.version), wanted=str(dist.version))
    expected = _expected_url(dist)
    found = installed.direct_url.url if installed.direct_url else None
    if dist.source.kind is SourceKind.REGISTRY and found is not None:
        return SourceDiffers(installed=found, wanted=dist.source.location)
    if expected is not None and found != expected:
        return SourceDiffers(installed=found or "a registry", wanted=expected)
    # uv's ``RequirementSatisfaction::check``: the recorded subdirectory must be the one asked.
    within = source_subdirectory(dist.source)
    if installed.direct_url is not None and installed.direct_url.subdirectory != within:
        return SourceDiffers(
            installed=_within(str(found), installed.direct_url.subdirectory),
            wanted=_within(expected or dist.source.location, within),
        )
    if dist.source.kind is SourceKind.GIT:
        commit = dist.source.location.rpartition("#")[2]
        found_commit = installed.direct_url.vcs_commit if installed.direct_url else None
        if found_commit != commit:
            return SourceDiffers(installed=f"{found}@{found_commit}", wanted=f"{expected}@{commit}")
    if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None:
        is_editable = installed.direct_url is not None and installed.direct_url.editable
        if is_editable != dist.editable:
            wanted = "editable" if dist.editable else "not editable"
            return SourceDiffers(installed=found or "a registry", wanted=f"{expected} ({wanted})")
    # uv's rule (``RequirementSatisfaction::check``): an install whose ``uv_build.json``
    # records other settings is out of date; one without the record is not judged by it.
    wanted_build = dist.uv_build
    if wanted_build is not None and installed.uv_build not in (None, wanted_build):
        return BuildSettingsChanged()
    if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None:
        uv_current = dist.uv_freshness is not None and installed.uv_freshness == dist.uv_freshness
        if (
            dist.build_digest is not None
            and installed.build_digest != dist.build_digest
            and not (installed.build_digest is None and uv_current)
        ):
            return BuildInputsChanged()
    if installed.modified_files:
        return ContentModified(installed.modified_files)
    if installed.record_problem is not None:
        return FilesModified(installed.record_problem)
    return None


def diff(desired: DesiredEnvironment, observed: ObservedEnvironment) -> Plan:
    """The actions that turn ``observed`` into ``desired``; empty when they already agree.

    A recreated environment starts empty, so every desired dist is then an Install.
    Extraneous dists are removed only under ``desired.exact``.
    """
    environment = _environment_action(desired, observed)
    installed = {} if not isinstance(environment, Keep) else {d.name: d for d in observed.dists}
    actions: list[PackageAction] = []
    for dist in desired.dists:
        current = installed.get(dist.name)
        if current is None:
            actions.append(Install(dist))
            continue
        reason = _replace_reason(dist, current)
        if reason is None and (desired.reinstall or dist.name in desired.reinstall_packages):
            reason = ReinstallRequested()
        if reason is not None:
            actions.append(Replace(current, dist, reason))
    if desired.exact:
        wanted = {dist.name for dist in desired.dists}
        actions.extend(Remove(dist) for name, dist in installed.items() if name not in wanted)
    actions.sort(key=lambda action: (action.name, action.kind))
    return Plan(
        venv=observed.path,
        desired=desired,
        environment=environment,
        lock=None,
        actions=tuple(actions),
        notes=desired.notes,
    )
