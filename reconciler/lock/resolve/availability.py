"""Lock stage, resolution: which versions of a package can be candidates, and which files
of each can be used (pure over the index's file lists).

A version is no candidate when every file was published after the ``exclude-newer`` limit,
is yanked (PEP 592) without an exact pin, is ruled out by ``no-binary``/``no-build``, or is a
wheel no Python of the project's range can install. What is left is kept per version with
each file's Requires-Python lower bound, so that each fork can tell whether the version fits
its Python range or splits it. Wheel tags are read as markers here too, for uv's
``required-environments`` rule: where a wheel can be installed, and the platforms a set of
wheels covers.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.exclude_newer import parse_timestamp
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import (
    Bound,
    PythonRange,
    lower_bound,
    lower_gt,
    lower_key,
    matches_requires_python,
    split,
)
from accord.model.uv_settings import BinaryPolicy
from accord.model.wheel_markers import NEVER_MARKER, implied_markers, platform_split_marker
from accord.reconciler.fetch.releases import FileFacts, FileSelection

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import IndexFile, Release

__all__ = [
    "Decisions",
    "ForkRow",
    "PythonRefusal",
    "VersionRow",
    "coverage_split",
    "fits_requires_python",
    "fork_decisions",
    "fork_versions",
    "uncovered_environment",
    "usable_versions",
]

VersionRow: TypeAlias = "tuple[Version, Sequence[IndexFile], tuple[Bound, ...], str | None]"
"""A version, its usable files (read when needed) and each one's Requires-Python lower
bound, and why the version is no candidate (None: it is one)."""

ForkRow: TypeAlias = "tuple[Version, Sequence[IndexFile], Bound, str | None]"
"""A version in one fork: its usable files, the Python bound the fork would split at (None:
it fits), and why the version is no candidate (None: it is one)."""


class PythonRefusal(str):
    """The reason of a version whose Requires-Python excludes the whole fork (told apart from
    the other reasons by its type: a yank reason is free text)."""

    __slots__ = ()


def _uploaded_by(file: IndexFile, cutoff: datetime.datetime) -> bool:
    if file.flat:
        return True  # uv applies no exclude-newer limit to find-links files
    if file.upload_time is None:
        return False
    moment = parse_timestamp(file.upload_time)
    return moment is not None and moment < cutoff  # uv excludes at the cutoff itself


@functools.lru_cache(maxsize=4096)
def _lower_bound(specifier: SpecifierSet) -> Bound:
    return lower_bound(specifier)


def fits_requires_python(tags: frozenset[str], python: PythonRange) -> bool:
    """``matches_requires_python`` of a wheel's tags, remembered: it reads only their Python
    and ABI parts, so wheels that differ only in platform are one question (a page has
    thousands of tag sets and a few dozen of these)."""
    return _fits_interpreters(_interpreters(tags), python)


@functools.cache
def _interpreters(tags: frozenset[str]) -> frozenset[str]:
    return frozenset(
        tag.rpartition("-")[0] + "-any" if tag.count("-") == 2 else tag for tag in tags
    )


@functools.cache
def _fits_interpreters(tags: frozenset[str], python: PythonRange) -> bool:
    return matches_requires_python(sorted(tags), *python)


def usable_versions(
    name: NormalizedName,
    releases: Sequence[Release],
    *,
    python: PythonRange,
    cutoff: datetime.datetime | None,
    allowed_yanks: frozenset[tuple[NormalizedName, Version]],
    binaries: BinaryPolicy,
) -> list[VersionRow]:
    """Per version, newest first: the files usable anywhere in the project's Python range
    (``python``) and each one's requires-python lower bound, or why the version is no
    candidate. The same in every fork of a resolution. Only the facts of the files are read
    (their upload times too under an exclude-newer limit).

    A version several indexes have (an ``unsafe-*`` index strategy) is taken from the first
    of them (lowest ``rank``) where it is usable, as uv's candidate selector moves on to the
    same version on the next index when one index's files cannot be used."""
    by_version: dict[Version, dict[int, Release]] = {}
    for release in releases:
        by_version.setdefault(release.version, {})[release.rank] = release
    known = _Known(python)
    table: list[VersionRow] = []
    for version in sorted(by_version, reverse=True):
        ranked = by_version[version]
        if len(ranked) == 1:
            (release,) = ranked.values()
            table.append(
                _version_row(name, version, release, known, cutoff, allowed_yanks, binaries)
            )
            continue
        rows = [
            _version_row(name, version, ranked[rank], known, cutoff, allowed_yanks, binaries)
            for rank in sorted(ranked)
        ]
        table.append(next((row for row in rows if row[3] is None), rows[0]))
    return table


