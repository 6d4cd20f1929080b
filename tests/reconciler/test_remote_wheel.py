"""reconciler.fetch.remote_wheel on in-memory zips: ranges asked for, ZIP64, when it gives up."""

from __future__ import annotations

import io
import random
import zipfile

from packaging.utils import canonicalize_name

from accord.reconciler.fetch.remote_wheel import TAIL, Slice, metadata_member, read_metadata

METADATA = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: dep-a\n"
DEMO = canonicalize_name("demo")


class _Ranges:
    """Serves byte ranges of data as a 206-answering server would, and logs what was asked."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.asked: list[tuple[int, int]] = []

    def __call__(self, first: int, last: int) -> Slice | None:
        self.asked.append((first, last))
        size = len(self.data)
        start, stop = (max(0, size + first), size) if first < 0 else (first, min(size, last + 1))
        return Slice(start, size, self.data[start:stop])

    @property
    def sent(self) -> int:
        size = len(self.data)
        return sum(
            size - max(0, size + first) if first < 0 else min(size, last + 1) - first
            for first, last in self.asked
        )


def _wheel(members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def test_metadata_at_the_end_takes_one_request() -> None:
    data = _wheel([("demo/__init__.py", b""), ("demo-1.0.dist-info/METADATA", METADATA)])
    ranges = _Ranges(data)
    assert read_metadata(ranges, DEMO, len(data)) == METADATA
    assert ranges.asked == [(0, len(data) - 1)]


def test_unknown_size_asks_for_a_suffix() -> None:
    data = _wheel([("demo-1.0.dist-info/METADATA", METADATA)], method=zipfile.ZIP_STORED)
    ranges = _Ranges(data)
    assert read_metadata(ranges, DEMO, None) == METADATA
    assert ranges.asked == [(-TAIL, 0)]


def test_metadata_far_from_the_end_is_fetched_alone() -> None:
    blob = random.Random(1).randbytes(300_000)
    data = _wheel([("demo-1.0.dist-info/METADATA", METADATA), ("demo/blob.bin", blob)])
    ranges = _Ranges(data)
    assert read_metadata(ranges, DEMO, len(data)) == METADATA
    assert len(ranges.asked) == 2
    assert ranges.sent < TAIL + 1024


def test_zip64_with_a_large_central_directory() -> None:
    members = [(f"demo/m{number}.py", b"") for number in range(65_600)]
    data = _wheel([*members, ("demo-1.0.dist-info/METADATA", METADATA)])
    assert b"PK\x06\x06" in data[-TAIL:]  # zipfile wrote the ZIP64 records
    ranges = _Ranges(data)
    assert read_metadata(ranges, DEMO, len(data)) == METADATA
    # The tail, the rest of the central directory, then METADATA (just before it).
    assert len(ranges.asked) == 3


def test_the_dist_info_named_for_the_project_wins() -> None:
    names = ["vendored-2.0.dist-info/METADATA", "demo-1.0.dist-info/METADATA", "a/b/METADATA"]
    assert metadata_member(names, DEMO) == "demo-1.0.dist-info/METADATA"
    assert metadata_member(["x/METADATA"], DEMO) is None


def test_gives_up_on_what_it_cannot_trust() -> None:
    data = _wheel([("demo-1.0.dist-info/METADATA", METADATA)], method=zipfile.ZIP_STORED)
    # Bytes before the zip shift every offset: zipfile copes, a wheel never has them.
    assert read_metadata(_Ranges(b"#!stub\n" + data), DEMO, len(data) + 7) is None
    # A METADATA whose bytes do not match its CRC.
    corrupt = data.replace(b"Requires-Dist: dep-a", b"Requires-Dist: dep-b", 1)
    assert read_metadata(_Ranges(corrupt), DEMO, len(corrupt)) is None
    # No METADATA at all, and not a zip at all.
    other = _wheel([("demo/__init__.py", b"")])
    assert read_metadata(_Ranges(other), DEMO, len(other)) is None
    assert read_metadata(_Ranges(b"not a zip" * 10), DEMO, 90) is None
    # The index gave a size the server disagrees with, or the server answered nothing useful.
    assert read_metadata(_Ranges(data), DEMO, len(data) + 1) is None
    assert read_metadata(lambda first, last: None, DEMO, len(data)) is None
