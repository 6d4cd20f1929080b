"""A version's own requirements split into ``Req``s (reconciler/lock/resolve/requirements.py
``own_splits``): made once per process for the same metadata, package, extra and asker, equal
to ``split_pairs`` of its requirement pairs; and made by a warm server for the metadata a
worker told it (``warm_up.learn``), so that its next workers find them made."""

from __future__ import annotations

from packaging.utils import NormalizedName

from accord.reconciler.fetch.core_metadata import parse_metadata
from accord.reconciler.lock.resolve import requirements
from accord.reconciler.lock.resolve.requirements import (
    own_requirements,
    own_splits,
    split_pairs,
)
from accord.reconciler.lock.warm_up import learn

_RAW = (
    b"Metadata-Version: 2.1\n"
    b"Name: Split-Demo\n"
    b"Version: 1.4\n"
    b"Requires-Dist: idna>=2.8\n"
    b"Requires-Dist: colorama; sys_platform == 'win32'\n"
    b"Requires-Dist: pytest>=7; extra == 'test'\n"
    b"Provides-Extra: test\n"
)
_NAME = NormalizedName("split-demo")


def _described(splits: list[requirements.Split]) -> list[tuple[str, list[str]]]:
    return [(str(marker), [req.describe() for req in reqs]) for marker, reqs in splits]


def test_own_splits_are_split_pairs_made_once() -> None:
    metadata = parse_metadata(_RAW + b"Requires-Dist: packaging\n")
    made = own_splits(metadata, _NAME, None, "split-demo==1.4")
    expected = split_pairs(own_requirements(metadata, _NAME, None), "split-demo==1.4", {})
    assert _described(made) == _described(expected)
    assert [req.parent for _, reqs in made for req in reqs] == ["split-demo==1.4"] * 3
    assert own_splits(metadata, _NAME, None, "split-demo==1.4") is made
    # Another asker, or an extra, is another split.
    assert own_splits(metadata, _NAME, None, "other==1") is not made
    extra = own_splits(metadata, _NAME, "test", "split-demo==1.4")
    assert "pytest>=7" in [req.describe() for _, reqs in extra for req in reqs]


def test_a_warm_server_makes_the_splits_of_the_metadata_it_learns() -> None:
    raw = _RAW + b"Requires-Dist: urllib3<3\n"
    learn({"parsed": [raw], "extras": [("split-demo", "1.4", "test")]})
    metadata = parse_metadata(raw)  # the object the server parsed
    for extra in (None, "test"):
        pairs = own_requirements(metadata, _NAME, extra)
        assert requirements._SPLITS.get(pairs, "split-demo==1.4") is not None, extra
    assert requirements._SPLITS.get(own_requirements(metadata, _NAME, None), "x==1") is None
