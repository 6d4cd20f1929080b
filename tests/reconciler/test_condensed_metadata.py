"""Core metadata as the cache keeps it (reconciler/fetch/core_metadata.py): the fields a
resolution reads, condensed under the hash they were checked against, and parsed alike."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from accord.reconciler.errors import MetadataInvalid
from accord.reconciler.fetch import core_metadata
from accord.reconciler.fetch.core_metadata import (
    condense_metadata,
    condensed_for,
    parse_metadata,
)
from accord.reconciler.fetch.index import IndexClient
from fixtures.index import IndexServer, build_index

IDENT = "ab" * 32

MODERN = (
    b"Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 1.0.post1\nSummary: a demo\n"
    b"Classifier: Programming Language :: Python\nRequires-Python: >=3.9, <4\n"
    b"Requires-Dist: dep-a>=1.0\nRequires-Dist: dep-b ; python_version < '3.11'\n"
    b'Requires-Dist: colorful>=1; extra == "color"\nProvides-Extra: color\n'
    b"Provides-Extra: Fast_Mode\n\nRequires-Dist: in-the-body-not-a-field\n"
)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(MODERN, id="modern"),
        pytest.param(MODERN.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(MODERN.replace(b"a demo", b"caf\xe9 \xff"), id="not-utf-8"),
        pytest.param(MODERN.replace(b"Fast_Mode", b"Fast\xff_Mode"), id="not-utf-8-in-a-value"),
        pytest.param(
            b"Metadata-Version: 1.0\nName: old\nVersion: 0.1\nDescription: line one\n"
            b"        line two\n        line three\nRequires-Dist: dep-a\n",
            id="description-of-many-lines",
        ),
        pytest.param(b"Name: bare\nVersion: 2\nRequires-Python: \n", id="empty-requires-python"),
        pytest.param(b"From here\nName: mailbox\nVersion: 3\n", id="from-line"),
    ],
)
def test_condensed_metadata_parses_as_the_whole(raw: bytes) -> None:
    condensed = condense_metadata(raw, IDENT)
    assert condensed is not None
    assert condensed_for(condensed) == IDENT and condensed_for(raw) is None
    assert parse_metadata(condensed) == parse_metadata(raw)
    assert b"Classifier" not in condensed and b"Summary" not in condensed


def test_condensed_metadata_fails_as_the_whole_fails() -> None:
    raw = b"Metadata-Version: 2.1\nName: Broken_Pkg\nVersion: 1.0\nRequires-Dist: dep-b >=\n"
    condensed = condense_metadata(raw, IDENT)
    assert condensed is not None
    with pytest.raises(MetadataInvalid) as whole:
        parse_metadata(raw)
    with pytest.raises(MetadataInvalid) as kept:
        parse_metadata(condensed)
    assert kept.value.message == whole.value.message


@pytest.mark.parametrize(
    ("raw", "ident"),
    [
        pytest.param(
            b"Name: wrapped\nVersion: 1\nRequires-Dist: dep-a\n  >=1\n",
            IDENT,
            id="value-spans-lines",
        ),
        pytest.param(MODERN, "not hex", id="ident-not-hex"),
        pytest.param(MODERN, "ab\nName: evil", id="ident-with-a-line"),
    ],
)
def test_metadata_that_cannot_be_condensed_is_kept_whole(raw: bytes, ident: str) -> None:
    assert condense_metadata(raw, ident) is None


def _cached(cache: Path, url: str) -> Path:
    return cache / "metadata" / hashlib.sha256(url.encode()).hexdigest()


def _dep_a_index(dists_dir: Path, root: Path) -> Path:
    return build_index(sorted(dists_dir.glob("dep_a-*")), root)


def test_metadata_an_older_accord_kept_whole_is_used_and_condensed(
    dists_dir: Path, tmp_path: Path
) -> None:
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    (whole_file,) = simple.glob("dep-a/*.metadata")
    whole = whole_file.read_bytes()
    cache = tmp_path / "cache"
    with IndexServer(simple) as server, IndexClient([server.url], cache_dir=cache) as client:
        (wheel,) = client.files("dep-a")
        kept = _cached(cache, wheel.url)
        kept.parent.mkdir(parents=True)
        kept.write_bytes(whole)  # as accord kept it before
        answered = client.metadata(wheel)
        assert server.requests[f"/simple/dep-a/{wheel.filename}.metadata"] == 0
    assert answered == kept.read_bytes()
    assert condensed_for(answered) == wheel.metadata_sha256
    assert parse_metadata(answered) == parse_metadata(whole)


@pytest.mark.parametrize("held", ["condensed-for-another-hash", "whole-with-another-hash"])
def test_metadata_kept_for_another_hash_is_fetched_again(
    dists_dir: Path, tmp_path: Path, held: str
) -> None:
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    (whole_file,) = simple.glob("dep-a/*.metadata")
    stale = whole_file.read_bytes().replace(b"Requires-Dist: dep-b>=1.0", b"Requires-Dist: evil")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server, IndexClient([server.url], cache_dir=cache) as client:
        (wheel,) = client.files("dep-a")
        kept = _cached(cache, wheel.url)
        kept.parent.mkdir(parents=True)
        other = condense_metadata(stale, "cd" * 32)
        assert other is not None
        kept.write_bytes(other if held.startswith("condensed") else stale)
        answered = client.metadata(wheel)
        assert server.requests[f"/simple/dep-a/{wheel.filename}.metadata"] == 1
    assert parse_metadata(answered) == parse_metadata(whole_file.read_bytes())
    assert condensed_for(kept.read_bytes()) == wheel.metadata_sha256


def test_metadata_of_a_file_without_hashes_is_kept_whole(dists_dir: Path, tmp_path: Path) -> None:
    """Nothing to check it against: no condensed form (it would be named by no hash)."""
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    (page,) = simple.glob("dep-a/index.json")
    data = json.loads(page.read_text(encoding="utf-8"))
    for entry in data["files"]:
        entry["hashes"] = {}
        entry["core-metadata"] = entry["dist-info-metadata"] = True
    page.write_text(json.dumps(data), encoding="utf-8")
    (whole_file,) = simple.glob("dep-a/*.metadata")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server, IndexClient([server.url], cache_dir=cache) as client:
        (wheel,) = client.files("dep-a")
        assert wheel.sha256 is None and wheel.metadata_sha256 is None
        assert client.metadata(wheel) == whole_file.read_bytes()
    assert _cached(cache, wheel.url).read_bytes() == whole_file.read_bytes()


@pytest.fixture
def forget_read() -> Iterator[None]:
    """Each client after the first reads the disk cache, not what this process kept of it
    (``kept_metadata`` answers later clients from memory, as a warm server's workers)."""
    core_metadata._READ.clear()
    yield
    core_metadata._READ.clear()


def _served(server: IndexServer, wheel_name: str) -> int:
    return server.requests[f"/simple/dep-a/{wheel_name}.metadata"]


@pytest.mark.usefixtures("forget_read")
def test_condensed_metadata_is_answered_from_the_cache(dists_dir: Path, tmp_path: Path) -> None:
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server:
        with IndexClient([server.url], cache_dir=cache) as first:
            (wheel,) = first.files("dep-a")
            made = first.metadata(wheel)
        core_metadata._READ.clear()
        with IndexClient([server.url], cache_dir=cache) as second:
            assert second.metadata(wheel) == made
        assert _served(server, wheel.filename) == 1
    assert condensed_for(made) == wheel.metadata_sha256


@pytest.mark.usefixtures("forget_read")
def test_a_listing_without_hashes_takes_what_the_cache_keeps(
    dists_dir: Path, tmp_path: Path
) -> None:
    """As before: without a metadata hash to hold it to, the cache answers whatever it has
    (here what a listing with hashes kept condensed), offline too."""
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server, IndexClient([server.url], cache_dir=cache) as client:
        (wheel,) = client.files("dep-a")
        made = client.metadata(wheel)
    core_metadata._READ.clear()
    bare = attrs.evolve(wheel, sha256=None, metadata_sha256=None, has_metadata=False)
    with IndexClient([server.url], cache_dir=cache, offline=True) as offline:
        assert offline.metadata(bare) == made


@pytest.mark.usefixtures("forget_read")
def test_metadata_kept_whole_is_answered_from_the_cache(dists_dir: Path, tmp_path: Path) -> None:
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    (whole_file,) = simple.glob("dep-a/*.metadata")
    whole_file.write_bytes(whole_file.read_bytes() + b"Requires-Dist: dep-b\n  >=1.0\n")
    (page,) = simple.glob("dep-a/index.json")
    data = json.loads(page.read_text(encoding="utf-8"))
    for entry in data["files"]:
        entry["core-metadata"] = entry["dist-info-metadata"] = True  # no hash to check it by
    page.write_text(json.dumps(data), encoding="utf-8")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server:
        with IndexClient([server.url], cache_dir=cache) as first:
            (wheel,) = first.files("dep-a")
            assert first.metadata(wheel) == whole_file.read_bytes()  # a value of two lines
        core_metadata._READ.clear()
        with IndexClient([server.url], cache_dir=cache) as second:
            assert second.metadata(wheel) == whole_file.read_bytes()
        assert _served(server, wheel.filename) == 1


@pytest.mark.usefixtures("forget_read")
def test_metadata_read_from_the_wheel_is_not_kept_under_the_metadata_hash(
    dists_dir: Path, tmp_path: Path
) -> None:
    """The page names a metadata file (by a hash the wheel's own METADATA does not have) that
    is not there: the wheel's METADATA is kept whole, and the metadata file is asked for
    again."""
    simple = _dep_a_index(dists_dir, tmp_path / "index")
    (whole_file,) = simple.glob("dep-a/*.metadata")
    other = hashlib.sha256(whole_file.read_bytes() + b"Summary: not the wheel's\n").hexdigest()
    (page,) = simple.glob("dep-a/index.json")
    data = json.loads(page.read_text(encoding="utf-8"))
    for entry in data["files"]:
        entry["core-metadata"] = entry["dist-info-metadata"] = {"sha256": other}
    page.write_text(json.dumps(data), encoding="utf-8")
    whole_file.unlink()  # advertised, and a 404
    cache = tmp_path / "cache"
    with IndexServer(simple) as server:
        with IndexClient([server.url], cache_dir=cache) as first:
            (wheel,) = first.files("dep-a")
            assert wheel.metadata_sha256 == other
            answered = first.metadata(wheel)
        assert condensed_for(answered) is None
        assert _cached(cache, wheel.url).read_bytes() == answered
        core_metadata._READ.clear()
        with IndexClient([server.url], cache_dir=cache) as second:
            assert second.metadata(wheel) == answered
        assert _served(server, wheel.filename) == 2
