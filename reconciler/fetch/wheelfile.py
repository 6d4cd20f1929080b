"""Checks on a wheel archive before anything of it is trusted (apply stage, cache side).

A wheel is untrusted input. ``unpack_wheel`` refuses, before its tree gets a final name:
member paths that are absolute or climb out (``..``); the same path twice (the last would win);
members that are symlinks, devices, FIFOs or sockets; sizes in a local header that differ
from the central directory, or a member whose bytes differ in length from what the directory
says; a missing RECORD, a file RECORD does not list, and a file whose hash differs from its
RECORD row (PEP 427: installers verify every hash); and a ``.dist-info`` whose name or version
differs from the file name's or from its own METADATA.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import posixpath
import stat
import struct
import zipfile
from typing import IO

from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from accord.reconciler.errors import DistributionInvalid

__all__ = ["MemberCheck", "RecordRows", "check_dist_info", "safe_members", "wheel_record"]

RecordRows = dict[str, tuple[str, str]]
"""A wheel's RECORD: path → (hash, size), as written (``sha256=<urlsafe b64>``)."""

_HASHES = frozenset({"sha256", "sha384", "sha512"})
"""RECORD hash algorithms accepted (PEP 427 forbids md5 and sha1)."""
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_DATA_DESCRIPTOR = 0x08
_ZIP64_LIMIT = 0xFFFFFFFF


def _refuse(wheel: str, what: str) -> DistributionInvalid:
    return DistributionInvalid(
        f"The wheel `{wheel}` {what}",
        hint="the wheel is malformed or was tampered with; nothing of it was installed",
    )


def safe_members(archive: zipfile.ZipFile, wheel: str) -> list[zipfile.ZipInfo]:
    """The archive's members, once each path, type and size is known to be safe."""
    members = archive.infolist()
    seen: set[str] = set()
    for member in members:
        path = member.filename
        if (
            path.startswith(("/", "\\"))
            or "\\" in path
            or ":" in path
            or ".." in path.split("/")
            or "\0" in path
        ):
            raise _refuse(wheel, f"has an unsafe path: `{path}`")
        normal = posixpath.normpath(path)
        if normal in seen:
            raise _refuse(wheel, f"has the entry `{normal}` twice")
        seen.add(normal)
        mode = member.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            what = "a symlink" if kind == stat.S_IFLNK else "a device, FIFO or socket"
            raise _refuse(wheel, f"has an entry that is {what}: `{path}`")
        _check_local_header(archive, member, wheel)
    if not any(m.filename.split("/", 1)[0].endswith(".dist-info") for m in members):
        raise _refuse(wheel, "has no .dist-info directory")
    return members


def _check_local_header(archive: zipfile.ZipFile, member: zipfile.ZipInfo, wheel: str) -> None:
    """The local header must state the sizes the central directory states (as uv checks):
    two readers must never see two different files."""
    stream = archive.fp
    if stream is None or member.is_dir():
        return
    stream.seek(member.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _refuse(wheel, f"has a broken local header for `{member.filename}`")
    fields = _LOCAL_HEADER.unpack(header)
    flags, crc, compressed, size = fields[3], fields[7], fields[8], fields[9]
    if flags & _DATA_DESCRIPTOR or _ZIP64_LIMIT in (compressed, size):
        return  # the sizes follow the data, or live in a zip64 extra field
    if (crc, compressed, size) != (member.CRC, member.compress_size, member.file_size):
        raise _refuse(
            wheel,
            f"states two different sizes for `{member.filename}` "
            f"({size} in its local header, {member.file_size} in the central directory)",
        )


def wheel_record(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], wheel: str
) -> tuple[str, RecordRows]:
    """(the ``.dist-info`` directory name, its RECORD rows); refuses a wheel with no or more
    than one top-level ``.dist-info``, or without a readable RECORD."""
    dist_infos = sorted(
        {
            m.filename.split("/", 1)[0]
            for m in members
            if m.filename.split("/", 1)[0].endswith(".dist-info")
        }
    )
    if len(dist_infos) != 1:
        raise _refuse(wheel, f"must have exactly one .dist-info directory, not {len(dist_infos)}")
    dist_info = dist_infos[0]
    try:
        data = archive.read(f"{dist_info}/RECORD")
    except KeyError:
        raise _refuse(wheel, f"has no {dist_info}/RECORD") from None
    rows: RecordRows = {}
    try:
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            if row:
                rows[posixpath.normpath(row[0])] = (
                    row[1] if len(row) > 1 else "",
                    row[2] if len(row) > 2 else "",
                )
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _refuse(wheel, f"has an unreadable RECORD: {exc}") from None
    return dist_info, rows


