"""Core metadata (``METADATA``, ``PKG-INFO``) read into ``DistMetadata``, remembered for the
process, and kept in the cache condensed to what a resolution reads.

``reconciler.fetch.index`` fetches; this module parses the bytes it is given, and reads and
writes one cache file per distribution file (``cached_metadata``, ``keep_metadata``; and
``kept_metadata``, which keeps what a warm server's workers read and only puts a file back in
a cleaned cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import attrs
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.metadata_headers import header_fields
from accord.model.requirement_lines import plain_requirement
from accord.reconciler.cachedir import metadata_file
from accord.reconciler.errors import MetadataInvalid
from accord.reconciler.fetch.pages import IndexFile
from accord.reconciler.fsutil import write_atomic

__all__ = [
    "DistMetadata",
    "cached_metadata",
    "condense_metadata",
    "condensed_for",
    "fresh_metadata",
    "fresh_metadata_files",
    "keep_metadata",
    "kept_metadata",
    "parse_metadata",
    "parsed_metadata",
    "remember_metadata",
    "remembered_metadata",
]


@attrs.frozen(kw_only=True)
class DistMetadata:
    """The parts of core metadata the resolver needs."""

    name: NormalizedName
    version: Version
    requires_dist: tuple[Requirement, ...]
    requires_python: SpecifierSet | None
    provides_extras: tuple[NormalizedName, ...]


_PARSED: dict[bytes, DistMetadata] = {}
_PARSED_MOST = 1024
"""How many parsed metadata a process keeps (a warm server's learned ones included): about
4 MiB at most on the bench set's sizes."""
_FRESH: list[bytes] = []


_READ: dict[tuple[str, str, str], tuple[bytes, str]] = {}
"""Core metadata read from a cache (kept there, or fetched into it), and where the cache keeps
it, by cache directory, file URL and the file's hash (its metadata file's, else its own): a
warm server's workers inherit what earlier ones read (``fresh_metadata_files``,
``remember_metadata``)."""
_READ_MOST = 4096
_FRESH_READ: list[tuple[str, str, str, bytes]] = []


def remember_metadata(cache: str, url: str, ident: str, raw: bytes) -> None:
    """Keep ``raw`` as the metadata of the file at ``url`` whose hash is ``ident``, kept in
    the cache directory ``cache``."""
    if ident and len(_READ) < _READ_MOST and (cache, url, ident) not in _READ:
        _READ[(cache, url, ident)] = raw, metadata_file(cache, url)
        _FRESH_READ.append((cache, url, ident, raw))


def fresh_metadata_files() -> list[tuple[str, str, str, bytes]]:
    """The metadata this process read and kept since the last call (cache directory, url,
    hash, bytes)."""
    fresh = list(_FRESH_READ)
    _FRESH_READ.clear()
    return fresh


def kept_metadata(cache: str, file: IndexFile, fetch: Callable[[IndexFile], bytes]) -> bytes:
    """``fetch(file)``, the core metadata of ``file`` from the cache directory ``cache`` or
    its index, kept for the rest of the process when the file is named by its hash (a file
    of a local directory is read again: it may change). Answered from what the process
    keeps, it is put back in its place in the cache directory if it is gone from there (the
    cache was cleaned while a warm server kept it)."""
    ident = file.metadata_sha256 or file.sha256
    if not ident or file.url.startswith("file:"):
        return fetch(file)
    known = _READ.get((cache, file.url, ident))
    if known is None:
        raw = fetch(file)
        remember_metadata(cache, file.url, ident, raw)
        return raw
    raw, path = known
    if not os.path.exists(path):
        write_atomic(Path(path), raw)
    return raw


def parse_metadata(raw: bytes) -> DistMetadata:
    """Parse METADATA / PKG-INFO bytes. Raises MetadataInvalid naming the package and the line.

    Remembered by the bytes (a pure function of them; the values are never changed after), so
    the metadata a warm server learned from its workers (``fresh_metadata``) is parsed once."""
    parsed = _PARSED.get(raw)
    if parsed is None:
        parsed = _parse_metadata(raw)
        if len(_PARSED) < _PARSED_MOST:
            _PARSED[raw] = parsed
            _FRESH.append(raw)
    return parsed


def parsed_metadata() -> list[DistMetadata]:
    """The parsed metadata this process remembers."""
    return list(_PARSED.values())


def remembered_metadata() -> int:
    """How many parsed metadata this process remembers."""
    return len(_PARSED)


def fresh_metadata() -> list[bytes]:
    """The metadata this process parsed and remembered since the last call (what a worker of
    the warm server tells it, for the next workers)."""
    fresh = list(_FRESH)
    _FRESH.clear()
    return fresh


_FIELDS = frozenset(("name", "version", "requires-dist", "requires-python", "provides-extra"))
_SPELLED = {
    "name": "Name",
    "version": "Version",
    "requires-dist": "Requires-Dist",
    "requires-python": "Requires-Python",
    "provides-extra": "Provides-Extra",
}
_CONDENSED = b"Accord-Fields: 1 "
_HEX = re.compile(r"[0-9a-fA-F]{1,128}")


def condense_metadata(raw: bytes, ident: str) -> bytes | None:
    """The fields of core metadata ``raw`` that ``parse_metadata`` reads, as a core metadata
    text of their own that it parses alike, headed by ``ident`` (the hash ``raw`` was
    checked against, hex): what the cache keeps of ``raw`` (a few hundred bytes of a
    file of kilobytes, and headers of five fields to read, not dozens). None when ``ident``
    is not hex, or when a value spans lines (kept whole then)."""
    if _HEX.fullmatch(ident) is None:
        return None
    lines = [_CONDENSED.decode() + ident]
    for name, values in header_fields(raw.decode("utf-8", errors="replace"), _FIELDS).items():
        for value in values:
            if "\n" in value or "\r" in value:
                return None
            lines.append(f"{_SPELLED[name]}: {value}")
    lines.append("")
    return "\n".join(lines).encode()


def cached_metadata(path: Path, file: IndexFile) -> bytes | None:
    """The metadata of ``file`` the cache keeps at ``path``, as the cache has always answered
    it: when the page gives a metadata file's hash, only what was kept for that hash (a
    condensed file made under it, ``condense_metadata``, or a whole file that hashes to it);
    without one, whatever is kept. A whole file (as an older accord kept it) is kept condensed
    from now on. None when there is none, or none for that hash. What is kept is not hashed
    again: a condensed file carries the hash its metadata matched when it was fetched."""
    try:
        kept = path.read_bytes()
    except OSError:
        return None
    made_for = condensed_for(kept)
    if made_for is not None:
        return kept if file.metadata_sha256 in (None, made_for) else None
    label = _label(file, kept)
    if file.metadata_sha256 is not None and label is None:
        return None
    condensed = condense_metadata(kept, label) if label else None
    if condensed is None:
        return kept
    with contextlib.suppress(OSError):  # a cache it cannot write still answers
        write_atomic(path, condensed)
    return condensed


def keep_metadata(path: Path, file: IndexFile, raw: bytes, *, checked: bool = False) -> bytes:
    """``raw``, the metadata of ``file`` just fetched, as the cache keeps it at ``path``:
    condensed under the metadata file's hash when it matches it (``checked``: it is that file,
    already checked against it), or else, when the page gives no such hash, under the
    wheel's; whole otherwise (read from the wheel although the page gives a metadata file's
    hash: it is asked for again next time, as before)."""
    label = _label(file, raw, checked)
    kept = (condense_metadata(raw, label) if label else None) or raw
    write_atomic(path, kept)
    return kept


def _label(file: IndexFile, raw: bytes, checked: bool = False) -> str | None:
    """The hash ``raw``, metadata of ``file``, is kept under: the metadata file's when it
    matches it (``checked``: known to), the wheel's when the page gives no metadata hash,
    else None."""
    if file.metadata_sha256 is not None:
        matched = checked or _sha256(raw) == file.metadata_sha256
        return file.metadata_sha256 if matched else None
    return file.sha256


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def condensed_for(kept: bytes) -> str | None:
    """The hash a condensed metadata (``condense_metadata``) was made under; None for
    metadata as it came."""
    if not kept.startswith(_CONDENSED):
        return None
    end = kept.find(b"\n")
    return kept[len(_CONDENSED) : end].decode("ascii", errors="replace") if end > 0 else ""


def _parse_metadata(raw: bytes) -> DistMetadata:
    fields = header_fields(raw.decode("utf-8", errors="replace"), _FIELDS)

    def values(field: str) -> list[str]:
        return fields.get(field.lower(), [])

    names, versions = values("Name"), values("Version")
    if not names or not versions:
        raise MetadataInvalid("Core metadata lacks a Name or Version field")
    name = canonicalize_name(names[0])
    try:
        version = Version(versions[0])
    except InvalidVersion as exc:
        raise MetadataInvalid(f"`{name}` has an invalid Version: `{versions[0]}`") from exc
    requires: list[Requirement] = []
    for line in values("Requires-Dist"):
        try:
            requires.append(_requirement(line))
        except InvalidRequirement as exc:
            raise MetadataInvalid(
                f"`{name}` {version} has an invalid Requires-Dist: `{line}`: {exc}"
            ) from exc
    requires_python = None
    if python := values("Requires-Python"):
        try:
            requires_python = SpecifierSet(python[0])
        except InvalidSpecifier as exc:
            raise MetadataInvalid(
                f"`{name}` {version} has an invalid Requires-Python: `{python[0]}`"
            ) from exc
    extras = tuple(canonicalize_name(extra) for extra in values("Provides-Extra"))
    return DistMetadata(
        name=name,
        version=version,
        requires_dist=tuple(requires),
        requires_python=requires_python,
        provides_extras=extras,
    )


_MARKERS: dict[str, Marker] = {}
"""Requires-Dist markers parsed, by text: a few hundred distinct among thousands of lines
(most are ``extra == "test"`` and the like). Never changed after parsing."""
_MARKERS_MOST = 8192


def _requirement(line: str) -> Requirement:
    """``Requirement(line)``, with a marker parsed before taken from ``_MARKERS`` and a plain
    requirement part read by ``plain_requirement``. A line naming a URL, or one that does
    not parse this way, is parsed whole (and raises as it does)."""
    head, separator, text = line.partition(";")
    if "@" in head:
        return Requirement(line)
    if not separator:
        return plain_requirement(line) or Requirement(line)
    text = text.strip()
    marker = _MARKERS.get(text)
    try:
        requirement = plain_requirement(head) or Requirement(head)
        if marker is None:
            marker = Marker(text)
            if len(_MARKERS) < _MARKERS_MOST:
                _MARKERS[text] = marker
    except (InvalidRequirement, InvalidMarker):
        return Requirement(line)
    requirement.marker = marker
    return requirement
