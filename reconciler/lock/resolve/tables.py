"""Lock stage, resolution: a package's version tables in the forks of one resolution, and
those a warm server made ahead for its workers.

``version_table`` builds, for a package's releases, its rows in the project's Python range
(``usable_versions``) and, per fork Python range, its ``CandidateTable``; each is kept for the
resolution. A warm server (``lock.warm_up.learn``) makes them again, from the index pages it
keeps decoded, for the packages and ranges its workers told it (``fresh_tables``), under the
plain settings: no ``exclude-newer``, no yanked version allowed, wheels and builds allowed
for the package. A worker then takes a table made ahead (``TablesAhead``) when its own page
is the very releases object the server made it from (a page read again, or changed, is a
new object, and the table is made afresh), and when no yank its lock allows (the versions of
the existing lock, a ``==`` pin) is of a version with a yanked file.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from accord.model.python_range import Bound, PythonRange, specifier_range
from accord.model.uv_settings import BinaryPolicy
from accord.reconciler.lock.resolve.availability import (
    VersionRow,
    fork_decisions,
    fork_versions,
    usable_versions,
)
from accord.reconciler.lock.resolve.selection import CandidateTable

if TYPE_CHECKING:
    from accord.reconciler.fetch.releases import Release

__all__ = ["TablesAhead", "fresh_tables", "make_ahead", "tables_ahead", "version_table"]

_K = TypeVar("_K", bound=Hashable)

_RangeText = tuple[tuple[str, bool] | None, tuple[str, bool] | None]
_Context = tuple[str, _RangeText, bool]
"""A project's ``requires-python`` (text), a fork's Python range (texts) and whether forks
split by Python: what a table depends on besides the package's page."""
_Made = tuple[Sequence["Release"], list[VersionRow], CandidateTable, frozenset[Version]]
"""A page's releases, its rows and table, and its versions with a yanked file (the only ones
an allowed yank changes)."""

_AHEAD: dict[_Context, dict[tuple[str, str], _Made]] = {}
"""The tables this process made ahead, by context, then by (index, package)."""
_AHEAD_MOST = 40_000
_FRESH: list[tuple[str, str, str, _RangeText, bool]] = []
"""What this process made afresh under plain settings since the last ``fresh_tables``:
(index, package, requires-python, fork range, Python forks)."""
_FRESH_MOST = 40_000


def _range_text(python: PythonRange) -> _RangeText:
    lower, upper = python
    return (
        None if lower is None else (str(lower[0]), lower[1]),
        None if upper is None else (str(upper[0]), upper[1]),
    )


def _bound(text: object) -> Bound:
    if text is None:
        return None
    if not (isinstance(text, tuple) and len(text) == 2):
        raise ValueError(text)
    version, inclusive = text
    if not (isinstance(version, str) and isinstance(inclusive, bool)):
        raise ValueError(text)
    return Version(version), inclusive


class TablesAhead:
    """The tables made ahead for one fork's context (empty where none were), for a lock
    that allows ``allowed_yanks`` (each a package and version)."""

    def __init__(
        self,
        requires_python: SpecifierSet,
        python: PythonRange,
        python_forks: bool,
        allowed_yanks: Iterable[tuple[NormalizedName, Version]] = (),
    ) -> None:
        self.context: _Context = (str(requires_python), _range_text(python), python_forks)
        self.made = _AHEAD.get(self.context, {})
        self._allowed: dict[str, set[Version]] = {}
        for package, version in allowed_yanks:
            self._allowed.setdefault(package, set()).add(version)

    def get(self, index: str, name: NormalizedName, releases: Sequence[Release]) -> _Made | None:
        """The table made ahead of this very page, unless a yank this lock allows (a version
        the existing lock holds, say) is of a version with a yanked file: that changes its
        rows."""
        found = self.made.get((index, name))
        if found is None or found[0] is not releases:
            return None
        allowed = self._allowed.get(name)
        return found if not allowed or allowed.isdisjoint(found[3]) else None

    def tell(self, index: str, name: NormalizedName) -> None:
        if len(_FRESH) < _FRESH_MOST:
            requires_python, python, python_forks = self.context
            _FRESH.append((index, name, requires_python, python, python_forks))


def _plain(name: NormalizedName, cutoff: datetime.datetime | None, binaries: BinaryPolicy) -> bool:
    """Whether ``name``'s tables may be those made ahead: no exclude-newer limit, wheels and
    builds allowed (the allowed yanks are ``TablesAhead.get``'s to look at)."""
    return cutoff is None and binaries.wheels_allowed(name) and binaries.builds_allowed(name)


