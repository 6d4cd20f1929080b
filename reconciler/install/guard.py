"""What a plan's wheels would write, checked before the environment is touched (apply stage).

``check_installs`` maps every file each unpacked wheel would place (package files, ``.data``
schemes, console and GUI scripts) to its path in the environment, and refuses the plan when
a wheel's ``.dist-info`` names another package or version than the lock, or when a file would
land on the environment's own files (its interpreter, ``pyvenv.cfg``, activation scripts,
accord's stamp) or on a file of another distribution, installed or in the same plan, with
different content. Identical content is allowed: old-style namespace packages ship the same
``__init__.py`` in several wheels.
"""

from __future__ import annotations

import configparser
import filecmp
import os
import posixpath
import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import attrs
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.reconciler.errors import DistributionInvalid
from accord.reconciler.install.listing import tree_listing

__all__ = ["PlannedWheel", "check_installs"]

_PROTECTED_ROOT = frozenset({"pyvenv.cfg", ".gitignore", "CACHEDIR.TAG", ".accord-stamp", ".lock"})
_PROTECTED_SCRIPT = re.compile(
    r"^(python(w|\d+(\.\d+)?t?)?|pypy\d*(\.\d+)?|activate(\..*)?|activate_this\.py|deactivate.*)$"
)
_REGENERATED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})


@attrs.frozen
class PlannedWheel:
    """One install or replacement of the plan, as apply will perform it."""

    name: NormalizedName
    version: Version | None
    """The locked version; None for a source tree whose version is dynamic."""
    tree: Path
    replaces: str | None = None
    """The ``.dist-info`` directory this wheel replaces (its files are not a conflict)."""


def _refuse(wheel: PlannedWheel, what: str) -> DistributionInvalid:
    return DistributionInvalid(
        f"The wheel for `{wheel.name}` {what}",
        hint="nothing was installed; the wheel is broken or hostile, or two packages of the "
        "lock claim the same file",
    )


def _dist_info(wheel: PlannedWheel) -> str:
    found = [entry for entry in os.listdir(wheel.tree) if entry.endswith(".dist-info")]
    if len(found) != 1:
        raise _refuse(wheel, "must have exactly one .dist-info directory")
    return found[0]


def _check_identity(wheel: PlannedWheel, dist_info: str) -> None:
    stem = dist_info[: -len(".dist-info")]
    name, _, version = stem.rpartition("-")
    try:
        parsed = Version(version)
    except InvalidVersion:
        parsed = None
    wanted = f"{wheel.name} {wheel.version}" if wheel.version is not None else str(wheel.name)
    if canonicalize_name(name) != wheel.name or (
        wheel.version is not None and parsed != wheel.version
    ):
        raise _refuse(wheel, f"contains `{dist_info}`, but the lock asks for {wanted}")


def _scripts(tree: Path, dist_info: str, wheel: PlannedWheel) -> list[str]:
    path = tree / dist_info / "entry_points.txt"
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise _refuse(wheel, "has a bad entry_points.txt") from exc
    names = [
        script
        for section in ("console_scripts", "gui_scripts")
        if parser.has_section(section)
        for script in parser.options(section)
    ]
    for script in names:
        if "/" in script or "\\" in script or script in ("", ".", ".."):
            raise _refuse(wheel, f"has a script name that is a path: `{script}`")
    return names


def _destinations(
    wheel: PlannedWheel, site: str, version_dir: str, tops: Collection[str] | None = None
) -> dict[str, str | None]:
    """Environment-relative POSIX path → the file in the tree that goes there (None for a
    generated script). With ``tops``, of the package files only those under these top-level
    entries (the ``.dist-info``, ``.data`` and scripts always)."""
    tree = str(wheel.tree)
    dist_info = _dist_info(wheel)
    _check_identity(wheel, dist_info)
    data_dir = dist_info[: -len(".dist-info")] + ".data"
    roots = {
        "purelib": site,
        "platlib": site,
        "data": "",
        "headers": posixpath.join("include", "site", version_dir, wheel.name),
        "scripts": "bin",
    }
    found: dict[str, str | None] = {}
    for relative, files in tree_listing(wheel.tree):
        directory = os.path.join(tree, relative) if relative else tree
        top, _, rest = relative.partition("/")
        if top == data_dir:
            if not rest:
                continue
            scheme, _, inner = rest.partition("/")
            if scheme not in roots:
                raise _refuse(wheel, f"has an unknown data scheme `{scheme}`")
            base = posixpath.join(roots[scheme], inner) if inner else roots[scheme]
        elif top == dist_info:
            if relative == dist_info:
                files = [f for f in files if f not in _REGENERATED]
            base = posixpath.join(site, relative)
        elif relative:
            if tops is not None and top not in tops:
                continue
            base = posixpath.join(site, relative)
        else:
            if tops is not None:
                files = [name for name in files if name in tops]
            base = site
        for file_name in files:
            found[posixpath.normpath(posixpath.join(base, file_name))] = os.path.join(
                directory, file_name
            )
    for script in _scripts(wheel.tree, dist_info, wheel):
        found[posixpath.join("bin", script)] = None
    return {_unalias(path): source for path, source in found.items()}


