"""The compact form of a project page (reconciler/fetch/releases.py): what goes in comes back,
version by version, and a version's files are decoded only when read."""

from __future__ import annotations

import mmap
from pathlib import Path

import attrs
import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.reconciler.fetch.index import IndexClient, IndexFile
from accord.reconciler.fetch.releases import (
    FileSelection,
    decode_page,
    encode_page,
    listed_releases,
)
from fixtures.index import IndexServer

INDEX = "https://index.invalid/simple/"
PROJECT = NormalizedName("demo")


def _file(filename: str, version: str, **fields: object) -> IndexFile:
    values: dict[str, object] = {
        "filename": filename,
        "url": f"https://files.invalid/{filename}",
        "index": INDEX,
        "name": PROJECT,
        "version": Version(version),
        "is_wheel": filename.endswith(".whl"),
        "tags": frozenset({"py3-none-any"}) if filename.endswith(".whl") else frozenset(),
        "sha256": "ab" * 32,
        "requires_python": None,
        "yanked": None,
        "size": 1234,
        "upload_time": "2024-01-01T00:00:00Z",
        "has_metadata": False,
        "metadata_sha256": None,
    }
    values.update(fields)
    return IndexFile(**values)  # type: ignore[arg-type]


PAGE = (
    _file("demo-0.9.tar.gz", "0.9", yanked="broken", upload_time=None, size=None),
    _file("demo-1.0.tar.gz", "1.0", requires_python=SpecifierSet(">=3.8")),
    _file(
        "demo-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "1.0.0",  # the same version spelled otherwise: one release, each file keeps its own
        tags=frozenset({"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}),
        requires_python=SpecifierSet(">=3.8"),
        has_metadata=True,
        metadata_sha256="cd" * 32,
    ),
    _file("demo-2.0rc1-py3-none-any.whl", "2.0rc1", yanked=""),
    _file("demo-1.0-py3-none-any.whl", "1.0", requires_python=SpecifierSet("<4,>=3.8")),
    _file("demo-1.0.zip", "1.0", sha256=None),
)


def test_encode_page_round_trip_keeps_every_file_by_version_in_page_order() -> None:
    releases = decode_page(encode_page(PAGE), 0, INDEX, PROJECT)

    assert [str(r.version) for r in releases] == ["2.0rc1", "1.0", "0.9"]
    # the version as the page's first file of it spells it
    assert [len(r.facts) for r in releases] == [1, 4, 1]
    decoded = [file for release in releases for file in release.files()]
    by_version = sorted(PAGE, key=lambda f: f.version, reverse=True)  # stable: page order
    assert decoded == by_version
    assert [str(f.version) for f in releases[1].files()] == ["1.0", "1.0.0", "1.0", "1.0"]


def test_encode_page_of_nothing_is_no_release() -> None:
    assert decode_page(encode_page(()), 0, INDEX, PROJECT) == ()


def test_decode_page_reads_at_an_offset_of_a_mapped_file(tmp_path: Path) -> None:
    kept = tmp_path / "page"
    kept.write_bytes(b"some header\n" + encode_page(PAGE))
    with kept.open("rb") as stream:
        mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    releases = decode_page(mapped, len(b"some header\n"), INDEX, PROJECT)
    expected = decode_page(encode_page(PAGE), 0, INDEX, PROJECT)
    assert [(r.version, r.facts, r.files()) for r in releases] == [
        (r.version, r.facts, r.files()) for r in expected
    ]


def _resident_kib(path: Path) -> int:
    """How much of the file at ``path`` this process's mappings hold in memory (Rss)."""
    resident, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's first line
            inside = len(fields) >= 6 and fields[5] == str(path)
        elif inside and fields[0] == "Rss:":
            resident += int(fields[1])
    return resident


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux reports mappings")
def test_decoding_a_mapped_page_leaves_none_of_it_in_the_process(tmp_path: Path) -> None:
    """What was read of a kept page is copied and let go of: a resolution reads hundreds."""
    many = tuple(
        _file(f"demo-{n}.0-cp311-cp311-manylinux_2_17_x86_64.whl", f"{n}.0") for n in range(3000)
    )
    kept = tmp_path / "page"
    kept.write_bytes(encode_page(many))  # about 1 MiB, in the kernel's cache
    with kept.open("rb") as stream:
        mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    releases = decode_page(mapped, 0, INDEX, PROJECT)
    files = [file for release in releases[::7] for file in release.files()]
    assert len(files) == len(releases[::7]) and _resident_kib(kept) == 0
    mapped.close()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut-short"),
        pytest.param(lambda data: data[:5], id="no-head"),
        pytest.param(lambda data: b"\x00" * 8 + data[8:], id="head-length-zero"),
        pytest.param(lambda data: b"not a page at all", id="garbage"),
    ],
)
def test_decode_page_refuses_a_damaged_page(damage: object) -> None:
    data = damage(encode_page(PAGE))  # type: ignore[operator]
    with pytest.raises(ValueError):
        decode_page(data, 0, INDEX, PROJECT)


