"""`tool.uv.dependency-metadata` entries: uv's spelling, its lookup, and bad entries."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from accord.model.dependency_metadata import (
    DependencyMetadataInvalid,
    find_static_metadata,
    read_dependency_metadata,
)


@pytest.mark.parametrize(
    ("written", "recorded"),
    [
        pytest.param("dm-c<2", "dm-c<2", id="plain"),
        pytest.param("DM_C >= 1.0, <3", "dm-c>=1.0,<3", id="order-kept"),
        pytest.param("x (>=1,<2)", "x>=1,<2", id="parenthesised"),
        pytest.param("Dm_B[Z,y]", "dm-b[z,y]", id="extras-in-order"),
        pytest.param(
            "a; sys_platform == 'linux' and python_version >= '3.9'",
            "a ; python_full_version >= '3.9' and sys_platform == 'linux'",
            id="marker",
        ),
        pytest.param("a @ https://x/a-1.whl", "a @ https://x/a-1.whl", id="url"),
    ],
)
def test_dependency_metadata_requirement_spelling(written: str, recorded: str) -> None:
    (entry,) = read_dependency_metadata([{"name": "p", "requires-dist": [written]}], "k")
    assert entry.requires_dist == (recorded,)


def test_dependency_metadata_fields_spelling() -> None:
    (entry,) = read_dependency_metadata(
        [{"name": "P_Q", "requires-python": ">= 3.8, <4", "provides-extras": ["Foo_Bar", "a"]}],
        "k",
    )
    assert (entry.name, entry.requires_python, entry.provides_extras) == (
        "p-q",
        ">=3.8, <4",
        ("foo-bar", "a"),
    )


def test_dependency_metadata_exact_version_before_any_version() -> None:
    entries = read_dependency_metadata(
        [
            {"name": "p", "requires-dist": ["any"]},
            {"name": "p", "version": "1.0.0", "requires-dist": ["one"]},
        ],
        "k",
    )
    name = canonicalize_name("p")
    assert find_static_metadata(entries, name, Version("1.0")) == entries[1]
    assert find_static_metadata(entries, name, Version("2")) == entries[0]
    assert find_static_metadata(entries, canonicalize_name("q"), Version("1")) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param({"name": "p"}, "`k` must be a list of tables", id="not-a-list"),
        pytest.param([{"version": "1"}], "`k[0]`: `name` must be a package name", id="no-name"),
        pytest.param([{"name": "p", "extra": 1}], "`k[0]`: unknown field `extra`", id="unknown"),
        pytest.param([{"name": "p", "requires-dist": ["!"]}], "`k[0]`: ", id="bad-requirement"),
    ],
)
def test_dependency_metadata_invalid(value: object, message: str) -> None:
    with pytest.raises(DependencyMetadataInvalid) as caught:
        read_dependency_metadata(value, "k")
    assert str(caught.value).startswith(message)