class _Known:
    """What ``usable_versions`` learns once per distinct file facts (``FileFacts`` are shared
    by every file alike) and per distinct set of bounds, in one Python range."""

    def __init__(self, python: PythonRange) -> None:
        self.python = python
        self._fits: dict[int, bool] = {}
        self._bounds: dict[int, Bound] = {}
        self._rows: dict[tuple[Bound, ...], tuple[Bound, ...]] = {}

    def fits(self, facts: FileFacts) -> bool:
        """An sdist, or a wheel some Python of the range can install (by its tags)."""
        found = self._fits.get(id(facts))
        if found is None:
            found = not facts.is_wheel or fits_requires_python(facts.tags, self.python)
            self._fits[id(facts)] = found
        return found

    def bound(self, facts: FileFacts) -> Bound:
        key = id(facts)
        if key not in self._bounds:
            python = facts.requires_python
            self._bounds[key] = None if python is None else _lower_bound(python)
        return self._bounds[key]

    def bounds(self, bounds: tuple[Bound, ...]) -> tuple[Bound, ...]:
        """One object for equal bounds, so that ``fork_versions`` decides each once."""
        return self._rows.setdefault(bounds, bounds)


def _version_row(
    name: NormalizedName,
    version: Version,
    release: Release,
    known: _Known,
    cutoff: datetime.datetime | None,
    allowed_yanks: frozenset[tuple[NormalizedName, Version]],
    binaries: BinaryPolicy,
) -> VersionRow:
    """One version's row of ``usable_versions``, from the files one index lists."""
    facts = release.facts
    published: Sequence[int] = range(len(facts))
    if cutoff is not None:
        # exclude-newer: a file without an upload time is excluded too (uv's rule).
        files = release.decode()
        published = [i for i in published if _uploaded_by(files[i], cutoff)]
        if not published:
            return (
                version,
                (),
                (),
                f"{name}=={version} was published after the exclude-newer limit",
            )
    # PEP 592: a yanked file is chosen only when pinned exactly (uv: by a declared
    # requirement, or by the existing lock).
    allowed = (name, version) in allowed_yanks
    usable = [i for i in published if facts[i].yanked is None or allowed]
    if not usable:
        reason = facts[published[0]].yanked
        why = f"{name}=={version} was yanked" + (f" (reason: {reason})" if reason else "")
        return (version, (), (), why)
    # no-binary / no-build decide whether a version can be used; the lock still
    # records all of its files (uv's lock does).
    if not binaries.wheels_allowed(name) and all(facts[i].is_wheel for i in usable):
        why = (
            f"{name}=={version} has no source distribution, and using pre-built "
            f"wheels is disabled for {name}"
        )
        return (version, (), (), why)
    if not binaries.builds_allowed(name) and not any(facts[i].is_wheel for i in usable):
        return (
            version,
            (),
            (),
            f"{name}=={version} has no wheels, and building is disabled for {name}",
        )
    # A version with no sdist and no wheel any Python of the range can use is not
    # a candidate (uv: "no wheels with a matching Python ABI/version tag").
    usable = [i for i in usable if known.fits(facts[i])]
    if not usable:
        why = f"{name}=={version} has no wheels with a matching Python version or ABI tag"
        return (version, (), (), why)
    bounds = known.bounds(tuple(known.bound(facts[i]) for i in usable))
    return (version, release.select(tuple(usable)), bounds, None)


Decisions: TypeAlias = "dict[tuple[Bound, ...], tuple[Bound, bool]]"
"""Per distinct set of Requires-Python bounds of a package's candidate versions, in one
fork's Python range: the bound the fork would split at (None: fits), and whether the version
is refused there instead."""


