"""The ``find-links`` sources (lock stage, network and file side): the files a local directory
or an HTML page of links offers, by project, as uv 0.13.8 reads them.

A directory is listed once (its files, not its sub-directories); a page is fetched once
through the index client's page cache. Names that are not a wheel or an sdist are skipped.
As in uv, a flat file has no upload time, no yank and no Requires-Python of its own: the
exclude-newer limit does not apply to it, and a wheel's Requires-Python is read from its
metadata. ``merge_flat`` adds a project's flat files to what the indexes gave, uv's way.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.reconciler.errors import IndexUnavailable, SettingUnsupported
from accord.reconciler.fetch.pages import IndexFile, html_links, index_file
from accord.reconciler.fetch.releases import Release, listed_releases

if TYPE_CHECKING:
    from accord.model.find_links import FlatSource
    from accord.reconciler.fetch.page_cache import CachedPage
    from accord.reconciler.fetch.pages import _Link

__all__ = ["FlatIndex", "merge_flat"]

PageGetter = Callable[[str], "CachedPage | None"]


def _project_of(filename: str) -> NormalizedName:
    """The project a file name is for, cheaply (``index_file`` checks it properly)."""
    if filename.endswith(".whl"):
        return canonicalize_name(filename.split("-", 1)[0])
    return canonicalize_name(filename.rpartition("-")[0])


class FlatIndex:
    """The files of every ``find-links`` source, read on first use; thread-safe."""

    def __init__(self, sources: Sequence[FlatSource], get_page: PageGetter) -> None:
        self.sources = tuple(sources)
        self._get_page = get_page
        self._lock = threading.Lock()
        self._links: dict[NormalizedName, list[tuple[_Link, str]]] | None = None

    def files(self, project: NormalizedName) -> tuple[IndexFile, ...]:
        """The project's files from every source, in uv's order: by file name, then source."""
        with self._lock:
            if self._links is None:
                self._links = self._read_all()
            links = self._links.get(project, [])
        files = []
        for link, location in links:
            found = index_file(link, location, project)
            if found is not None:
                files.append(attrs.evolve(found, requires_python=None, yanked=None, flat=True))
        files.sort(key=lambda f: (f.filename, self._order(f.index)))
        return tuple(files)

    def _order(self, location: str) -> int:
        return next(i for i, s in enumerate(self.sources) if s.location == location)

    def _read_all(self) -> dict[NormalizedName, list[tuple[_Link, str]]]:
        grouped: dict[NormalizedName, list[tuple[_Link, str]]] = defaultdict(list)
        for source in self.sources:
            for link in self._read(source):
                grouped[_project_of(link.filename)].append((link, source.location))
        return grouped

    def _read(self, source: FlatSource) -> list[_Link]:
        if source.url is not None:
            page = self._get_page(source.url)
            if page is None:
                raise IndexUnavailable(
                    f"Failed to read `--find-links` URL: {source.url}",
                    hint="the page answered 404",
                )
            return html_links(page.body, page.url)
        assert source.directory is not None
        directory = Path(source.directory)
        if directory.is_file():
            raise SettingUnsupported(
                f"`--find-links` names the file `{directory}`; accord reads a directory of "
                "distributions or an HTML page at an http(s) URL",
                hint="give the directory the distributions are in",
            )
        return _directory_links(directory)


def _directory_links(directory: Path) -> list[_Link]:
    from accord.reconciler.fetch.pages import _Link

    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise IndexUnavailable(
            f"Failed to read `--find-links` directory: {directory}\n"
            f"  cause: {exc.strerror or exc} (os error {exc.errno})"
        ) from exc
    return [
        _Link(
            url=Path(entry.path).absolute().as_uri(),
            filename=entry.name,
            sha256=None,  # uv hashes no local file of a flat index when locking
            requires_python=None,
            yanked=None,
            size=None,
            upload_time=None,
            metadata=None,
        )
        for entry in entries
        if not entry.is_dir()
    ]


def merge_flat(indexed: Sequence[Release], flat: Sequence[IndexFile]) -> tuple[Release, ...]:
    """uv's version map with flat distributions: a version only one side has keeps its
    files; a version both have is one distribution whose files come from the source of its
    best file (a wheel before an sdist, flat files before the index's), as the lock keeps only
    the files of the source the package is locked from."""
    if not flat:
        return tuple(indexed)
    flat_by_version: dict[Version, list[IndexFile]] = defaultdict(list)
    for file in flat:
        flat_by_version[file.version].append(file)
    by_version = {release.version: release for release in indexed}
    merged: list[Release] = []
    for version, files in flat_by_version.items():
        release = by_version.get(version)
        if release is None:
            merged += listed_releases(files)
            continue
        wheels = [f.index for f in files if f.is_wheel]
        if not wheels and any(facts.is_wheel for facts in release.facts):
            wheels = [release.index]
        best = wheels[0] if wheels else files[0].index
        kept = [f for f in files if f.index == best]
        if release.index == best:
            if not kept:
                merged.append(release)
                continue
            kept += release.files()
        merged += listed_releases(kept)
    merged += [r for r in indexed if r.version not in flat_by_version]
    return tuple(merged)
