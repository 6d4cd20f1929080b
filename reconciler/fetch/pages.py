"""Package index pages and core metadata, parsed (the index client's pure half; no I/O).

PEP 691 JSON and PEP 503 HTML project pages become ``IndexFile`` values (sha256 kept for the
lock, PEP 592 yanked reasons, ``data-requires-python``, PEP 658/714 metadata availability,
uv's upload-time form); ``METADATA`` bytes become ``DistMetadata``. ``reconciler.fetch.index``
fetches and caches; this module only reads what it is given.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import attrs
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from accord.model.metadata_headers import header_fields
from accord.model.requirement_lines import plain_requirement
from accord.reconciler.cachedir import metadata_file
from accord.reconciler.errors import MetadataInvalid
from accord.reconciler.fsutil import write_atomic

__all__ = [
    "DistMetadata",
    "IndexFile",
    "fresh_metadata",
    "fresh_metadata_files",
    "html_links",
    "index_file",
    "json_links",
    "kept_metadata",
    "lock_upload_time",
    "parse_metadata",
    "parsed_metadata",
    "remember_metadata",
    "remembered_metadata",
]

_UPLOAD_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)


@attrs.frozen(kw_only=True)
class IndexFile:
    """One distribution file listed on a project page."""

    filename: str
    url: str
    """Absolute, without the ``#sha256=`` fragment."""
    index: str
    """The index URL this came from, exactly as configured."""
    name: NormalizedName
    version: Version
    is_wheel: bool
    tags: frozenset[str]
    """Wheel tags as strings (``py3-none-any``), compressed tag sets expanded; empty for sdists."""
    sha256: str | None
    requires_python: SpecifierSet | None
    yanked: str | None
    """None when not yanked; the reason otherwise ("" when none was given), PEP 592."""
    size: int | None
    upload_time: str | None
    """UTC RFC 3339 in milliseconds, trailing zeros trimmed, as uv writes it in uv.lock."""
    has_metadata: bool
    """A PEP 658 ``<url>.metadata`` file is available."""
    metadata_sha256: str | None
    flat: bool = False
    """Listed by a ``find-links`` source (no exclude-newer, yank or Requires-Python there)."""
    rank: int = 0
    """The position, among the indexes that list the project, of the one this came from (an
    ``unsafe-*`` index strategy searches several; ``0`` under ``first-index``)."""


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


def lock_upload_time(value: str) -> str | None:
    """``2024-01-01T00:00:00.000000Z`` -> ``2024-01-01T00:00:00Z``, as uv.lock has it.

    uv keeps upload times as whole milliseconds since the epoch (truncated) and prints them in
    UTC with the fraction's trailing zeros trimmed. None when the value is not a timestamp.
    """
    if len(value) == 27 and value[10] == "T" and value[19] == "." and value[26] == "Z":
        # PyPI's own form, YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC): truncate to milliseconds.
        fraction = value[20:23].rstrip("0")
        if value[:4].isdigit() and value[20:26].isdigit() and "01" <= value[5:7] <= "12":
            return value[:19] + ("." + fraction if fraction else "") + "Z"
    import datetime  # slow path only

    match = _UPLOAD_TIME.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.group(1, 2, 3, 4, 5, 6))
    millis = int((match.group(7) or "0")[:3].ljust(3, "0"))
    offset = datetime.timedelta(0)
    if match.group(9):
        sign = -1 if match.group(9) == "-" else 1
        offset = sign * datetime.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
    try:
        moment = datetime.datetime(
            year, month, day, hour, minute, second, millis * 1000, datetime.timezone(offset)
        ).astimezone(datetime.timezone.utc)
    except ValueError:
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond // 1000:03d}".rstrip("0")
    return text + "Z"


# --- project pages ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Link:
    """A file as a page lists it, before the filename is parsed."""

    url: str
    filename: str
    sha256: str | None
    requires_python: str | None
    yanked: str | None
    size: int | None
    upload_time: str | None
    metadata: str | bool | None  # a "sha256=..." / hash string, True, or None/False


