"""A wheel's core metadata read with HTTP Range requests, without downloading the wheel.

For indexes without PEP 658 metadata files (pip's ``lazy_wheel``, uv's remote zip reading).
A zip keeps its directory at the end, so reading the last ``TAIL`` bytes usually yields the
End Of Central Directory record, the central directory and, because wheel builders write
``.dist-info`` last, the METADATA member itself: one request for most wheels, at most three.

This module only parses (and ``wheel_metadata`` reads a whole wheel on disk, the fallback).
The caller supplies ``fetch``, which asks for one byte range and
answers a ``Slice`` or None (the server did not answer 206, or answered something odd).
Every function answers None for anything it does not understand or cannot check (a
prepended stub, a multi-disk zip, an unknown compression, a CRC mismatch): the caller then
downloads the whole wheel, so a None here costs bandwidth, never correctness. The metadata
cannot be checked against the wheel's sha256 (uv accepts this too); the wheel itself is
verified when it is installed.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.reconciler.errors import DistributionInvalid

__all__ = [
    "TAIL",
    "Fetch",
    "Slice",
    "metadata_member",
    "ranged_slice",
    "read_metadata",
    "wheel_metadata",
]

TAIL = 1 << 16
"""Bytes read from the end first: the EOCD (22 bytes, plus a comment wheels do not have) and,
for most wheels, the whole central directory and the METADATA member before it."""

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+)", re.ASCII)
_MAX_MEMBER = 1 << 24  # a METADATA bigger than 16 MiB is not worth special-casing

_EOCD = struct.Struct("<4s4H2LH")  # signature, disks, entries, cd size, cd offset, comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # signature, disk, zip64 EOCD offset, disks
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")  # ..., entries on disk, entries, cd size, cd offset
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")


@attrs.frozen
class Slice:
    """Bytes ``start`` to ``start + len(data)`` of a file of ``total`` bytes."""

    start: int
    total: int
    data: bytes

    @property
    def stop(self) -> int:
        return self.start + len(self.data)


Fetch = Callable[[int, int], Slice | None]
"""``fetch(first, last)`` gets bytes first..last inclusive (an HTTP ``Range: bytes=first-last``);
``first`` negative asks for the last ``-first`` bytes (``Range: bytes=-n``) and ``last`` is
ignored."""


@attrs.frozen(kw_only=True)
class _Member:
    name: str
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int


def metadata_member(names: Iterable[str], project: NormalizedName) -> str | None:
    """The wheel's ``<name>-<version>.dist-info/METADATA`` among names; None unless exactly one.

    Several top-level ``.dist-info`` directories happen (vendored copies); then the one named
    for the project wins, as pip chooses.
    """
    candidates = [
        name for name in names if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
    ]
    if len(candidates) > 1:
        candidates = [
            name for name in candidates if canonicalize_name(name.split("-", 1)[0]) == project
        ]
    return candidates[0] if len(candidates) == 1 else None


def ranged_slice(content_range: str, data: bytes) -> Slice | None:
    """The Slice a 206 answer with this Content-Range header and body carries; None for a
    multipart answer, none at all, or a body that does not match the header."""
    match = _CONTENT_RANGE.fullmatch(content_range.strip())
    if match is None:
        return None
    start, end, total = (int(group) for group in match.groups())
    if end - start + 1 != len(data) or end >= total:
        return None
    return Slice(start, total, data)


def wheel_metadata(wheel: Path, filename: str, project: NormalizedName) -> bytes:
    """``<name>-<version>.dist-info/METADATA`` from a wheel (PEP 427)."""
    import zipfile  # a downloaded wheel only: not on a lock's usual path

    try:
        with zipfile.ZipFile(wheel) as archive:
            member = metadata_member(archive.namelist(), project)
            if member is None:
                raise DistributionInvalid(
                    f"The wheel `{filename}` has no single .dist-info/METADATA"
                )
            return archive.read(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DistributionInvalid(f"The wheel `{filename}` is not a valid zip file: {exc}") from exc


def read_metadata(fetch: Fetch, project: NormalizedName, size: int | None) -> bytes | None:
    """The METADATA bytes of the remote wheel of project, or None to say "download it".

    ``size`` is the file size when the index page gave one (PEP 700): it lets the first request
    name an explicit range, which more servers honour than the suffix form.
    """
    if size is not None and size <= 0:
        return None
    tail = fetch(-TAIL, 0) if size is None else fetch(max(0, size - TAIL), size - 1)
    if tail is None or tail.stop != tail.total or (size is not None and tail.total != size):
        return None
    directory = _central_directory(fetch, tail)
    if directory is None:
        return None
    known, members = directory
    by_name = {member.name: member for member in members}
    chosen = metadata_member(by_name, project)
    if chosen is None:
        return None
    return _member_data(fetch, known, by_name[chosen])


def _central_directory(fetch: Fetch, tail: Slice) -> tuple[Slice, list[_Member]] | None:
    """The parsed central directory, and the bytes known from it to the end of the file."""
    at = tail.data.rfind(b"PK\x05\x06", 0, max(0, len(tail.data) - _EOCD.size + 4))
    if at < 0:
        return None
    fields = _EOCD.unpack_from(tail.data, at)
    _, disk, cd_disk, on_disk, entries, cd_size, cd_offset, comment = fields
    if at + _EOCD.size + comment != len(tail.data):
        return None  # a signature inside a comment, or trailing junk
    directory_end = tail.start + at  # where the central directory must end
    if 0xFFFF in (disk, cd_disk, on_disk, entries) or 0xFFFFFFFF in (cd_size, cd_offset):
        zip64 = _zip64(tail, at)
        if zip64 is None:
            return None
        directory_end, entries, cd_size, cd_offset = zip64
    elif disk != 0 or cd_disk != 0 or on_disk != entries:
        return None  # a multi-disk archive is no wheel
    # Offsets are absolute only when nothing was prepended to the zip; zipfile copes with a
    # prefix, but a wheel has none, so a mismatch is a reason to distrust and download.
    if cd_offset + cd_size != directory_end:
        return None
    known = tail
    if cd_offset < tail.start:
        head = fetch(cd_offset, tail.start - 1)
        if head is None or head.start != cd_offset or head.stop != tail.start:
            return None
        known = Slice(cd_offset, tail.total, head.data + tail.data)
    members = _members(known.data, cd_offset - known.start, cd_size, entries)
    return None if members is None else (known, members)


def _zip64(tail: Slice, eocd: int) -> tuple[int, int, int, int] | None:
    """(where the directory ends, entries, its size, its offset) from the ZIP64 records."""
    locator = eocd - _ZIP64_LOCATOR.size
    if locator < 0:
        return None
    signature, _, record, disks = _ZIP64_LOCATOR.unpack_from(tail.data, locator)
    if signature != b"PK\x06\x07" or disks > 1:
        return None
    at = record - tail.start
    if at < 0 or at + _ZIP64_EOCD.size > locator:
        return None  # the record is not in the tail: rare enough to download instead
    fields = _ZIP64_EOCD.unpack_from(tail.data, at)
    signature, _, _, _, disk, cd_disk, on_disk, entries, cd_size, cd_offset = fields
    if signature != b"PK\x06\x06" or disk != 0 or cd_disk != 0 or on_disk != entries:
        return None
    return record, entries, cd_size, cd_offset


def _members(data: bytes, at: int, length: int, entries: int) -> list[_Member] | None:
    members: list[_Member] = []
    end = at + length
    for _ in range(entries):
        if at + _CENTRAL.size > end:
            return None
        fields = _CENTRAL.unpack_from(data, at)
        if fields[0] != b"PK\x01\x02":
            return None
        flags, method, crc, compressed, size = (
            fields[5],
            fields[6],
            fields[9],
            fields[10],
            fields[11],
        )
        name_len, extra_len, comment_len, offset = fields[12], fields[13], fields[14], fields[18]
        start = at + _CENTRAL.size
        raw_name = data[start : start + name_len]
        extra = data[start + name_len : start + name_len + extra_len]
        at = start + name_len + extra_len + comment_len
        if at > end:
            return None
        # Bit 11 says UTF-8; otherwise the name is cp437, as zipfile decodes it.
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        if 0xFFFFFFFF in (compressed, size, offset):
            widened = _zip64_extra(extra, size, compressed, offset)
            if widened is None:
                return None
            size, compressed, offset = widened
        members.append(
            _Member(
                name=name,
                flags=flags,
                method=method,
                crc=crc,
                compressed=compressed,
                size=size,
                offset=offset,
            )
        )
    return members if at == end else None


def _zip64_extra(
    extra: bytes, size: int, compressed: int, offset: int
) -> tuple[int, int, int] | None:
    """Sizes and offset with the 0xFFFFFFFF ones taken from the ZIP64 extra field (id 1)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        body = extra[at + 4 : at + 4 + length]
        at += 4 + length
        if kind != 1:
            continue
        values = [size, compressed, offset]
        position = 0
        for index, value in enumerate(values):
            if value == 0xFFFFFFFF:  # present in this order, and only when saturated
                if position + 8 > len(body):
                    return None
                (values[index],) = struct.unpack_from("<Q", body, position)
                position += 8
        return values[0], values[1], values[2]
    return None


