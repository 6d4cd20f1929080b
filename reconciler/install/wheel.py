"""Installing an unpacked wheel into a venv (apply stage; removal: ``install.removal``).

Install = hardlink every file from the cache's unpacked tree into the environment (copy when
links fail), rewrite ``#!python`` scripts, generate entry-point scripts with this
environment's interpreter, then write INSTALLER, direct_url.json and, last of all, RECORD:
a dist without RECORD is seen as broken and repaired by the next run (crash safety, as
installer writes RECORD last).
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import attrs

from accord.reconciler.errors import DistributionInvalid
from accord.reconciler.fetch.artifacts import file_sha256
from accord.reconciler.install.links import package_entries
from accord.reconciler.install.removal import prune_empty

__all__ = ["InstallTarget", "install_tree"]

_SCRIPT_SHEBANG = re.compile(rb"^#!python(w)?(?P<args>\s.*)?$")
_ENTRY_POINT = re.compile(
    r"^(?P<module>[\w.]+)\s*(?::\s*(?P<attrs>[\w.]+))?\s*(?P<extras>\[.*\])?$"
)


@attrs.frozen
class InstallTarget:
    """Where the parts of a wheel go in one environment."""

    venv: Path
    site_packages: Path
    python: Path
    """The environment's interpreter, for shebangs."""

    @property
    def scripts(self) -> Path:
        return self.venv / "bin"


def _record_hash(data: bytes) -> str:
    return _record_digest(hashlib.sha256(data).digest())


def _record_digest(digest: bytes) -> str:
    """A sha256 digest as RECORD writes it: ``sha256=<urlsafe base64, unpadded>``."""
    return f"sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


_REGENERATED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
"""dist-info files written per environment, never linked from the wheel."""


def site_version_dir(target: InstallTarget) -> str:
    """``pythonX.Y``: the directory above site-packages."""
    return target.site_packages.parent.name


def _install_script(
    source: Path,
    target: InstallTarget,
    inner: str,
    installed: list[tuple[str, str, str]],
    written: list[str],
) -> None:
    """A ``.data/scripts`` file: copied (not linked), ``#!python`` rewritten to this venv."""
    destination = target.scripts / inner
    destination.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as stream:
        first = stream.readline(_SHEBANG_LIMIT)
    shebang = _SCRIPT_SHEBANG.match(first.rstrip(b"\r\n"))
    if shebang is None:
        # Not a Python script (a compiled program can be tens of MiB): copied as it is, in
        # the kernel, and hashed in blocks, never held in memory whole.
        _copy_script(source, destination)
        hash_, size = _file_record_hash(destination)
        written.append(str(destination))
        installed.append((_relative_to_site(target, destination), hash_, size))
        return
    content = source.read_bytes()
    _, newline, body = content.partition(b"\n")
    args = (shebang.group("args") or b"").rstrip()
    content = b"#!" + bytes(target.python) + args + newline + body
    _write(destination, content, executable=True)
    written.append(str(destination))
    installed.append(
        (_relative_to_site(target, destination), _record_hash(content), str(len(content)))
    )


_SHEBANG_LIMIT = 4096  # how much of a script's first line is read to find ``#!python``


def _copy_script(source: Path, destination: Path) -> None:
    if destination.exists() or destination.is_symlink():
        destination.unlink()
    try:
        shutil.copyfile(source, destination)
        os.chmod(destination, 0o755)
    except BaseException:
        with contextlib.suppress(OSError):
            destination.unlink()
        raise


def _file_record_hash(path: Path) -> tuple[str, str]:
    """RECORD's hash and size of a file, read in blocks (``fetch.artifacts.file_sha256``)."""
    digest = bytes.fromhex(file_sha256(path))
    return _record_digest(digest), str(path.stat().st_size)


def _link(source: str, destination: str) -> None:
    """Hard-link ``source`` to ``destination`` (copying where links cannot be made), replacing
    a file already there (one an interrupted install left behind)."""
    if os.path.lexists(destination):
        os.unlink(destination)
    try:
        os.link(source, destination)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, destination)


def _relative_to_site(target: InstallTarget, path: Path) -> str:
    return os.path.relpath(path, target.site_packages).replace(os.sep, "/")


