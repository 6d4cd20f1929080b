"""Package index pages, parsed (the index client's pure half; no I/O).

PEP 691 JSON and PEP 503 HTML project pages become ``IndexFile`` values (sha256 kept for the
lock, PEP 592 yanked reasons, ``data-requires-python``, PEP 658/714 metadata availability,
uv's upload-time form); core metadata is ``reconciler.fetch.core_metadata``'s.
``reconciler.fetch.index`` fetches and caches; this module only reads what it is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import attrs
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

__all__ = ["IndexFile", "html_links", "index_file", "json_links", "lock_upload_time"]

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
