"""A package's version tables in the forks of one resolution
(reconciler/lock/resolve/tables.py ``version_table``): kept once per package and fork
Python range, and shared by the forks whose ranges decide every version alike; and those a
warm server made ahead (``make_ahead``), taken by a later lock only for the very page they
were made from, under the plain settings."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.python_range import specifier_range
from accord.model.uv_settings import BinaryPolicy
from accord.reconciler.fetch.index import IndexFile
from accord.reconciler.fetch.releases import listed_releases
from accord.reconciler.lock.resolve import tables as ahead_tables
from accord.reconciler.lock.resolve.selection import CandidateTable
from accord.reconciler.lock.resolve.tables import (
    TablesAhead,
    fresh_tables,
    make_ahead,
    tables_ahead,
    version_table,
)

PROJECT = NormalizedName("demo")
REQUIRES_PYTHON = SpecifierSet(">=3.10")


def _wheel(version: str, requires_python: str, yanked: str | None = None) -> IndexFile:
    filename = f"demo-{version}-py3-none-any.whl"
    return IndexFile(
        filename=filename,
        url=f"https://files.invalid/{filename}",
        index="https://index.invalid/simple/",
        name=PROJECT,
        version=Version(version),
        is_wheel=True,
        tags=frozenset({"py3-none-any"}),
        sha256="ab" * 32,
        requires_python=SpecifierSet(requires_python),
        yanked=yanked,
        size=1234,
        upload_time="2024-01-01T00:00:00Z",
        has_metadata=False,
        metadata_sha256=None,
    )


RELEASES = listed_releases(
    (_wheel("3.0", ">=3.12"), _wheel("2.0", ">=3.10"), _wheel("1.0", ">=3.8"))
)


def _tables() -> tuple[dict[Any, CandidateTable], dict[Any, Any], dict[Any, CandidateTable]]:
    return {}, {}, {}


def _table(
    stores: tuple[dict[Any, CandidateTable], dict[Any, Any], dict[Any, CandidateTable]],
    python: str,
    *,
    releases: Any = RELEASES,
    ahead: TablesAhead | None = None,
    **settings: Any,
) -> CandidateTable:
    tables, versions, shared = stores
    plain: dict[str, Any] = {
        "cutoff": None,
        "allowed_yanks": frozenset(),
        "binaries": BinaryPolicy(),
    }
    return version_table(
        tables,
        versions,
        shared,
        PROJECT,
        PROJECT,
        releases,
        python=specifier_range(SpecifierSet(python)),
        project_python=specifier_range(REQUIRES_PYTHON),
        python_forks=True,
        requires_python=REQUIRES_PYTHON,
        ahead=ahead,
        **{**plain, **settings},
    )


def test_forks_whose_ranges_decide_alike_share_one_table() -> None:
    stores = _tables()
    newest = _table(stores, ">=3.12")
    assert _table(stores, ">=3.13") is newest  # 3.0 fits both: the same rows
    assert _table(stores, ">=3.12") is newest
    assert [(str(row[0]), row[2]) for row in newest.rows] == [
        ("3.0", None),
        ("2.0", None),
        ("1.0", None),
    ]


def test_a_fork_that_decides_otherwise_has_its_own_table() -> None:
    stores = _tables()
    newest = _table(stores, ">=3.12")
    whole = _table(stores, ">=3.10")
    assert whole is not newest
    # 3.0 needs Python 3.12: this fork would split there to take it.
    assert [(str(row[0]), row[2], row[3]) for row in whole.rows] == [
        ("3.0", (Version("3.12"), True), None),
        ("2.0", None, None),
        ("1.0", None, None),
    ]
    assert _table(stores, ">=3.11") is whole  # splits at 3.12 too
    below = _table(stores, ">=3.10, <3.11")  # cannot split there: 3.0 is no candidate
    assert below is not whole
    assert below.rows[0][3] == ("demo==3.0 requires Python >=3.12, but the project supports >=3.10")


@pytest.fixture
def no_tables_ahead() -> Any:
    """This process's tables made ahead and told, emptied before and after the test."""
    saved = dict(ahead_tables._AHEAD)
    ahead_tables._AHEAD.clear()
    fresh_tables()
    yield
    ahead_tables._AHEAD.clear()
    ahead_tables._AHEAD.update(saved)
    fresh_tables()


def _ahead(python: str) -> TablesAhead:
    return TablesAhead(REQUIRES_PYTHON, specifier_range(SpecifierSet(python)), True)


def test_a_table_made_here_is_told_and_made_ahead_for_a_later_lock(no_tables_ahead: Any) -> None:
    """A lock tells the tables it made under the plain settings; made again from the page
    kept (the very releases object), a later lock takes them without making its own."""
    made_here = _tables()
    first = _table(made_here, ">=3.10", ahead=_ahead(">=3.10"))
    told = fresh_tables()
    assert told == [(RELEASES[0].index, PROJECT, ">=3.10", (("3.10", True), None), True)]
    made = tables_ahead()
    make_ahead(told, {(RELEASES[0].index, PROJECT): RELEASES})
    assert tables_ahead() == made + 1
    stores = _tables()
    later = _table(stores, ">=3.10", ahead=_ahead(">=3.10"))
    assert later is not first and later.rows == first.rows  # made ahead, the same rows
    assert stores[1][PROJECT] == made_here[1][PROJECT]  # its rows kept, for the messages
    assert fresh_tables() == []  # nothing made here: nothing to tell
    assert _table(_tables(), ">=3.10", ahead=_ahead(">=3.10")) is later
    # Another fork's range was not made ahead: made here, and told.
    other = _table(_tables(), ">=3.12", ahead=_ahead(">=3.12"))
    assert other is not later
    assert [item[3] for item in fresh_tables()] == [(("3.12", True), None)]