def _write(path: Path, data: bytes, *, executable: bool = False) -> None:
    """Write ``path`` afresh; on failure, nothing of the new file is left (the caller lists a
    path for rollback only once it is written)."""
    if path.exists() or path.is_symlink():
        path.unlink()
    try:
        path.write_bytes(data)
        if executable:
            os.chmod(path, 0o755)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _entry_point_script(python: Path, spec: str, name: str) -> bytes:
    match = _ENTRY_POINT.match(spec.strip())
    if match is None:
        raise DistributionInvalid(f"Invalid entry point `{name} = {spec}`")
    module, attribute = match.group("module"), match.group("attrs")
    if attribute:
        head = attribute.split(".", 1)[0]
        imports, call = f"from {module} import {head}", f"{attribute}()"
    else:
        imports, call = f"import {module}", f"{module}()"
    return (
        f"#!{python}\n"
        "# -*- coding: utf-8 -*-\n"
        "import sys\n"
        f"{imports}\n"
        'if __name__ == "__main__":\n'
        '    if sys.argv[0].endswith("-script.pyw"):\n'
        "        sys.argv[0] = sys.argv[0][:-11]\n"
        '    elif sys.argv[0].endswith(".exe"):\n'
        "        sys.argv[0] = sys.argv[0][:-4]\n"
        f"    sys.exit({call})\n"
    ).encode()


def _find_dist_info(tree: Path, name: str) -> Path:
    candidates = [entry for entry in tree.iterdir() if entry.name.endswith(".dist-info")]
    if len(candidates) != 1:
        raise DistributionInvalid(f"The wheel for `{name}` must have exactly one .dist-info")
    return candidates[0]


