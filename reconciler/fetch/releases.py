"""A project page in compact form (fetch stage, pure: bytes in, values out; no I/O).

A large project page lists tens of thousands of files, and a resolution reads a few hundred
pages, but it only ever looks at the files of the versions it tries. So a page is kept as
its versions, newest first (``Release``), each with the few facts about its files that
decide whether the version can be a candidate (``FileFacts``: wheel or sdist, tags,
Requires-Python, yank; shared by every file that has the same), while the rest of each file
(name, URL, hashes, size, upload time) stays in a buffer, encoded, until ``Release.files``
decodes that one version's files. This is uv's lazy version map, and the form the page
cache keeps on disk (``reconciler.fetch.page_cache``), so a page is parsed once.

The encoding (``encode_page``): an 8-byte length, a head (``marshal`` of the facts table and
one ``(version, fact indices, offset, length)`` row per version, newest first), then each
version's files, ``marshal`` of plain tuples, in page order.
"""

from __future__ import annotations

import marshal
import mmap
import struct
from collections.abc import Iterator, Sequence
from typing import Any, overload

import attrs
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.reconciler.fetch.pages import IndexFile

__all__ = [
    "FileFacts",
    "FileSelection",
    "Release",
    "decode_page",
    "decoded_files",
    "encode_page",
    "fresh_files",
    "listed_releases",
]

_FORMAT = 1
_LENGTH = struct.Struct("<Q")
_DONTNEED: int | None = getattr(mmap, "MADV_DONTNEED", None)


def _copied(buffer: Any, start: int, stop: int) -> bytes:
    """Bytes ``start..stop`` of a page's buffer. The pages of a mapped file are let go of
    once copied: the kernel keeps them in its cache, but they no longer count in the
    process's memory, where every page a resolution had read stayed (20 MiB of the peak of
    a lock of the fastapi corpus project)."""
    data: bytes = buffer[start:stop]
    if _DONTNEED is not None and isinstance(buffer, mmap.mmap):
        buffer.madvise(_DONTNEED)
    return data


@attrs.frozen
class FileFacts:
    """What decides whether a file can be used, shared by every file of a page alike."""

    is_wheel: bool
    tags: frozenset[str]
    requires_python: SpecifierSet | None
    yanked: str | None


# One object per distinct value across pages: a page repeats a handful of tag sets and
# Requires-Python strings thousands of times.
_FACTS: dict[tuple[Any, ...], FileFacts] = {}
_TAG_SETS: dict[tuple[str, ...], frozenset[str]] = {}
_SPECIFIERS: dict[str, SpecifierSet | None] = {}
_VERSIONS: dict[str, Version] = {}

_FRESH_FILES: list[tuple[str, str, str]] = []
"""The releases of pages whose files this process decoded since the last ``fresh_files``
(index, project, version): a warm server decodes them for its next workers."""
_FRESH_FILES_MOST = 8192
_DECODED_FILES = [0]
"""How many releases' files this process decoded (a warm server's worker: inherited)."""


def _specifier(text: str) -> SpecifierSet | None:
    known = _SPECIFIERS.get(text, _SPECIFIERS)
    if known is _SPECIFIERS:
        try:
            known = SpecifierSet(text)
        except InvalidSpecifier:
            known = None  # uv ignores an unparseable data-requires-python rather than the file
        _SPECIFIERS[text] = known
    return known  # type: ignore[return-value]


def _facts(
    is_wheel: bool, tags: tuple[str, ...], requires: str | None, yanked: str | None
) -> FileFacts:
    key = (is_wheel, tags, requires, yanked)
    found = _FACTS.get(key)
    if found is None:
        tag_set = _TAG_SETS.setdefault(tags, frozenset(tags))
        python = None if requires is None else _specifier(requires)
        found = _FACTS.setdefault(key, FileFacts(is_wheel, tag_set, python, yanked))
    return found


def _version(text: str) -> Version:
    found = _VERSIONS.get(text)
    if found is None:
        found = _VERSIONS.setdefault(text, Version(text))
    return found


class _Details:
    """Where one page's encoded files are: a buffer (bytes, or a file mapped read-only)."""

    __slots__ = ("base", "buffer", "index", "project")

    def __init__(self, buffer: Any, base: int, index: str, project: NormalizedName) -> None:
        self.buffer = buffer
        self.base = base
        self.index = index
        self.project = project