def test_a_table_made_ahead_is_not_taken_for_another_page(no_tables_ahead: Any) -> None:
    """A page read again (another releases object, equal or not) is tabled afresh."""
    make_ahead(
        [(RELEASES[0].index, PROJECT, ">=3.10", (("3.10", True), None), True)],
        {(RELEASES[0].index, PROJECT): RELEASES},
    )
    ahead = _ahead(">=3.10")
    kept = _table(_tables(), ">=3.10", ahead=ahead)
    assert fresh_tables() == []  # taken as made ahead
    again = listed_releases((_wheel("3.0", ">=3.12"), _wheel("2.0", ">=3.10")))
    fresh = _table(_tables(), ">=3.10", releases=again, ahead=ahead)
    assert fresh is not kept
    assert [str(row[0]) for row in fresh.rows] == ["3.0", "2.0"]
    told = fresh_tables()
    assert len(told) == 1  # made here: told again
    # The server keeps that page now: the table of the page it no longer keeps is let go.
    made = tables_ahead()
    make_ahead(told, {(RELEASES[0].index, PROJECT): again})
    assert tables_ahead() == made
    assert _table(_tables(), ">=3.10", releases=again, ahead=_ahead(">=3.10")).rows == fresh.rows
    assert fresh_tables() == []
    assert _table(_tables(), ">=3.10", ahead=_ahead(">=3.10")) is not kept


@pytest.mark.parametrize(
    "settings",
    [
        {"cutoff": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)},
        {"binaries": BinaryPolicy(no_binary=frozenset({PROJECT}))},
        {"binaries": BinaryPolicy(no_build_all=True)},
    ],
    ids=["exclude-newer", "no-binary", "no-build"],
)
def test_a_table_made_ahead_is_only_for_the_plain_settings(
    no_tables_ahead: Any, settings: dict[str, Any]
) -> None:
    """Under exclude-newer, or no-binary/no-build for the package, a lock makes its own
    table, and tells none."""
    make_ahead(
        [(RELEASES[0].index, PROJECT, ">=3.10", (("3.10", True), None), True)],
        {(RELEASES[0].index, PROJECT): RELEASES},
    )
    ahead = _ahead(">=3.10")
    plain = _table(_tables(), ">=3.10", ahead=ahead)
    own = _table(_tables(), ">=3.10", ahead=ahead, **settings)
    assert own is not plain
    assert fresh_tables() == []


def test_what_is_told_out_of_shape_is_left(no_tables_ahead: Any) -> None:
    pages = {(RELEASES[0].index, PROJECT): RELEASES}
    made = tables_ahead()
    make_ahead(
        [
            (RELEASES[0].index, PROJECT, ">=3.10", (("3.10", True), None)),  # short
            (RELEASES[0].index, PROJECT, "not a specifier", (None, None), True),
            (RELEASES[0].index, PROJECT, ">=3.10", (("x.y", True), None), True),
            (RELEASES[0].index, PROJECT, ">=3.10", (("3.10", "yes"), None), True),
            (RELEASES[0].index, "other", ">=3.10", (None, None), True),  # no page kept
            (1, PROJECT, ">=3.10", (None, None), True),
            (RELEASES[0].index, PROJECT, 310, (None, None), True),
            (RELEASES[0].index, PROJECT, ">=3.10", (None, None), "yes"),
            (RELEASES[0].index, PROJECT, ">=3.10", "3.10", True),
            (RELEASES[0].index, PROJECT, ">=3.10", (None,), True),
        ],
        pages,
    )
    assert tables_ahead() == made


def test_an_allowed_yank_takes_a_table_made_ahead_only_if_no_file_of_it_is_yanked(
    no_tables_ahead: Any,
) -> None:
    """A lock allows the yanks of the versions its existing lock holds (and of ``==`` pins):
    that changes the rows only of a version with a yanked file. The table made ahead (with no
    yank allowed) is taken for the others, and not for that one."""
    yanked = listed_releases(
        (_wheel("3.0", ">=3.10", yanked="broken"), _wheel("2.0", ">=3.10"), _wheel("1.0", ">=3.8"))
    )
    page = (RELEASES[0].index, PROJECT)
    make_ahead([(*page, ">=3.10", (("3.10", True), None), True)], {page: yanked})
    made = _table(_tables(), ">=3.10", releases=yanked, ahead=_ahead(">=3.10"))
    assert made.rows[0][3] == "demo==3.0 was yanked (reason: broken)"

    def allowing(version: str) -> TablesAhead:
        allowed = {(PROJECT, Version(version)), (NormalizedName("other"), Version("3.0"))}
        python = specifier_range(SpecifierSet(">=3.10"))
        return TablesAhead(REQUIRES_PYTHON, python, True, allowed)

    assert fresh_tables() == []
    allowed = {"allowed_yanks": frozenset({(PROJECT, Version("2.0"))})}
    kept = _table(_tables(), ">=3.10", releases=yanked, ahead=allowing("2.0"), **allowed)
    assert kept is made and fresh_tables() == []  # 2.0 has no yanked file
    allowed = {"allowed_yanks": frozenset({(PROJECT, Version("3.0"))})}
    own = _table(_tables(), ">=3.10", releases=yanked, ahead=allowing("3.0"), **allowed)
    assert own is not made
    assert [row[3] for row in own.rows] == [None, None, None]  # 3.0 is a candidate here
