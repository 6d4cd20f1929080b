"""Observe stage: read a virtual environment once and describe it as a model value.

Reads ``pyvenv.cfg``, resolves ``bin/python``, and scans ``*.dist-info`` in site-packages
(METADATA headers, INSTALLER, direct_url.json, RECORD; the files RECORD lists, unless the
snapshot of ``reconciler.install.checked`` vouches for them). Touches nothing; odd states
(broken cfg, a dist-info without METADATA, files missing per RECORD) become facts in the
``ObservedEnvironment``, never exceptions.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Collection, Iterable
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.observed import DirectUrl, EnvironmentState, InstalledDist, ObservedEnvironment
from accord.reconciler.install.checked import (
    Checked,
    check_record,
    read_checked,
    record_stamp,
    still_clean,
    with_facts,
)
from accord.reconciler.install.venv import check_replaceable
from accord.reconciler.interpreters.layout import read_pyvenv_cfg

__all__ = [
    "BUILD_DIGEST_FILE",
    "find_site_packages",
    "observe_checked",
    "observe_environment",
    "read_record",
]

BUILD_DIGEST_FILE = "ACCORD_BUILD"
"""In the dist-info of a dist accord built from a source tree: the digest of its inputs."""


def find_site_packages(venv: Path) -> Path | None:
    """``lib/pythonX.Y/site-packages`` of a POSIX venv (the first one, as there is one)."""
    lib = venv / "lib"
    try:
        candidates = sorted(entry for entry in os.listdir(lib) if entry.startswith("python"))
    except OSError:
        return None
    for candidate in candidates:
        site = lib / candidate / "site-packages"
        if site.is_dir():
            return site
    return None


_LINE_END = re.compile(r"\r\n|\r|\n")
_HEAD = 8192
"""Bytes of METADATA read first: Name and Version come in its first lines."""


def _metadata_headers(path: str) -> dict[str, str]:
    """Name and Version from a METADATA header block (stops at the first blank line)."""
    with open(path, "rb") as stream:
        head = stream.read(_HEAD)
        if len(head) == _HEAD:  # the header block may go on: read it as text, line by line
            stream.seek(0)
            return _header_lines(io.TextIOWrapper(stream, encoding="utf-8", errors="replace"))
    lines = _LINE_END.split(head.decode("utf-8", errors="replace"))
    if lines and not lines[-1]:
        lines.pop()  # after the last line end: no line
    return _header_lines(lines)


def _header_lines(lines: Iterable[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in headers:
            headers[key] = value.strip()
    return headers


def read_record(dist_info: Path) -> list[tuple[str, str, str]] | None:
    """RECORD rows (path, hash, size), or None when RECORD is missing or unreadable."""
    try:
        with (dist_info / "RECORD").open(encoding="utf-8", newline="") as stream:
            return [
                (row[0], row[1] if len(row) > 1 else "", row[2] if len(row) > 2 else "")
                for row in csv.reader(stream)
                if row
            ]
    except (OSError, csv.Error, UnicodeDecodeError):
        return None


def _record_problem(
    site: str, dist_info: str, record: list[int] | None, shared: Collection[str]
) -> tuple[str | None, Checked | None]:
    """What is wrong with the files the RECORD of ``dist_info`` (whose stamp is ``record``)
    lists (None: nothing), and what vouches for it from now on (``reconciler.install.
    checked``), its facts still to be read."""
    rows = read_record(Path(site, dist_info)) if record is not None else None
    if record is None or rows is None:
        return "RECORD is missing", None
    return check_record(site, dist_info, rows, record, shared)


_FACT_FILES = (
    ("installer", "INSTALLER"),
    ("direct_url", "direct_url.json"),
    ("build_digest", BUILD_DIGEST_FILE),
    ("uv_freshness", "uv_cache.json"),
    ("uv_build", "uv_build.json"),
)


def _read_facts(dist_info: str) -> dict[str, str | None] | None:
    """What observing reads from a dist-info: METADATA's Name and Version, and the files of
    ``_FACT_FILES`` (stripped; None when missing, empty or not UTF-8); None when METADATA
    cannot be read or lacks either field."""
    try:
        headers = _metadata_headers(os.path.join(dist_info, "METADATA"))
    except OSError:
        return None
    if "Name" not in headers or "Version" not in headers:
        return None
    facts: dict[str, str | None] = {"name": headers["Name"], "version": headers["Version"]}
    for fact, name in _FACT_FILES:
        facts[fact] = _text(dist_info, name)
    return facts


def _installed(entry: str, facts: dict[str, str | None], problem: str | None) -> InstalledDist:
    """The dist of the dist-info ``entry``, from its ``facts``. Raises InvalidVersion, or
    KeyError (facts of another shape)."""
    name, version = facts["name"], facts["version"]
    if name is None or version is None:
        raise KeyError("name")
    return InstalledDist(
        name=canonicalize_name(name),
        version=Version(version),
        dist_info=entry,
        installer=facts["installer"],
        direct_url=_direct_url(facts["direct_url"]),
        record_problem=problem,
        build_digest=facts["build_digest"],
        uv_freshness=facts["uv_freshness"],
        uv_build=facts["uv_build"],
    )


def _text(dist_info: str, name: str) -> str | None:
    """The dist-info's file ``name`` as text, stripped; None when it is missing, empty or
    not UTF-8."""
    try:
        with open(os.path.join(dist_info, name), "rb") as stream:
            text = stream.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    # Line ends as text mode reads them.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() or None


def _direct_url(text: str | None) -> DirectUrl | None:
    """PEP 610's ``direct_url.json``, from its text."""
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    dir_info = data.get("dir_info") if isinstance(data.get("dir_info"), dict) else None
    vcs_info = data.get("vcs_info") if isinstance(data.get("vcs_info"), dict) else None
    within = data.get("subdirectory")
    return DirectUrl(
        url=data["url"],
        editable=bool(dir_info and dir_info.get("editable")),
        is_directory=dir_info is not None,
        vcs_commit=str(vcs_info["commit_id"]) if vcs_info and "commit_id" in vcs_info else None,
        subdirectory=within if isinstance(within, str) and within else None,
    )