def install_tree(
    tree: Path,
    target: InstallTarget,
    *,
    name: str,
    direct_url: dict[str, object] | None = None,
    extra_files: dict[str, bytes] | None = None,
    prelinked: bool = False,
    kept: bool = False,
) -> None:
    """Install the unpacked wheel at ``tree`` into ``target``; RECORD is written last.

    ``prelinked``: the package files are linked in already (``links``), and so is the kept
    dist-info when ``kept`` (``install.kept``: nothing is left to write); a plain install
    into a fresh environment keeps its dist-info for the next.

    On any failure the files placed so far are removed again before the error propagates,
    so a failed install leaves no partial dist behind.
    """
    if prelinked and kept:
        return
    written: list[str] = []
    try:
        _install_tree(tree, target, name, direct_url, written, extra_files or {}, prelinked)
    except BaseException:
        for path in map(Path, reversed(written)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            inside = target.site_packages in path.parents
            prune_empty(path.parent, target.site_packages if inside else target.venv)
        raise


def _install_tree(
    tree: Path,
    target: InstallTarget,
    name: str,
    direct_url: dict[str, object] | None,
    written: list[str],
    extra_files: dict[str, bytes],
    prelinked: bool = False,
) -> None:
    dist_info_src = _find_dist_info(tree, name)
    record_rows: dict[str, tuple[str, str]] = {}
    wheel_record = dist_info_src / "RECORD"
    if wheel_record.is_file():
        with wheel_record.open(encoding="utf-8", newline="") as stream:
            for row in csv.reader(stream):
                if row:
                    record_rows[row[0]] = (
                        row[1] if len(row) > 1 else "",
                        row[2] if len(row) > 2 else "",
                    )
    installed: list[tuple[str, str, str]] = []
    dist_info_name = dist_info_src.name
    data_dir_name = dist_info_name[: -len(".dist-info")] + ".data"
    site = str(target.site_packages)
    # Where each .data scheme goes; RECORD paths are relative to site-packages.
    roots = {
        "purelib": site,
        "platlib": site,
        "data": str(target.venv),
        "headers": os.path.join(target.venv, "include", "site", site_version_dir(target), name),
    }
    # Strings and one makedirs per directory: this loop runs for every file of every wheel,
    # and pathlib's per-call overhead dominated a fresh sync (profiled on the bench set).
    tree_text = str(tree)
    walk_roots = [tree_text]
    if prelinked and _record_covers(record_rows, tree, dist_info_name, data_dir_name):
        # The package files are linked already and the wheel's RECORD lists each of them with
        # its hash and size: take the rows from it, and walk only what is written per
        # environment (the dist-info and the .data schemes).
        for recorded, (hash_, size) in record_rows.items():
            top = recorded.split("/", 1)[0]
            if top not in (dist_info_name, data_dir_name) and hash_:
                written.append(os.path.join(site, recorded))
                # The hash was verified on unpack; the size is taken from the file itself.
                size = str(os.stat(os.path.join(tree_text, recorded)).st_size)
                installed.append((recorded, hash_, size))
        walk_roots = [os.path.join(tree_text, dist_info_name)]
        if os.path.isdir(os.path.join(tree_text, data_dir_name)):
            walk_roots.append(os.path.join(tree_text, data_dir_name))
    for directory, _, files in (entry for root in walk_roots for entry in os.walk(root)):
        if not files:
            continue
        relative = directory[len(tree_text) + 1 :].replace(os.sep, "/")
        top, _, rest = relative.partition("/")
        if top == data_dir_name:
            scheme, _, inner = rest.partition("/")
            if scheme == "scripts":
                for file_name in files:
                    _install_script(
                        Path(directory, file_name),
                        target,
                        f"{inner}/{file_name}".lstrip("/"),
                        installed,
                        written,
                    )
                continue
            root = roots.get(scheme)
            if root is None:
                raise DistributionInvalid(
                    f"The wheel for `{name}` has an unknown data scheme `{scheme}`"
                )
            destination_dir = os.path.join(root, inner) if inner else root
            record_dir = os.path.relpath(destination_dir, site).replace(os.sep, "/")
        else:
            in_dist_info = top == dist_info_name
            if relative == dist_info_name:
                files = [f for f in files if f not in _REGENERATED]
            destination_dir = os.path.join(site, relative) if relative else site
            record_dir = relative or "."
            if prelinked and not in_dist_info:
                # Already linked in place by link_package_files: record them only.
                prefix = "" if record_dir == "." else record_dir + "/"
                for file_name in files:
                    written.append(os.path.join(destination_dir, file_name))
                    hash_, size = _actual(
                        os.path.join(directory, file_name), record_rows.get(prefix + file_name)
                    )
                    installed.append((prefix + file_name, hash_, size))
                continue
        os.makedirs(destination_dir, exist_ok=True)
        prefix = "" if record_dir == "." else record_dir + "/"
        wheel_prefix = relative + "/" if relative else ""
        for file_name in files:
            source = os.path.join(directory, file_name)
            destination = os.path.join(destination_dir, file_name)
            _link(source, destination)
            written.append(destination)
            hash_, size = _actual(destination, record_rows.get(wheel_prefix + file_name))
            installed.append((prefix + file_name, hash_, size))

    entry_points = dist_info_src / "entry_points.txt"
    if entry_points.is_file():
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read_string(entry_points.read_text(encoding="utf-8"))
        except configparser.Error as exc:
            raise DistributionInvalid(f"The wheel for `{name}` has a bad entry_points.txt") from exc
        for section in ("console_scripts", "gui_scripts"):
            if not parser.has_section(section):
                continue
            for script, spec in parser.items(section):
                if "/" in script or "\\" in script or script in ("", ".", ".."):
                    raise DistributionInvalid(
                        f"The wheel for `{name}` has a script name that is a path: `{script}`"
                    )
                content = _entry_point_script(target.python, spec, script)
                script_path = target.scripts / script
                _write(script_path, content, executable=True)
                written.append(str(script_path))
                installed.append(
                    (
                        _relative_to_site(target, script_path),
                        _record_hash(content),
                        str(len(content)),
                    )
                )

    dist_info = target.site_packages / dist_info_src.name
    dist_info.mkdir(parents=True, exist_ok=True)
    written.append(str(dist_info))
    extras = {"INSTALLER": b"accord\n", **extra_files}
    if direct_url is not None:
        # Compact, keys in the order given, UTF-8: byte for byte what uv's serde_json writes.
        text = json.dumps(direct_url, separators=(",", ":"), ensure_ascii=False)
        extras["direct_url.json"] = text.encode()
    for file_name, content in extras.items():
        path = dist_info / file_name
        _write(path, content)
        installed.append(
            (_relative_to_site(target, path), _record_hash(content), str(len(content)))
        )
    record_path = dist_info / "RECORD"
    installed.append((_relative_to_site(target, record_path), "", ""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(sorted(installed))
    temporary = dist_info / "RECORD.tmp"
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(temporary, record_path)
    plain = set(extras) == {"INSTALLER"} and not os.path.isdir(os.path.join(tree, data_dir_name))
    if prelinked and plain and not _per_environment(installed):
        from accord.reconciler.install.kept import keep_dist_info

        keep_dist_info(dist_info, tree)


def _per_environment(installed: list[tuple[str, str, str]]) -> bool:
    """Whether an install wrote outside site-packages (scripts, ``.data``'s other schemes):
    what it records then depends on where the environment is."""
    return any(path.startswith("../") for path, _, _ in installed)


def _actual(path: str, row: tuple[str, str] | None) -> tuple[str, str]:
    """(hash, size) of the file at ``path`` for the installed RECORD: the wheel's RECORD hash,
    verified when the wheel was unpacked, else one computed here; the size of what is there."""
    hash_ = row[0] if row is not None else ""
    if hash_:
        return hash_, str(os.stat(path).st_size)
    with open(path, "rb") as stream:
        data = stream.read()
    return _record_hash(data), str(len(data))


def _record_covers(
    rows: dict[str, tuple[str, str]], tree: Path, dist_info_name: str, data_dir_name: str
) -> bool:
    """Whether the wheel's RECORD names every top-level package entry with hashed files
    (a cheap sanity check before trusting it instead of walking the tree)."""
    tops = {path.split("/", 1)[0] for path, (hash_, _) in rows.items() if hash_}
    return all(entry in tops for entry in package_entries(tree))
