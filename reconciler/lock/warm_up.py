"""Lock stage: the work every lock starts with whatever the project, done ahead by the warm
server (``reconciler.warm``) so each worker it forks inherits it done.

A lock's first run in a fresh process paid ~20 ms (of ~70) that later runs in the same
process did not (measured on the bench set): the marker algebra's table of platform pairs
that never hold together, the nodes and operations of the markers nearly every project's
dependencies carry (``python_version < '3.11'``, ``sys_platform == 'win32'``, ``extra ==
...``), and the interpreter's specialising of the code that parses requirements, specifiers
and markers on its first few hundred calls. All of it is pure (no I/O, no settings): the
tables it fills answer as they would have answered when asked for the first time.

``learn`` is the same for one user's packages: the metadata a worker parsed (``fresh_metadata``)
parsed again in the server, with the markers of its requirements, and the metadata files and
index pages it read from the cache kept read, so the next workers find them done (a lock then
reads and parses only what changed since the last; a page's cache file is still checked, by
``stat``, on every read).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.reconciler.fetch.core_metadata import DistMetadata

__all__ = ["learn", "told", "warm_up"]

# Markers as real dependency tables write them (the corpus's most frequent atoms).
_MARKERS = (
    "python_version < '3.8'",
    "python_version < '3.9'",
    "python_version < '3.10'",
    "python_version < '3.11'",
    "python_version < '3.12'",
    "python_version < '3.13'",
    "python_version >= '3.8'",
    "python_version >= '3.10'",
    "python_version >= '3.12'",
    "python_full_version < '3.9.2'",
    "python_full_version >= '3.11.3'",
    "sys_platform == 'win32'",
    "sys_platform != 'win32'",
    "sys_platform == 'darwin'",
    "sys_platform == 'linux'",
    "sys_platform == 'emscripten'",
    "platform_system == 'Windows'",
    "platform_system != 'Windows'",
    "platform_system == 'Darwin'",
    "os_name == 'nt'",
    "os_name != 'nt'",
    "platform_python_implementation == 'CPython'",
    "platform_python_implementation != 'PyPy'",
    "implementation_name == 'cpython'",
    "implementation_name == 'pypy'",
    "platform_machine == 'x86_64'",
    "platform_machine == 'aarch64'",
    "extra == 'test'",
    "extra == 'dev'",
    "python_version < '3.11' and sys_platform == 'win32'",
    "sys_platform == 'linux' and platform_machine == 'x86_64'",
    "(python_version < '3.10' or platform_system == 'Windows') and extra == 'test'",
)

_REQUIREMENTS = (
    "typing-extensions>=4.6.0; python_version < '3.13'",
    "colorama; sys_platform == 'win32'",
    "exceptiongroup>=1.0.2; python_version < '3.11'",
    "tomli>=1; python_version < '3.11'",
    "pytest[testing]>=7.0,<9; extra == 'test'",
    "idna>=2.8",
    "packaging>=20.0,!=22.*",
    "urllib3<3,>=1.21.1",
    "charset-normalizer~=3.0",
    "cffi>=1.12; platform_python_implementation != 'PyPy'",
    "pywin32>=300; platform_system == 'Windows' and extra == 'win'",
    "requests[socks]==2.32.3",
)

_VERSIONS = ("1.0", "2.8.1", "3.11.7", "0.9.0rc1", "22.1", "1.21.1.post1", "4.6.0.dev3")


def warm_up(rounds: int = 3) -> None:
    """Build the platform pairs, the common markers' nodes and their meets and joins, and run
    the parsers a few hundred times. Costs ~10 ms once, in the server."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    from accord.model import marker_algebra, toml
    from accord.model.marker_tree import MarkerTree
    from accord.reconciler.lock.resolve.requirements import requirement_marker

    toml.loads('[project]\nname = "x"\ndependencies = ["a>=1"]\n')  # imports the parser
    marker_algebra.exclusions()
    trees = [MarkerTree.parse(text) for text in _MARKERS]
    for left in trees:
        for right in trees:
            _ = (left & right, left | right, left & ~right)
    versions = [Version(text) for text in _VERSIONS]
    for _round in range(rounds):
        for text in _REQUIREMENTS:
            requirement = Requirement(text)
            canonicalize_name(requirement.name)
            requirement_marker(requirement, None)
            requirement_marker(requirement, "test")
            specifier = SpecifierSet(str(requirement.specifier))
            _ = [specifier.contains(version, prereleases=True) for version in versions]
            _ = sorted(versions)