def test_release_facts_are_shared_and_files_decoded_only_when_read() -> None:
    other = (
        _file("other-1.0-py3-none-any.whl", "1.0", requires_python=SpecifierSet(">=3.8")),
        _file("other-1.1-py3-none-any.whl", "1.1", requires_python=SpecifierSet(">=3.8")),
    )
    newer, older = decode_page(encode_page(other), 0, INDEX, PROJECT)
    assert newer.facts[0] is older.facts[0]  # one object for every file alike
    assert newer.facts is older.facts  # and one tuple for versions whose files are alike
    assert newer.facts[0].requires_python == SpecifierSet(">=3.8")
    assert newer._files is None  # nothing decoded yet
    assert newer.files() == (other[1],)
    assert newer.files() is newer.files()  # kept once read
    assert older._files is None


def test_file_selection_is_a_lazy_sequence_equal_by_release_and_positions() -> None:
    (_, release, _) = decode_page(encode_page(PAGE), 0, INDEX, PROJECT)
    chosen = release.select((1, 3))
    assert len(chosen) == 2 and release._files is None
    assert [facts.is_wheel for facts in chosen.facts] == [True, False]
    assert release._files is None
    assert [f.filename for f in chosen] == [
        "demo-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-1.0.zip",
    ]
    assert chosen[-1].filename == "demo-1.0.zip"
    assert [f.filename for f in chosen[:1]] == [chosen[0].filename]
    assert chosen == release.select((1, 3))
    assert hash(chosen) == hash(release.select((1, 3)))
    assert chosen != release.select((1,))
    twin = decode_page(encode_page(PAGE), 0, INDEX, PROJECT)[1]
    assert chosen != twin.select((1, 3))  # another page's release, though alike


def test_release_with_rank_marks_every_file() -> None:
    (release,) = decode_page(encode_page(PAGE[:1]), 0, INDEX, PROJECT)
    ranked = release.with_rank(2)
    assert ranked.rank == 2 and release.rank == 0
    assert [f.rank for f in ranked.files()] == [2]
    assert release.files() == PAGE[:1]
    assert release.with_rank(0) is release


def test_listed_releases_group_files_in_memory_by_first_appearance() -> None:
    flat = tuple(attrs.evolve(f, flat=True) for f in PAGE[1:3])
    (release,) = listed_releases(flat)
    assert str(release.version) == "1.0"
    assert release.files() == flat
    assert [facts.is_wheel for facts in release.facts] == [False, True]
    assert release.index == INDEX


@pytest.mark.parametrize("project", ["pkg", "newpy", "native", "dep-a", "dep-b"])
def test_encode_page_round_trip_of_the_test_index(
    index: IndexServer, tmp_path: Path, project: str
) -> None:
    # The fixture index's pages, as the client reads them, survive the compact form.
    with IndexClient([index.url], cache_dir=tmp_path) as client:
        files = client.files(project)
    assert files
    releases = decode_page(encode_page(files), 0, index.url, NormalizedName(project))
    assert tuple(f for r in releases for f in r.files()) == files
    assert all(isinstance(r.select(tuple(range(len(r.facts)))), FileSelection) for r in releases)