def _scan(
    site: Path, venv: Path, trust: bool
) -> tuple[tuple[InstalledDist, ...], tuple[str, ...], dict[str, Checked]]:
    dists: list[InstalledDist] = []
    unreadable: list[str] = []
    vouched: dict[str, Checked] = {}
    try:
        entries = sorted(entry for entry in os.listdir(site) if entry.endswith(".dist-info"))
    except OSError:
        return (), (), vouched
    known = read_checked(venv) if entries and trust else {}
    where = str(site)
    # Every install writes to the scripts directory (and site-packages itself): their files
    # are looked at one by one.
    shared = {os.path.normpath(os.path.relpath(venv / "bin", site))}
    for entry in entries:
        dist_info = os.path.join(where, entry)
        record = record_stamp(dist_info)
        kept = known.get(entry)
        if record is not None and kept is not None and still_clean(where, kept, record):
            with contextlib.suppress(KeyError, InvalidVersion):  # else read, as if not kept
                dists.append(_installed(entry, kept.facts, None))  # its dist-info unchanged
                vouched[entry] = kept
                continue
        # Its directories are stamped before its dist-info is read: a change to it meanwhile
        # shows next time.
        problem, checked = _record_problem(where, entry, record, shared)
        facts = _read_facts(dist_info)
        if facts is None:
            unreadable.append(entry)
            continue
        try:
            dists.append(_installed(entry, facts, problem))
        except (KeyError, InvalidVersion):
            unreadable.append(entry)
            continue
        if checked is not None:
            vouched[entry] = with_facts(checked, facts)
    dists.sort(key=lambda dist: dist.name)
    return tuple(dists), tuple(unreadable), vouched


def observe_environment(venv: Path) -> ObservedEnvironment:
    """Describe the environment at ``venv`` (which may not exist): ``observe_checked``'s."""
    return observe_checked(venv)[0]


def observe_checked(
    venv: Path, *, trust: bool = True
) -> tuple[ObservedEnvironment, dict[str, Checked]]:
    """Describe the environment at ``venv`` (which may not exist), with what vouches for
    each dist that checked clean (``reconciler.install.checked``: kept after a sync);
    ``trust=False`` looks at every dist's files whatever the snapshot vouches for.

    A damaged environment (``pyvenv.cfg`` deleted, garbled or naming an interpreter that is
    gone) is a fact: BROKEN, which the plan recreates. A path accord may not replace (a file,
    a directory of someone's files) raises ``EnvironmentNotRecreatable`` here, before anything
    (uv.lock included) is written, as uv refuses it up front.
    """
    venv = Path(os.path.abspath(venv))
    check_replaceable(venv)
    try:
        contents = os.listdir(venv)
    except FileNotFoundError:
        return ObservedEnvironment(path=venv, state=EnvironmentState.MISSING), {}
    if not contents:
        return ObservedEnvironment(path=venv, state=EnvironmentState.MISSING), {}
    config = read_pyvenv_cfg(venv)
    if config is None:
        broken = _pyvenv_cfg_problem(venv)
        return ObservedEnvironment(path=venv, state=EnvironmentState.BROKEN, detail=broken), {}
    raw_version = config.get("version_info") or config.get("version")
    python = venv / "bin" / "python"
    base = Path(os.path.realpath(python))
    detail = None
    if "home" not in config or raw_version is None:
        detail = "pyvenv.cfg has no `home` or `version_info`"
    elif not base.is_file():
        detail = f"its interpreter is gone ({python} → {base})"
    elif not os.path.isdir(config["home"]):
        # The interpreter finds its standard library from `home`: a wrong one breaks it.
        detail = f"pyvenv.cfg names a `home` that does not exist ({config['home']})"
    version = None
    if raw_version is not None:
        try:
            version = Version(raw_version)
        except InvalidVersion:
            detail = detail or f"pyvenv.cfg has an invalid version `{raw_version}`"
    site = find_site_packages(venv)
    if detail is None and site is None:
        detail = "it has no lib/pythonX.Y/site-packages"
    if detail is not None:
        return ObservedEnvironment(path=venv, state=EnvironmentState.BROKEN, detail=detail), {}
    assert site is not None
    dists, unreadable, vouched = _scan(site, venv, trust)
    observed = ObservedEnvironment(
        path=venv,
        state=EnvironmentState.PRESENT,
        base_executable=base,
        version=version,
        dists=dists,
        unreadable=unreadable,
    )
    return observed, vouched


def _pyvenv_cfg_problem(venv: Path) -> str:
    """Why ``read_pyvenv_cfg`` found nothing: the file is gone, or cannot be read as text."""
    try:
        (venv / "pyvenv.cfg").read_bytes().decode("utf-8")
    except FileNotFoundError:
        return "pyvenv.cfg is missing"
    except UnicodeDecodeError:
        return "pyvenv.cfg is not UTF-8 text"
    except OSError as exc:
        return f"pyvenv.cfg cannot be read ({exc.strerror or exc})"
    return "pyvenv.cfg cannot be read"
