"""``find-links`` entries (``tool.uv.find-links``, ``--find-links``, ``UV_FIND_LINKS``) as the
flat sources they name, spelt as uv 0.13.8 records them in ``uv.lock`` (pure).

A flat source is a local directory of wheels and sdists, or the URL of an HTML page of links.
uv writes a package found there as ``source = { registry = "<location>" }``: a URL as given
(without its login), a directory relative to the workspace root when it was given relative,
absolute when it was given absolute (or as a ``file://`` URL). Its files are then written
``{ path = "<file name>" }`` (relative to the directory), or by absolute path, or by URL.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import attrs

__all__ = ["FlatSource", "flat_sources", "read_find_links"]


@attrs.frozen
class FlatSource:
    """One ``find-links`` entry."""

    location: str
    """The lock's ``registry`` value for packages found here."""
    url: str | None = None
    """The page's URL, for a remote source."""
    directory: PurePosixPath | None = None
    """The absolute directory, for a local source."""


def read_find_links(entry: str, base: PurePosixPath, root: PurePosixPath) -> FlatSource:
    """The flat source ``entry`` names: a URL, a ``file://`` URL or a path, the last relative
    to ``base`` (the directory of the file that sets it, or the working directory for the
    command line); ``root`` is the workspace root. Raises ValueError for another scheme."""
    scheme = urlsplit(entry).scheme.lower()
    if scheme in ("http", "https"):
        parts = urlsplit(entry)
        netloc = parts.netloc.rpartition("@")[2]  # uv records URLs without their login
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return FlatSource(f"{parts.scheme}://{netloc}{path}{query}", url=entry)
    if scheme == "file":
        directory = PurePosixPath(posixpath.normpath(unquote(urlsplit(entry).path)))
        return FlatSource(str(directory), directory=directory)
    if len(scheme) > 1:
        raise ValueError(f"`{entry}` is neither a path nor an http(s) or file URL")
    given = PurePosixPath(entry)
    directory = PurePosixPath(posixpath.normpath(base / given))
    if given.is_absolute():
        return FlatSource(str(directory), directory=directory)
    return FlatSource(posixpath.relpath(directory, root), directory=directory)


def flat_sources(
    entries: Iterable[tuple[str, PurePosixPath]], root: PurePosixPath
) -> tuple[FlatSource, ...]:
    """Each ``(entry, base)`` read, the first of any two with the same location kept."""
    seen: dict[str, FlatSource] = {}
    for entry, base in entries:
        source = read_find_links(entry, base, root)
        seen.setdefault(source.location, source)
    return tuple(seen.values())