def is_json(content_type: str) -> bool:
    """Whether a page's Content-Type is PEP 691 JSON (else it is read as PEP 503 HTML)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("+json") or media == "application/json"


def json_links(document: Any, page_url: str) -> Iterator[_Link]:
    """The files of a PEP 691 page (``json.loads`` of it), one at a time; each entry of the
    document is let go of once read (a large page decodes into tens of MiB)."""
    entries = document["files"]
    del document
    if not isinstance(entries, list):
        raise TypeError(f"`files` is a {type(entries).__name__}, not a list")
    for position, entry in enumerate(entries):
        entries[position] = None
        href = entry["url"]
        if href.startswith(("https://", "http://")) and "#" not in href:
            url = href  # absolute already (PyPI's are): nothing to join or strip
        else:
            url, _ = urldefrag(urljoin(page_url, href))
        yanked = entry.get("yanked", False)
        metadata = entry.get("core-metadata", entry.get("dist-info-metadata"))
        if isinstance(metadata, dict):
            metadata = metadata.get("sha256", True)
        upload = entry.get("upload-time")
        yield _Link(
            url=url,
            filename=entry["filename"],
            sha256=(entry.get("hashes") or {}).get("sha256"),
            requires_python=entry.get("requires-python"),
            yanked=("" if yanked is True else yanked) if yanked is not False else None,
            size=entry.get("size"),
            upload_time=lock_upload_time(upload) if isinstance(upload, str) else None,
            metadata=metadata if isinstance(metadata, (str, bool)) else None,
        )


def html_links(body: bytes, page_url: str) -> list[_Link]:
    from html.parser import HTMLParser  # slow path only

    links: list[_Link] = []
    base = [page_url]

    class _Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)  # HTMLParser lower-cases names and unescapes values
            href = found.get("href")
            if tag == "base" and href:
                base[0] = urljoin(page_url, href)
            if tag != "a" or not href:
                return
            url, fragment = urldefrag(urljoin(base[0], href))
            algorithm, _, digest = fragment.partition("=")
            metadata = found.get("data-core-metadata", found.get("data-dist-info-metadata"))
            links.append(
                _Link(
                    url=url,
                    filename=unquote(urlsplit(url).path.rsplit("/", 1)[-1]),
                    sha256=digest if algorithm == "sha256" and digest else None,
                    requires_python=found.get("data-requires-python"),
                    yanked=(found["data-yanked"] or "") if "data-yanked" in found else None,
                    size=None,
                    upload_time=None,
                    metadata=None if metadata is None else (metadata or True),
                )
            )

    parser = _Anchors()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    return links


def _metadata_hash(value: str | bool | None) -> tuple[bool, str | None]:
    """(has_metadata, sha256) from a PEP 714 value: ``sha256=<hex>``, ``true``, or absent."""
    if value is None or value is False or (isinstance(value, str) and value.lower() == "false"):
        return False, None
    if isinstance(value, str):
        algorithm, sep, digest = value.partition("=")
        if sep and algorithm == "sha256":
            return True, digest.lower()
        if not sep and re.fullmatch(r"[0-9a-fA-F]{64}", value):
            return True, value.lower()  # the JSON form: {"sha256": "<hex>"}
    return True, None


# A project page lists thousands of files sharing a few tag sets, versions and
# requires-python strings: one object each keeps a resolution's memory down.
_TAG_SETS: dict[frozenset[str], frozenset[str]] = {}
_VERSIONS: dict[str, Version] = {}


@functools.lru_cache(maxsize=4096)
def _requires_python(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None  # uv ignores an unparseable data-requires-python rather than the file


def _lower(digest: str) -> str:
    return digest if digest.islower() or digest.isdigit() else digest.lower()


def index_file(link: _Link, index: str, project: NormalizedName) -> IndexFile | None:
    """The link as an IndexFile, or None when its filename is not a wheel or sdist of project."""
    tags: frozenset[str] = frozenset()
    try:
        if link.filename.endswith(".whl"):
            name, version, _, tag_set = parse_wheel_filename(link.filename)
            tags = frozenset(str(tag) for tag in tag_set)
            tags = _TAG_SETS.setdefault(tags, tags)
        else:
            name, version = parse_sdist_filename(link.filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    if name != project:
        return None
    version = _VERSIONS.setdefault(str(version), version)
    requires_python = _requires_python(link.requires_python) if link.requires_python else None
    has_metadata, metadata_sha256 = _metadata_hash(link.metadata)
    return IndexFile(
        filename=link.filename,
        url=link.url,
        index=index,
        name=project,  # equal to name; one string for the whole page
        version=version,
        is_wheel=link.filename.endswith(".whl"),
        tags=tags,
        sha256=_lower(link.sha256) if link.sha256 else None,
        requires_python=requires_python,
        yanked=link.yanked,
        size=link.size,
        upload_time=link.upload_time,
        has_metadata=has_metadata,
        metadata_sha256=metadata_sha256,
    )


# --- the HTTP cache ------------------------------------------------------------------------------