def fork_decisions(
    rows: Sequence[VersionRow], *, python: PythonRange, python_forks: bool
) -> Decisions:
    """What a fork whose Python range is ``python`` decides about each distinct set of bounds
    of ``rows`` (from ``usable_versions``), in the order the rows first name them: forks
    whose decisions are equal see the same ``fork_versions``. Without ``python_forks``
    (``fork-strategy = "fewest"``) a version that needs a newer Python is refused."""
    decided: Decisions = {}
    for _, _, bounds, reason in rows:
        if reason is not None or bounds in decided:
            continue
        # Some file fits the fork's Python lower bound; else the lowest bound a file needs,
        # and whether the fork can split there.
        needs = None
        refused = False
        if not any(b is None or not lower_gt(b, python[0]) for b in bounds):
            needs = min(bounds, key=lower_key)
            refused = not python_forks or split(python, needs) is None
        decided[bounds] = (needs, refused)
    return decided


def fork_versions(
    name: NormalizedName,
    rows: Sequence[VersionRow],
    decided: Decisions,
    *,
    requires_python: SpecifierSet,
) -> list[ForkRow]:
    """Every version of ``name`` (``rows``, from ``usable_versions``) in a fork that decided
    ``decided`` (``fork_decisions``): the files the project's Python range can use, the Python
    bound this fork would split at (None: fits), or why it is no candidate."""
    table: list[ForkRow] = []
    for version, usable, bounds, reason in rows:
        if reason is not None:
            table.append((version, usable, None, reason))
            continue
        needs, refused = decided[bounds]
        if refused:
            first = usable.facts[0] if isinstance(usable, FileSelection) else usable[0]
            why = PythonRefusal(
                f"{name}=={version} requires Python {first.requires_python}, "
                f"but the project supports {requires_python}"
            )
            table.append((version, (), None, why))
            continue
        table.append((version, usable, needs, None))
    return table


def _tag_marker(text: str | None) -> MarkerTree:
    """A marker from ``model.wheel_tags`` as a tree: None holds everywhere, ``NEVER_MARKER``
    nowhere."""
    if text == NEVER_MARKER:
        return MarkerTree.FALSE
    return MarkerTree.TRUE if text is None else MarkerTree.parse(text)


@functools.cache
def _wheel_marker(tags: frozenset[str]) -> MarkerTree:
    """uv's implied markers of a wheel's tags, as a tree."""
    return _tag_marker(implied_markers(sorted(tags)))


@functools.cache
def _platform_marker(wheels: frozenset[frozenset[str]]) -> MarkerTree:
    """The platforms a set of wheels (each one's tags) is for, as a tree."""
    return _tag_marker(platform_split_marker(sorted(sorted(tags) for tags in wheels)))


def coverage_split(
    files: Sequence[IndexFile],
    env: MarkerTree,
    needed: MarkerTree,
    required: Sequence[MarkerTree],
) -> str | tuple[MarkerTree, MarkerTree] | None:
    """uv's required-environments rule for a version whose ``files`` are wheels only, in the
    fork ``env`` where the package is ``needed``: None when it applies nowhere; why the
    version is unusable when the fork lies on one side of an uncovered required
    environment; else the two environments the fork splits into."""
    found = uncovered_environment(files, env, needed, required)
    if found is None:
        return None
    environment, inside, outside = found
    if env.is_disjoint(inside) or env.is_disjoint(outside):
        return f"has no wheels for the required `{environment}`"
    return env & inside, env & outside


def uncovered_environment(
    files: Sequence[IndexFile],
    env: MarkerTree,
    needed: MarkerTree,
    required: Sequence[MarkerTree],
) -> tuple[MarkerTree, MarkerTree, MarkerTree] | None:
    """uv's required-environments rule for a version with wheels only (``files``): the first
    required environment none of its wheels can be installed in, where the fork ``env``
    reaches it and the package is ``needed``; with the two sides the fork splits into there
    (inside, outside). None when every required environment is covered."""
    if any(not f.is_wheel for f in files):
        return None  # an sdist builds anywhere
    covered = MarkerTree.FALSE
    for file in files:
        covered = covered | _wheel_marker(file.tags)
    for environment in required:
        if env.is_disjoint(environment) or not covered.is_disjoint(environment):
            continue
        if needed.is_disjoint(environment):
            continue
        # uv 0.13.8 (observed): when no wheel is for the required environment's platform
        # at all, the fork splits where the wheels' platforms are (by sys_platform);
        # otherwise on the required environment. The version is unusable in a fork that
        # lies on one side only.
        platforms = _platform_marker(frozenset(f.tags for f in files))
        if platforms.is_disjoint(environment):
            return environment, ~platforms, platforms
        return environment, environment, ~environment
    return None