def _unalias(path: str) -> str:
    """``lib64`` is a symlink to ``lib`` in a POSIX venv: one file, one name."""
    return "lib" + path[len("lib64") :] if path == "lib64" or path.startswith("lib64/") else path


def _protected(path: str) -> str | None:
    """Why ``path`` (environment-relative) belongs to the environment itself, or None."""
    if "/" not in path and (path in _PROTECTED_ROOT or path.startswith(".accord")):
        return "the environment's own file"
    directory, _, name = path.rpartition("/")
    if directory == "bin" and _PROTECTED_SCRIPT.match(name):
        kind = "activation script" if name.startswith(("activate", "deactivate")) else "interpreter"
        return f"the environment's {kind}"
    return None


def _same_content(source: str | None, existing: Path) -> bool:
    if source is None or not existing.is_file():
        return False
    try:
        return filecmp.cmp(source, existing, shallow=False)
    except OSError:
        return False


def _owners(venv: Path, site: str, skip: set[str]) -> dict[str, str]:
    """Environment-relative path → the ``.dist-info`` whose RECORD lists it, for every
    installed distribution but those in ``skip``."""
    from accord.reconciler.install.observe import read_record

    owners: dict[str, str] = {}
    site_path = venv / site
    try:
        entries = sorted(e for e in os.listdir(site_path) if e.endswith(".dist-info"))
    except OSError:
        return owners
    for entry in entries:
        if entry in skip:
            continue
        for relative, _, _ in read_record(site_path / entry) or []:
            path = _unalias(posixpath.normpath(posixpath.join(site, relative)))
            owners.setdefault(path, entry)
    return owners


def check_installs(
    wheels: Sequence[PlannedWheel],
    venv: Path,
    site: str,
    *,
    fresh: bool,
    removed: Iterable[str] = (),
) -> None:
    """Refuse the plan's installs if any would write where it must not (module docstring).

    ``site`` is site-packages relative to ``venv``; ``fresh`` says the environment is being
    created, so only the wheels themselves can collide; ``removed`` are the ``.dist-info``
    directories the plan removes (their files are free)."""
    version_dir = posixpath.basename(posixpath.dirname(site))
    # Path → the index of the wheel that installs it. Only the paths are kept (a large set
    # installs tens of thousands of files); where a file of the tree is needed again (two
    # wheels claim one path, or the path exists already), that wheel's destinations are
    # listed again.
    claimed: dict[str, int] = {}
    listed: dict[int, dict[str, str | None]] = {}
    # Into a new environment, a wheel's package files can only meet another wheel's under a
    # top-level entry both have (a namespace package), and never the environment's own files
    # (those are outside site-packages): the other package files need no look.
    shared = _shared_entries(wheels) if fresh else None

    def source_of(index: int, path: str) -> str | None:
        if index not in listed:
            listed[index] = _destinations(wheels[index], site, version_dir)
        return listed[index].get(path)

    for index, wheel in enumerate(wheels):
        tops = None if shared is None else shared.get(index, ())
        for path, source in _destinations(wheel, site, version_dir, tops).items():
            why = _protected(path)
            if why is not None:
                raise _refuse(wheel, f"would overwrite `{path}`, {why}")
            earlier = claimed.get(path)
            if earlier is not None and wheels[earlier].name != wheel.name:
                other_source = source_of(earlier, path)
                if (
                    source is None
                    or other_source is None
                    or not filecmp.cmp(source, other_source, shallow=False)
                ):
                    raise _refuse(
                        wheel,
                        f"would overwrite `{path}`, which `{wheels[earlier].name}` installs too",
                    )
            claimed[path] = index
    if fresh:
        return
    existing = [path for path in claimed if os.path.lexists(venv / path)]
    if not existing:
        return
    skip = set(removed) | {wheel.replaces for wheel in wheels if wheel.replaces}
    owners = _owners(venv, site, skip)
    for path in existing:
        owner = owners.get(path)
        wheel = wheels[claimed[path]]
        if owner is None or _same_content(source_of(claimed[path], path), venv / path):
            continue  # a file no distribution claims (a leftover), or the same bytes
        if owner.endswith(".dist-info") and _owner_name(owner) == wheel.name:
            continue  # a second copy of this very distribution; the plan replaces it
        raise _refuse(wheel, f"would overwrite `{path}`, a file of `{owner[: -len('.dist-info')]}`")


def _shared_entries(wheels: Sequence[PlannedWheel]) -> dict[int, set[str]]:
    """By wheel (index): its top-level package entries that a wheel of another name has too."""
    holders: dict[str, list[int]] = {}
    for index, wheel in enumerate(wheels):
        for entry in os.listdir(wheel.tree):
            if not entry.endswith((".dist-info", ".data")):
                holders.setdefault(entry, []).append(index)
    shared: dict[int, set[str]] = {}
    for entry, indices in holders.items():
        if len({wheels[index].name for index in indices}) > 1:
            for index in indices:
                shared.setdefault(index, set()).add(entry)
    return shared


def _owner_name(dist_info: str) -> NormalizedName:
    return canonicalize_name(dist_info[: -len(".dist-info")].rpartition("-")[0])