class Release:
    """One version of a project as one index (``rank``) lists it: the facts of its files in
    memory, the files themselves decoded on first use (and kept)."""

    __slots__ = ("_details", "_files", "_length", "_offset", "facts", "rank", "version")

    def __init__(
        self,
        version: Version,
        facts: tuple[FileFacts, ...],
        *,
        rank: int = 0,
        details: _Details | None = None,
        offset: int = 0,
        length: int = 0,
        files: tuple[IndexFile, ...] | None = None,
    ) -> None:
        self.version = version
        """The version as the page's first file of it spells it (``1.0`` and ``1.0.0`` are
        one version)."""
        self.facts = facts
        """Per file, in page order."""
        self.rank = rank
        """The position of its index among those that list the project (``unsafe-*``)."""
        self._details = details
        self._offset = offset
        self._length = length
        self._files = files

    def __repr__(self) -> str:
        return f"Release({self.version}, {len(self.facts)} files, rank={self.rank})"

    @property
    def index(self) -> str:
        """The index (or find-links location) its first file comes from."""
        if self._details is not None:
            return self._details.index
        assert self._files
        return self._files[0].index

    def with_rank(self, rank: int) -> Release:
        """The same files, listed by the index at position ``rank``."""
        if rank == self.rank:
            return self
        files = None
        if self._files is not None:
            files = tuple(attrs.evolve(f, rank=rank) for f in self._files)
        return Release(
            self.version,
            self.facts,
            rank=rank,
            details=self._details,
            offset=self._offset,
            length=self._length,
            files=files,
        )

    def files(self) -> tuple[IndexFile, ...]:
        """Every file of this version, in page order (decoded once, then kept)."""
        if self._files is None:
            self._files = self.decode()
            _DECODED_FILES[0] += 1
            details = self._details
            if details is not None and len(_FRESH_FILES) < _FRESH_FILES_MOST:
                _FRESH_FILES.append((details.index, details.project, str(self.version)))
        return self._files

    def decode(self) -> tuple[IndexFile, ...]:
        """The files, decoded afresh and not kept (for a pass over every version)."""
        if self._files is not None:
            return self._files
        details = self._details
        assert details is not None
        start = details.base + self._offset
        rows = marshal.loads(_copied(details.buffer, start, start + self._length))
        return self._decoded(rows, details)

    def _decoded(self, rows: Sequence[tuple[Any, ...]], details: _Details) -> tuple[IndexFile, ...]:
        files = []
        for facts, row in zip(self.facts, rows, strict=True):
            filename, url, spelled, sha256, size, upload, has_metadata, metadata_sha256 = row
            files.append(
                IndexFile(
                    filename=filename,
                    url=url,
                    index=details.index,
                    name=details.project,
                    version=self.version if spelled is None else _version(spelled),
                    is_wheel=facts.is_wheel,
                    tags=facts.tags,
                    sha256=sha256,
                    requires_python=facts.requires_python,
                    yanked=facts.yanked,
                    size=size,
                    upload_time=upload,
                    has_metadata=has_metadata,
                    metadata_sha256=metadata_sha256,
                    rank=self.rank,
                )
            )
        return tuple(files)

    def select(self, positions: tuple[int, ...]) -> FileSelection:
        """Some of the files, by position."""
        return FileSelection(self, positions)


class FileSelection(Sequence[IndexFile]):
    """Some files of one release (the usable ones), decoded only when read.

    Equal when they are the same positions of the same ``Release`` object."""

    __slots__ = ("positions", "release")

    def __init__(self, release: Release, positions: tuple[int, ...]) -> None:
        self.release = release
        self.positions = positions

    @property
    def facts(self) -> tuple[FileFacts, ...]:
        facts = self.release.facts
        return tuple(facts[i] for i in self.positions)

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, item: int) -> IndexFile: ...

    @overload
    def __getitem__(self, item: slice) -> tuple[IndexFile, ...]: ...

    def __getitem__(self, item: int | slice) -> IndexFile | tuple[IndexFile, ...]:
        files = self.release.files()
        if isinstance(item, slice):
            return tuple(files[i] for i in self.positions[item])
        return files[self.positions[item]]

    def __iter__(self) -> Iterator[IndexFile]:
        files = self.release.files()
        return (files[i] for i in self.positions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileSelection):
            return NotImplemented
        return self.release is other.release and self.positions == other.positions

    def __hash__(self) -> int:
        return hash((id(self.release), self.positions))

    def __repr__(self) -> str:
        return f"FileSelection({self.release!r}, {self.positions})"