def told() -> dict[str, list[Any]]:
    """What this process did afresh since the last call, that ``learn`` takes in: a worker
    tells it to the server; the server, once it has learned, lets its own go. A module this
    process never imported did nothing afresh, and is not imported for it (this is asked at
    exit, too: ``warm.leave_learned``)."""
    import sys

    def fresh(module: str, function: str) -> list[Any]:
        loaded = sys.modules.get(f"accord.{module}")
        return [] if loaded is None else list(getattr(loaded, function)())

    return {
        "extras": fresh("reconciler.lock.resolve.requirements", "fresh_extras"),
        "files": fresh("reconciler.fetch.releases", "fresh_files"),
        "locked": fresh("reconciler.lock.memo", "fresh_locks"),
        "markers": fresh("model.marker_dnf", "fresh_rendered"),
        "parsed": fresh("reconciler.fetch.core_metadata", "fresh_metadata"),
        "read": fresh("reconciler.fetch.core_metadata", "fresh_metadata_files"),
        "pages": fresh("reconciler.fetch.project_pages", "fresh_pages"),
        "tables": fresh("reconciler.lock.resolve.tables", "fresh_tables"),
    }


def learn(news: dict[str, object]) -> None:
    """Take in what a worker told (``told``, sent by ``warm_server._tell``):

    - ``markers``, the markers it wrote: their diagrams, texts and order made again (a worker
      builds an equal marker as the same node, and finds it done);
    - ``parsed``, the core metadata it parsed: parsed again, with the requirement pairs of the
      base and the ``Requires-Python`` bound; ``extras`` (package, version, extra): the pairs
      of the extras it used;
    - ``read`` (cache directory, url, hash, bytes): the metadata files it read, kept;
    - ``pages`` (entry, index, project): the index pages it decoded, decoded;
    - ``files`` (index, project, version): the releases of those pages whose files it decoded,
      decoded;
    - ``tables`` (index, project, requires-python, fork range, Python forks): the version
      tables it made under the plain settings, made again from the pages kept decoded
      (``tables.make_ahead``);
    - ``locked`` (``memo.fresh_locks``), the locks it read that this process has not: their
      registry packages' pages, files and metadata read from the cache and parsed as a lock
      run would (``_read_ahead``), so the project's next lock (after an edit, say) finds them
      done although no worker has locked it yet.

    What does not parse, or is not of that shape, is left for the run that meets it to say."""
    from packaging.utils import canonicalize_name

    from accord.reconciler.errors import AccordError
    from accord.reconciler.fetch.core_metadata import (
        parse_metadata,
        parsed_metadata,
        remember_metadata,
    )
    from accord.reconciler.fetch.project_pages import decode_files, kept_pages, remember_page
    from accord.reconciler.lock.memo import learned_lock
    from accord.reconciler.lock.resolve.requirements import own_splits, pinned_parent
    from accord.reconciler.lock.resolve.tables import make_ahead

    _learn_markers(_items(news.get("markers"), None))
    for raw in _items(news.get("parsed"), None):
        if not isinstance(raw, bytes):
            continue
        try:
            _made_ahead(parse_metadata(raw), ())
        except (AccordError, ValueError):
            continue
    # An extra's pairs only where a worker used them (a package may have dozens).
    by_version = {(canonicalize_name(m.name), str(m.version)): m for m in parsed_metadata()}
    for name, version, extra in _items(news.get("extras"), 3):
        found = by_version.get((name, version))
        if found is not None and isinstance(extra, str):
            own_splits(found, name, extra, pinned_parent(name, version))
    for cache, url, ident, raw in _items(news.get("read"), 4):
        if all(isinstance(part, str) for part in (cache, url, ident)) and isinstance(raw, bytes):
            remember_metadata(cache, url, ident, raw)
    for entry, index, project in _items(news.get("pages"), 3):
        if isinstance(entry, str) and isinstance(index, str) and isinstance(project, str):
            remember_page(entry, index, project)
    decode_files(
        item for item in _items(news.get("files"), 3) if all(isinstance(p, str) for p in item)
    )
    make_ahead(_items(news.get("tables"), 5), kept_pages())
    for cache, digest, packages, extras, markers in _items(news.get("locked"), 5):
        if isinstance(cache, str) and isinstance(digest, str) and learned_lock(digest):
            _read_ahead(cache, _items(packages, 3), _items(extras, 2))
            _learn_markers(_items(markers, None))
    told()  # the server's own lists: what it learned is not news to tell anyone