def _member_data(fetch: Fetch, known: Slice, member: _Member) -> bytes | None:
    if member.flags & 0x1 or member.method not in (0, 8) or member.compressed > _MAX_MEMBER:
        return None  # encrypted, or compressed in a way a wheel is not
    # The local header repeats the name but may carry a different extra field, so its length
    # is only known once it is read; guess generously, and read again only if that fell short.
    guess = member.offset + _LOCAL.size + len(member.name.encode()) + 256 + member.compressed
    chunk = _span(fetch, known, member.offset, min(guess, known.total))
    if chunk is None or len(chunk) < _LOCAL.size:
        return None
    fields = _LOCAL.unpack(chunk[: _LOCAL.size])
    if fields[0] != b"PK\x03\x04":
        return None
    start = member.offset + _LOCAL.size + fields[10] + fields[11]
    stop = start + member.compressed
    if stop > known.total:
        return None
    if stop > member.offset + len(chunk):
        chunk = _span(fetch, known, member.offset, stop)
        if chunk is None:
            return None
    payload = chunk[start - member.offset : stop - member.offset]
    try:
        data = zlib.decompress(payload, -15) if member.method == 8 else payload
    except zlib.error:
        return None
    if len(data) != member.size or zlib.crc32(data) != member.crc:
        return None
    return data


def _span(fetch: Fetch, known: Slice, start: int, stop: int) -> bytes | None:
    """Bytes start..stop (exclusive), from what is known when it covers them, else fetched."""
    if known.start <= start and stop <= known.stop:
        return known.data[start - known.start : stop - known.start]
    if stop <= start:
        return None
    got = fetch(start, stop - 1)
    if got is None or got.start != start or got.stop != stop:
        return None
    return got.data