def version_table(
    tables: dict[tuple[_K, PythonRange], CandidateTable],
    versions: dict[_K, list[VersionRow]],
    shared: dict[tuple[_K, tuple[tuple[Bound, bool], ...]], CandidateTable],
    key: _K,
    name: NormalizedName,
    releases: Sequence[Release],
    *,
    python: PythonRange,
    project_python: PythonRange,
    python_forks: bool,
    requires_python: SpecifierSet,
    cutoff: datetime.datetime | None,
    allowed_yanks: frozenset[tuple[NormalizedName, Version]],
    binaries: BinaryPolicy,
    ahead: TablesAhead | None = None,
) -> CandidateTable:
    """The ``CandidateTable`` of package ``name`` (its ``releases``) in a fork whose Python
    range is ``python``, kept in ``tables`` by ``key`` and range; its ``usable_versions`` in
    the project's Python range, kept in ``versions`` by ``key``. Both are the same in every
    fork of a resolution, so each is computed once; and forks whose ranges decide every
    version alike (``fork_decisions``, kept in ``shared`` by ``key`` and decisions: most
    packages, in most forks) share one table, its candidates and its answers. ``ahead``: the
    fork's tables made ahead by a warm server, taken for a package named by ``key`` alone
    under the plain settings, unless an allowed yank changes its rows (and told, when made
    here)."""
    table = tables.get((key, python))
    if table is not None:
        return table
    if ahead is not None and releases and key == name and _plain(name, cutoff, binaries):
        index = releases[0].index
        made = ahead.get(index, name, releases)
        if made is not None:
            versions.setdefault(key, made[1])
            table = tables[(key, python)] = made[2]
            return table
        ahead.tell(index, name)
    rows = versions.get(key)
    if rows is None:
        rows = versions[key] = usable_versions(
            name,
            releases,
            python=project_python,
            cutoff=cutoff,
            allowed_yanks=allowed_yanks,
            binaries=binaries,
        )
    table = tables[(key, python)] = _fork_table(
        shared, key, name, rows, python, python_forks, requires_python
    )
    return table


def _fork_table(
    shared: dict[tuple[_K, tuple[tuple[Bound, bool], ...]], CandidateTable],
    key: _K,
    name: NormalizedName,
    rows: list[VersionRow],
    python: PythonRange,
    python_forks: bool,
    requires_python: SpecifierSet,
) -> CandidateTable:
    """The table of ``rows`` in a fork whose Python range is ``python``: one per ``key`` and
    what the fork decides of each version (``fork_decisions``), kept in ``shared``."""
    decided = fork_decisions(rows, python=python, python_forks=python_forks)
    alike = (key, tuple(decided.values()))
    table = shared.get(alike)
    if table is None:
        table = shared[alike] = CandidateTable(
            fork_versions(name, rows, decided, requires_python=requires_python)
        )
    return table


def fresh_tables() -> list[tuple[str, str, str, _RangeText, bool]]:
    """The tables this process made under the plain settings since the last call (index,
    package, requires-python, fork range, Python forks): a warm server makes them ahead."""
    fresh = list(_FRESH)
    _FRESH.clear()
    return fresh


def tables_ahead() -> int:
    """How many tables this process made ahead."""
    return sum(len(made) for made in _AHEAD.values())


def make_ahead(
    told: Iterable[tuple[Any, ...]], pages: Mapping[tuple[str, str], Sequence[Release]]
) -> None:
    """Make the tables ``told`` (``fresh_tables``) of the pages this process keeps decoded
    (``pages``, by index and package), under the plain settings, for the next workers. What
    is not of that shape, or names a page not kept, is left for the run that meets it.
    Tables of a page no longer kept as it was are let go first (they would hold its old
    releases, and so its mapped cache entry, for nothing)."""
    for made in _AHEAD.values():
        for place in [place for place, kept in made.items() if pages.get(place) is not kept[0]]:
            del made[place]
    held = tables_ahead()
    rows_of: dict[tuple[str, str, str], list[VersionRow]] = {}
    yanked_of: dict[tuple[str, str], frozenset[Version]] = {}
    shared: dict[tuple[tuple[str, str, str], tuple[tuple[Bound, bool], ...]], CandidateTable] = {}
    for item in told:
        if len(item) != 5:
            continue
        index, name, requires_python, python_text, python_forks = item
        if not (
            isinstance(index, str)
            and isinstance(name, str)
            and isinstance(requires_python, str)
            and isinstance(python_forks, bool)
            and isinstance(python_text, tuple)
            and len(python_text) == 2
        ):
            continue
        releases = pages.get((index, name))
        if releases is None:
            continue
        try:
            python = (_bound(python_text[0]), _bound(python_text[1]))
            specifier = SpecifierSet(requires_python)
        except (ValueError, InvalidVersion, InvalidSpecifier):
            continue
        made_here = _AHEAD.setdefault((requires_python, python_text, python_forks), {})
        if (index, name) in made_here or held >= _AHEAD_MOST:
            continue  # made from this very page (the others were let go above), or too many
        package = NormalizedName(name)
        rows_key = (index, name, requires_python)
        rows = rows_of.get(rows_key)
        if rows is None:  # once per page and requires-python (``pages`` holds one per name)
            rows = rows_of[rows_key] = usable_versions(
                package,
                releases,
                python=specifier_range(specifier),
                cutoff=None,
                allowed_yanks=frozenset(),
                binaries=BinaryPolicy(),
            )
        yanked = yanked_of.get((index, name))
        if yanked is None:
            yanked = yanked_of[(index, name)] = frozenset(
                release.version
                for release in releases
                if any(facts.yanked is not None for facts in release.facts)
            )
        table = _fork_table(shared, rows_key, package, rows, python, python_forks, specifier)
        made_here[(index, name)] = (releases, rows, table, yanked)
        held += 1