class MemberCheck:
    """Hashes one member's bytes as they are written, then compares them with RECORD and the
    central directory (``verify``)."""

    def __init__(self, wheel: str, member: zipfile.ZipInfo, rows: RecordRows, dist_info: str):
        self.wheel = wheel
        self.member = member
        self.path = posixpath.normpath(member.filename)
        self.size = 0
        exempt = self.path in (f"{dist_info}/RECORD", f"{dist_info}/RECORD.jws") or (
            self.path == f"{dist_info}/RECORD.p7s"
        )
        self.expected: tuple[str, str] | None = None
        self.digest: hashlib._Hash | None = None
        if exempt:
            return
        row = rows.get(self.path)
        if row is None:
            raise _refuse(wheel, f"has a file its RECORD does not list: `{self.path}`")
        algorithm, _, value = row[0].partition("=")
        if not row[0]:
            return  # listed without a hash (older tools did so for bytecode): nothing to verify
        if algorithm not in _HASHES or not value:
            raise _refuse(wheel, f"has an unsupported RECORD hash for `{self.path}`: `{row[0]}`")
        self.expected = (algorithm, value)
        self.digest = hashlib.new(algorithm)

    def update(self, block: bytes) -> None:
        self.size += len(block)
        if self.digest is not None:
            self.digest.update(block)

    def verify(self) -> None:
        if self.size != self.member.file_size:
            raise _refuse(
                self.wheel,
                f"lies about the size of `{self.path}` "
                f"({self.member.file_size} bytes stated, {self.size} read)",
            )
        if self.digest is None or self.expected is None:
            return
        actual = base64.urlsafe_b64encode(self.digest.digest()).rstrip(b"=").decode()
        if actual != self.expected[1]:
            raise _refuse(
                self.wheel,
                f"has a file whose hash differs from its RECORD: `{self.path}` "
                f"(RECORD says {self.expected[0]}={self.expected[1]}, "
                f"the file is {self.expected[0]}={actual})",
            )


def _split_dist_info(directory: str) -> tuple[NormalizedName, Version] | None:
    stem = directory[: -len(".dist-info")]
    name, sep, version = stem.rpartition("-")
    if not sep or not name:
        return None
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return None


def check_dist_info(
    archive: zipfile.ZipFile, dist_info: str, wheel: str
) -> tuple[NormalizedName, Version]:
    """The wheel's (name, version), once its file name, its ``.dist-info`` directory and its
    METADATA agree on both (a dist-info named for another package would be installed over
    that package)."""
    try:
        file_name, file_version, _, _ = parse_wheel_filename(wheel)
    except InvalidWheelFilename:
        raise _refuse(wheel, "has an invalid file name") from None
    named = _split_dist_info(dist_info)
    if named is None or named != (file_name, file_version):
        raise _refuse(wheel, f"contains `{dist_info}`, which is not {file_name} {file_version}")
    try:
        with archive.open(f"{dist_info}/METADATA") as stream:
            headers = _metadata_headers(stream)
    except KeyError:
        raise _refuse(wheel, f"has no {dist_info}/METADATA") from None
    try:
        declared = (canonicalize_name(headers["Name"]), Version(headers["Version"]))
    except (KeyError, InvalidVersion):
        raise _refuse(wheel, f"has no valid Name and Version in {dist_info}/METADATA") from None
    if declared != named:
        raise _refuse(
            wheel,
            f"says it is {declared[0]} {declared[1]} in its METADATA, "
            f"but {file_name} {file_version} in its file name",
        )
    return named


def _metadata_headers(stream: IO[bytes]) -> dict[str, str]:
    from email.parser import (
        HeaderParser,
    )  # only a wheel being unpacked is read: not on a sync's path

    text = stream.read(1 << 20).decode("utf-8", errors="replace")
    message = HeaderParser().parsestr(text, headersonly=True)
    return {key: str(message[key]).strip() for key in ("Name", "Version") if message[key]}