def _learn_markers(texts: list[Any]) -> None:
    """The diagrams, texts and order of the markers ``texts``, made as a lock's writer makes
    them."""
    from accord.model.marker_order import marker_order_key
    from accord.model.marker_tree import MarkerTree
    from accord.reconciler.lock.resolve.assemble import edge_marker

    for text in texts:
        if not isinstance(text, str):
            continue
        try:
            tree = MarkerTree.parse(text)
            tree.to_string()
            marker_order_key(tree)
            edge_marker(text)
        except ValueError:
            continue


def _read_ahead(cache: str, packages: list[Any], extras: list[Any]) -> None:
    """What a lock run reads and parses first of each registry package ``(index, name,
    version)`` of a lock: its index page (from the cache ``cache`` only, fresh or not: a run
    still decides whether to ask again), the files of that version, the metadata of the file
    a resolver reads it from, and that metadata's requirements (the base's, and those of the
    ``(package, extra)`` pairs the lock's edges ask for). A package the cache lacks, or whose
    page or metadata does not read, is left for the run that meets it."""
    from pathlib import Path

    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    from accord.reconciler.errors import AccordError
    from accord.reconciler.fetch.index import IndexClient, parse_metadata
    from accord.reconciler.lock.resolve.metadata import metadata_source

    wanted: dict[str, list[str]] = {}
    for package, extra in extras:
        if isinstance(package, str) and isinstance(extra, str):
            wanted.setdefault(package, []).append(extra)
    clients: dict[str, IndexClient] = {}
    for index, name, version in packages:
        if not all(isinstance(part, str) for part in (index, name, version)):
            continue
        client = clients.get(index)
        if client is None:
            client = clients[index] = IndexClient([index], cache_dir=Path(cache), offline=True)
        try:
            pinned = Version(version)
            release = next(r for r in client.releases(name) if r.version == pinned)
            metadata = parse_metadata(client.metadata(metadata_source(release.files())))
            _made_ahead(metadata, wanted.get(canonicalize_name(metadata.name), ()))
        except (AccordError, InvalidVersion, StopIteration, IndexError, OSError, ValueError):
            continue
    for client in clients.values():
        client.close()


def _made_ahead(metadata: DistMetadata, extras: Sequence[str]) -> None:
    """What a lock makes of a version's metadata besides parsing it: the requirement pairs of
    its base and of ``extras``, split as a provider asks for them (``own_splits``), and its
    ``Requires-Python`` bound."""
    from packaging.utils import canonicalize_name

    from accord.model.python_range import lower_bound
    from accord.reconciler.lock.resolve.requirements import own_splits, pinned_parent

    project = canonicalize_name(metadata.name)
    for extra in (None, *extras):
        own_splits(metadata, project, extra, pinned_parent(project, metadata.version))
    if metadata.requires_python is not None:
        lower_bound(metadata.requires_python)


def _items(value: object, size: int | None) -> list[Any]:
    """The items of the list ``value``: tuples of ``size`` items (None: any item)."""
    if not isinstance(value, list):
        return []
    return [
        item for item in value if size is None or (isinstance(item, tuple) and len(item) == size)
    ]