def encode_page(files: Sequence[IndexFile]) -> bytes:
    """The compact form of one index page's files (all of one project and one index)."""
    groups: dict[Version, list[IndexFile]] = {}
    for file in files:
        groups.setdefault(file.version, []).append(file)
    table: dict[tuple[Any, ...], int] = {}
    rows: list[tuple[Any, ...]] = []
    chunks: list[bytes] = []
    offset = 0
    # The dict keeps the first file's spelling of each version: the one the release takes.
    for version in sorted(groups, reverse=True):
        spelled = str(version)
        indices = []
        encoded = []
        for f in groups[version]:
            python = None if f.requires_python is None else str(f.requires_python)
            key = (f.is_wheel, tuple(sorted(f.tags)), python, f.yanked)
            indices.append(table.setdefault(key, len(table)))
            own = str(f.version)
            encoded.append(
                (
                    f.filename,
                    f.url,
                    None if own == spelled else own,
                    f.sha256,
                    f.size,
                    f.upload_time,
                    f.has_metadata,
                    f.metadata_sha256,
                )
            )
        chunk = marshal.dumps(tuple(encoded))
        rows.append((spelled, tuple(indices), offset, len(chunk)))
        chunks.append(chunk)
        offset += len(chunk)
    head = marshal.dumps((_FORMAT, tuple(table), tuple(rows)))
    return _LENGTH.pack(len(head)) + head + b"".join(chunks)


def decoded_files() -> int:
    """How many releases' files this process has decoded (``Release.files``)."""
    return _DECODED_FILES[0]


def fresh_files() -> list[tuple[str, str, str]]:
    """The releases (index, project, version) whose files this process decoded since the last
    call."""
    fresh = list(_FRESH_FILES)
    _FRESH_FILES.clear()
    return fresh


def decode_page(
    buffer: Any, start: int, index: str, project: NormalizedName
) -> tuple[Release, ...]:
    """The releases of a page encoded by ``encode_page`` at ``start`` of ``buffer`` (bytes,
    or a read-only ``mmap`` that must stay open while a release may still be decoded).

    Raises ValueError for anything else (another format, a torn file)."""
    try:
        (length,) = _LENGTH.unpack(buffer[start : start + _LENGTH.size])
        head_start = start + _LENGTH.size
        form, table, rows = marshal.loads(_copied(buffer, head_start, head_start + length))
        if form != _FORMAT:
            raise ValueError("a compact page of another format")
        facts = [_facts(bool(w), tuple(t), r, y) for w, t, r, y in table]
        details = _Details(buffer, head_start + length, index, project)
        # Versions whose files are alike (most, on most pages) share one tuple of facts.
        alike: dict[tuple[int, ...], tuple[FileFacts, ...]] = {}
        releases = tuple(
            Release(
                _version(spelled),
                alike.get(indices) or alike.setdefault(indices, tuple(facts[i] for i in indices)),
                details=details,
                offset=offset,
                length=size,
            )
            for spelled, indices, offset, size in rows
        )
    except (struct.error, EOFError, TypeError, IndexError) as exc:
        raise ValueError(f"a damaged compact page: {exc}") from exc
    if releases and details.base + rows[-1][2] + rows[-1][3] > len(buffer):
        raise ValueError("a compact page cut short")
    return releases


def listed_releases(files: Sequence[IndexFile]) -> tuple[Release, ...]:
    """Releases of files already in memory (find-links files), one per version, in order of
    first appearance, each version spelled as its first file spells it."""
    groups: dict[Version, list[IndexFile]] = {}
    for file in files:
        groups.setdefault(file.version, []).append(file)
    return tuple(
        Release(
            members[0].version,
            tuple(
                _facts(
                    f.is_wheel,
                    tuple(sorted(f.tags)),
                    None if f.requires_python is None else str(f.requires_python),
                    f.yanked,
                )
                for f in members
            ),
            rank=members[0].rank,
            files=tuple(members),
        )
        for members in groups.values()
    )
