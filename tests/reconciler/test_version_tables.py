"""A package's version tables in the forks of one resolution
(reconciler/lock/resolve/selection.py ``version_table``): kept once per package and fork
Python range, and shared by the forks whose ranges decide every version alike."""

from __future__ import annotations

from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.python_range import specifier_range
from accord.model.uv_settings import BinaryPolicy
from accord.reconciler.fetch.index import IndexFile
from accord.reconciler.fetch.releases import listed_releases
from accord.reconciler.lock.resolve.selection import CandidateTable, version_table

PROJECT = NormalizedName("demo")
REQUIRES_PYTHON = SpecifierSet(">=3.10")


def _wheel(version: str, requires_python: str) -> IndexFile:
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
        yanked=None,
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
) -> CandidateTable:
    tables, versions, shared = stores
    return version_table(
        tables,
        versions,
        shared,
        PROJECT,
        PROJECT,
        RELEASES,
        python=specifier_range(SpecifierSet(python)),
        project_python=specifier_range(REQUIRES_PYTHON),
        python_forks=True,
        requires_python=REQUIRES_PYTHON,
        cutoff=None,
        allowed_yanks=frozenset(),
        binaries=BinaryPolicy(),
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
