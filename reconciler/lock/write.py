"""Writing ``model.lock.Lock`` as ``uv.lock`` text, byte for byte as uv 0.13 lays it out (lock
stage; writes one file).

``format_lock`` is pure: it renders the layout of uv's writer (``shared/docs/uv/uv-lock-format.md``
§7) by hand rather than through tomlkit, because uv's layout (multi-line arrays with trailing
commas, one-line "cardinality" arrays, inline tables) is fixed and small. Markers and specifiers
are rendered in uv's canonical spelling from the packaging objects; ``write_lock`` replaces the
file atomically and only when the text changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from accord.model.identity_memo import IdentityMemo
from accord.model.lock import (
    Artifact,
    ConflictItem,
    Dependency,
    Groups,
    Lock,
    LockedPackage,
    LockOptions,
    LockRequirement,
    Source,
    SourceKind,
)
from accord.model.markers import render_marker
from accord.reconciler.errors import LockfileInvalid
from accord.reconciler.fsutil import write_atomic
from accord.reconciler.lock.toml_text import (
    inline_table,
    render_requires_python,
    render_specifier,
    string_array,
    toml_string,
)

__all__ = ["format_lock", "write_lock"]

_EXCLUDE_NEWER_SPAN_COMMENT = (
    " # This has no effect and is included for backwards compatibility when using relative "
    "exclude-newer values."
)

# Inline values ----------------------------------------------------------------------------


def _bare(location: str) -> str:
    """An http(s) URL without its login: uv.lock never holds credentials (uv strips them too;
    an ``ssh://git@host`` user name is an address, not a secret, and stays)."""
    if "@" not in location or not location.lower().startswith(("http", "git+http")):
        return location
    from accord.reconciler.credentials import strip_credentials

    return strip_credentials(location)[0]


def _source(source: Source) -> str:
    pairs = [(source.kind.value, toml_string(_bare(source.location)))]
    if source.subdirectory is not None:
        pairs.append(("subdirectory", toml_string(source.subdirectory)))
    return inline_table(pairs)


def _artifact(artifact: Artifact) -> str:
    return inline_table(
        [
            ("url", _opt_string(None if artifact.url is None else _bare(artifact.url))),
            ("path", _opt_string(artifact.path)),
            ("filename", _opt_string(artifact.filename)),
            ("hash", _opt_string(artifact.hash)),
            ("size", None if artifact.size is None else str(artifact.size)),
            ("upload-time", _opt_string(artifact.upload_time)),
        ]
    )


def _opt_string(value: str | None) -> str | None:
    return None if value is None else toml_string(value)


def _opt_marker(marker: Marker | None) -> str | None:
    text = None if marker is None else render_marker(marker)
    return toml_string(text) if text else None


def _requirement(requirement: LockRequirement) -> str:
    pairs: list[tuple[str, str | None]] = [
        ("name", toml_string(requirement.name)),
        ("extras", string_array(list(requirement.extras)) if requirement.extras else None),
        ("groups", string_array(sorted(requirement.groups)) if requirement.groups else None),
        ("marker", _opt_marker(requirement.marker)),
    ]
    if requirement.source is None:
        specifier = render_specifier(requirement.specifier)
        pairs.append(("specifier", toml_string(specifier) if specifier else None))
        pairs.append(
            ("index", _opt_string(None if requirement.index is None else _bare(requirement.index)))
        )
    else:
        source = requirement.source
        pairs.append((source.kind.value, toml_string(_bare(source.location))))
        pairs.append(("subdirectory", _opt_string(source.subdirectory)))
    return inline_table(pairs)


def _requirement_key(requirement: LockRequirement) -> tuple[Any, ...]:
    """uv's ``Requirement`` order: name, extras and groups as the lists they are (declared
    order; a shorter prefix first), the marker (uv's order of decision diagrams), the
    source."""
    source = requirement.source
    return (
        requirement.name,
        tuple(requirement.extras),
        tuple(requirement.groups),
        _marker_order(requirement.marker),
        (0, "", "") if source is None else (1, _kind_rank(source.kind), source.location),
        # A registry source's specifier: none first (uv compares the specifier lists).
        (len(requirement.specifier) > 0, render_specifier(requirement.specifier)),
    )


_ORDERS: IdentityMemo[tuple[Any, ...]] = IdentityMemo(20_000)


def _marker_order(marker: Marker | None) -> tuple[Any, ...]:
    """uv's order of markers (by their decision diagram, ``model.marker_order``); worked out
    once per marker object (the edges of a lock share theirs)."""
    known = _ORDERS.get(marker)
    if known is None:
        from accord.model.marker_order import marker_order_key
        from accord.model.marker_tree import MarkerTree

        known = _ORDERS.put(marker, marker_order_key(MarkerTree.parse(marker)))
    return known


_KIND_RANKS = {kind: rank for rank, kind in enumerate(SourceKind)}


def _kind_rank(kind: SourceKind) -> int:
    return _KIND_RANKS[kind]


def _package_key(package: LockedPackage) -> tuple[Any, ...]:
    version = () if package.version is None else (package.version,)
    return (package.name, version, _kind_rank(package.source.kind), package.source.location)


# Blocks -----------------------------------------------------------------------------------


def _multiline(key: str, items: Sequence[str]) -> list[str]:
    if not items:
        return [f"{key} = []"]
    return [f"{key} = [", *(f"    {item}," for item in items), "]"]


def _cardinality(key: str, items: Sequence[str]) -> list[str]:
    if len(items) <= 1:
        return [f"{key} = [{''.join(items)}]"]
    return _multiline(key, items)


def _requirements(key: str, requirements: Iterable[LockRequirement]) -> list[str]:
    ordered = sorted(requirements, key=_requirement_key)
    return _cardinality(key, [_requirement(r) for r in ordered])


class _Writer:
    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self.lines: list[str] = []
        self.counts: dict[str, int] = {}
        self.target_of = lock.targets()
        for package in lock.packages:
            self.counts[package.name] = self.counts.get(package.name, 0) + 1

    def table(self, header: str) -> None:
        self.lines += ["", header]

    def edge(self, edge: Dependency) -> str:
        ambiguous = self.counts.get(edge.name, 0) > 1
        pairs: list[tuple[str, str | None]] = [("name", toml_string(edge.name))]
        if ambiguous:
            version = None if edge.version is None else toml_string(str(edge.version))
            pairs.append(("version", version))
            pairs.append(("source", None if edge.source is None else _source(edge.source)))
        pairs.append(("extra", string_array(sorted(edge.extras)) if edge.extras else None))
        pairs.append(("marker", _opt_marker(edge.marker)))
        return inline_table(pairs)

    def edges(self, key: str, edges: Iterable[Dependency]) -> list[str]:
        def sort_key(edge: Dependency) -> tuple[Any, ...]:
            target = self.target_of(edge)
            package_key = _package_key(target) if target is not None else (edge.name,)
            return (package_key, tuple(sorted(edge.extras)), _marker_order(edge.marker))

        return _multiline(key, [self.edge(e) for e in sorted(edges, key=sort_key)])

    def header(self) -> None:
        lock = self.lock
        self.lines.append(f"version = {lock.version}")
        if lock.revision > 0:
            self.lines.append(f"revision = {lock.revision}")
        self.lines.append(
            f"requires-python = {toml_string(render_requires_python(lock.requires_python))}"
        )
        for key, markers in (
            ("resolution-markers", lock.resolution_markers),
            ("supported-markers", lock.supported_markers),
            ("required-markers", lock.required_markers),
        ):
            if markers:
                self.lines += _multiline(key, [toml_string(render_marker(m)) for m in markers])
        if lock.conflicts:
            # Each set is a multi-line array; sets follow each other as `], [`.
            sets = ["\n".join(f"    {_conflict_item(item)}," for item in s) for s in lock.conflicts]
            self.lines.append("conflicts = [[\n" + "\n], [\n".join(sets) + "\n]]")

    def options(self, options: LockOptions) -> None:
        scalars = [
            ("resolution-mode", options.resolution_mode),
            ("prerelease-mode", options.prerelease_mode),
            ("fork-strategy", options.fork_strategy),
            ("exclude-newer", options.exclude_newer),
            ("exclude-newer-span", options.exclude_newer_span),
        ]
        subtables = options.prerelease_package or options.exclude_newer_package
        if subtables or any(value is not None for _, value in scalars):
            # uv writes the [options] header even when only its subtables have entries.
            self.table("[options]")
            for key, value in scalars:
                if value is not None:
                    comment = ""
                    if key == "exclude-newer" and options.exclude_newer_span is not None:
                        comment = _EXCLUDE_NEWER_SPAN_COMMENT
                    self.lines.append(f"{key} = {toml_string(value)}{comment}")
        if options.prerelease_package:
            self.table("[options.prerelease-package]")
            self.lines += [f"{k} = {toml_string(v)}" for k, v in options.prerelease_package]
        if options.exclude_newer_package:
            self.table("[options.exclude-newer-package]")
            for name, limit in options.exclude_newer_package:
                rendered = toml_string(limit) if isinstance(limit, str) else str(limit).lower()
                self.lines.append(f"{name} = {rendered}")

    def manifest(self) -> None:
        lock = self.lock
        body: list[str] = []
        if lock.members:
            body += _multiline("members", [toml_string(m) for m in sorted(lock.members)])
        for key, requirements in (
            ("requirements", lock.manifest_requirements),
            ("constraints", lock.constraints),
            ("overrides", lock.overrides),
        ):
            if requirements:
                body += _requirements(key, requirements)
        if lock.excludes:
            body += _cardinality("excludes", [toml_string(e) for e in sorted(lock.excludes)])
        if lock.build_constraints:
            body += _requirements("build-constraints", lock.build_constraints)
        if lock.manifest_default_groups is not None:
            body.append(f"default-groups = {string_array(lock.manifest_default_groups)}")
        groups = lock.manifest_group_requirements
        if body:  # uv writes no header for a [manifest] of subtables alone
            self.table("[manifest]")
            self.lines += body
        if groups:
            self.table("[manifest.dependency-groups]")
            self.requirement_groups(groups)
        if lock.manifest_group_requires_python:
            self.table("[manifest.group-requires-python]")
            self.specifier_groups(lock.manifest_group_requires_python)
        for entry in lock.dependency_metadata:
            # uv writes these last in [manifest], without a [manifest] header of their own.
            self.table("[[manifest.dependency-metadata]]")
            self.lines.append(f"name = {toml_string(entry.name)}")
            if entry.version is not None:
                self.lines.append(f"version = {toml_string(str(entry.version))}")
            if entry.requires_dist:
                self.lines.append(f"requires-dist = {string_array(entry.requires_dist)}")
            if entry.requires_python is not None:
                self.lines.append(f"requires-python = {toml_string(entry.requires_python)}")
            if entry.provides_extras:
                self.lines.append(f"provides-extras = {string_array(entry.provides_extras)}")

    def requirement_groups(self, groups: Groups) -> None:
        for name, requirements in sorted(groups, key=lambda group: group[0]):
            self.lines += _requirements(name, requirements)

    def specifier_groups(self, groups: Iterable[tuple[str, SpecifierSet]]) -> None:
        for name, specifier in sorted(groups, key=lambda group: group[0]):
            self.lines.append(f"{name} = {toml_string(render_requires_python(specifier))}")

    def package(self, package: LockedPackage) -> None:
        self.table("[[package]]")
        self.lines.append(f"name = {toml_string(package.name)}")
        if package.version is not None:
            self.lines.append(f"version = {toml_string(str(package.version))}")
        self.lines.append(f"source = {_source(package.source)}")
        if package.resolution_markers:
            markers = [toml_string(render_marker(m)) for m in package.resolution_markers]
            self.lines += _multiline("resolution-markers", markers)
        if package.default_groups is not None:
            self.lines.append(f"default-groups = {string_array(package.default_groups)}")
        if package.dependencies:
            self.lines += self.edges("dependencies", package.dependencies)
        if package.sdist is not None:
            self.lines.append(f"sdist = {_artifact(package.sdist)}")
        if package.wheels:
            self.lines += _multiline("wheels", [_artifact(w) for w in package.wheels])
        for header, groups in (
            ("[package.optional-dependencies]", package.optional_dependencies),
            ("[package.dev-dependencies]", package.dev_dependencies),
        ):
            if groups:
                self.table(header)
                for name, edges in sorted(groups, key=lambda group: group[0]):
                    self.lines += self.edges(name, edges)
        if package.group_requires_python:
            self.table("[package.group-requires-python]")
            self.specifier_groups(package.group_requires_python)
        if package.requires_dist or package.provides_extras or package.requires_dev:
            self.table("[package.metadata]")
            if package.requires_dist:
                self.lines += _requirements("requires-dist", package.requires_dist)
            if package.provides_extras:
                extras = string_array(package.provides_extras)
                self.lines.append(f"provides-extras = {extras}")
        if package.requires_dev:
            self.table("[package.metadata.requires-dev]")
            self.requirement_groups(package.requires_dev)


def _conflict_item(item: ConflictItem) -> str:
    return inline_table(
        [
            ("package", toml_string(item.package)),
            ("extra", _opt_string(item.extra)),
            ("group", _opt_string(item.group)),
        ]
    )


_TEXTS: IdentityMemo[str] = IdentityMemo(4)
"""The texts of the last locks formatted: a relock compares the new lock's text with the
file's (``ensure.settle_lock``), then writes it (``write_lock``)."""


def format_lock(lock: Lock) -> str:
    """The ``uv.lock`` text of ``lock``, laid out as uv 0.13 writes it.

    Packages are sorted by package ID (name, version, source); edges by target, extras and
    marker; requirements by name, extras, groups, marker and source; groups by name. Arrays
    and tables keep the model's content otherwise: nothing is added, dropped or simplified.
    Remembered for the last few locks (a ``Lock`` is never changed).
    """
    known = _TEXTS.get(lock)
    if known is not None:
        return known
    return _TEXTS.put(lock, _format(lock))


def _format(lock: Lock) -> str:
    writer = _Writer(lock)
    writer.header()
    writer.options(lock.options)
    writer.manifest()
    for package in sorted(lock.packages, key=_package_key):
        writer.package(package)
    return "\n".join(writer.lines) + "\n"


def write_lock(lock: Lock, path: Path) -> bool:
    """Write ``lock`` to ``path`` unless the file already holds exactly that text.

    The text goes to a temporary file in the same directory, which then replaces ``path``
    (``os.replace``), so readers never see half a lock. Returns whether the file changed.
    Raises ``LockfileInvalid`` naming the file when it cannot be written, and when the file
    there cannot be read as a lock: a lock that could not be read is never replaced (uv stops
    too); the user fixes or deletes it.
    """
    from accord.reconciler.lock.memo import parse_lock_cached
    from accord.reconciler.lock.text import read_lock_text

    text = format_lock(lock)
    existing = read_lock_text(path)
    if existing == text:
        return False
    if existing is not None:
        parse_lock_cached(existing, path)  # raises LockfileInvalid for an unreadable lock
    try:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644  # mkstemp's 0o600 would hide the lock from other users
        write_atomic(path, text, mode=mode)
    except OSError as exc:
        raise LockfileInvalid(
            f"Failed to write `{path}`: {exc.strerror or exc}", path=path
        ) from exc
    return True
