"""Stage-level helpers: real wheels on disk, a real venv, and the real observe → diff → apply.

`Env.sync(*dists)` does what one `accord run` does between the lock and the command: observe
the environment, diff it against the desired dists, apply the plan. No CLI, no index.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from accord.model.desired import ArtifactKind, DesiredDist, DesiredEnvironment
from accord.model.interpreter import Interpreter
from accord.model.lock import Artifact, Source, SourceKind
from accord.model.plan import Plan, diff
from accord.reconciler.install.apply import apply_plan
from accord.reconciler.install.observe import observe_environment, read_record
from fixtures.wheels import WheelSpec, build_wheel

INDEX = "https://example.invalid/simple"


def wheel_dist(wheel: Path, *, name: str | None = None, version: str | None = None) -> DesiredDist:
    """The desired dist for a wheel file, as a lock naming it by a file:// URL would give."""
    stem = wheel.name.split("-")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return DesiredDist(
        name=canonicalize_name(name or stem[0]),
        version=Version(version or stem[1]),
        source=Source(SourceKind.REGISTRY, INDEX),
        kind=ArtifactKind.WHEEL,
        artifact=Artifact(url=wheel.as_uri(), hash=f"sha256:{digest}"),
    )


@dataclass
class Env:
    """A venv path (created by the first sync), a private cache, the running base Python."""

    venv: Path
    cache: Path
    interpreter: Interpreter
    wheels: Path

    def wheel(self, spec: WheelSpec) -> DesiredDist:
        return wheel_dist(build_wheel(spec, self.wheels))

    def plan(self, *dists: DesiredDist, exact: bool = False) -> Plan:
        desired = DesiredEnvironment(
            interpreter=self.interpreter,
            dists=tuple(sorted(dists, key=lambda d: d.name)),
            exact=exact,
        )
        return diff(desired, observe_environment(self.venv))

    def sync(self, *dists: DesiredDist, exact: bool = False) -> Plan:
        plan = self.plan(*dists, exact=exact)
        apply_plan(plan, self.venv, self.cache)
        return plan

    @property
    def site(self) -> Path:
        (found,) = (self.venv / "lib").glob("python*/site-packages")
        return found


def listing(root: Path) -> dict[str, int]:
    """Every path under `root` (symlinks not followed) → its size (-1 for a directory)."""
    found: dict[str, int] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory, name)
            is_dir = path.is_dir() and not path.is_symlink()
            found[path.relative_to(root).as_posix()] = -1 if is_dir else path.lstat().st_size
    return found


def record_problems(site: Path, dist_info: str) -> list[str]:
    """Everything wrong with an installed RECORD, by the spec (PEP 376/627): each file of the
    dist listed once with the right hash and size, RECORD listing itself without either."""
    rows = read_record(site / dist_info)
    assert rows is not None, f"{dist_info} has no RECORD"
    problems = []
    paths = [row[0] for row in rows]
    if len(set(paths)) != len(paths):
        problems.append("a path is listed twice")
    record = f"{dist_info}/RECORD"
    if (record, "", "") not in rows:
        problems.append("RECORD does not list itself")
    for path, hash_, size in rows:
        if path == record:
            continue
        target = site / path
        if not target.is_file():
            problems.append(f"{path} is listed but missing")
            continue
        data = target.read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if hash_ != f"sha256={digest}":
            problems.append(f"{path} has hash {hash_}, the file sha256={digest}")
        if size != str(len(data)):
            problems.append(f"{path} has size {size}, the file {len(data)}")
    return problems


def rewrite_wheel(
    wheel: Path,
    target: Path,
    *,
    replace: dict[str, bytes] | None = None,
    add: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
    drop: tuple[str, ...] = (),
    fix_record: bool = False,
) -> Path:
    """A copy of `wheel` at `target` with members replaced, added (in order, duplicates
    allowed) or dropped; `fix_record` rewrites RECORD to match the new contents."""
    replace = replace or {}
    members: list[tuple[zipfile.ZipInfo | str, bytes]] = []
    with zipfile.ZipFile(wheel) as source:
        for info in source.infolist():
            if info.filename in drop:
                continue
            members.append((info, replace.get(info.filename, source.read(info))))
    members += add or []
    if fix_record:
        record_index = next(
            i for i, (info, _) in enumerate(members) if _name(info).endswith(".dist-info/RECORD")
        )
        record_name = _name(members[record_index][0])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for info, data in members:
            if _name(info) == record_name or _name(info).endswith("/"):
                continue
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            writer.writerow([_name(info), f"sha256={digest.decode()}", str(len(data))])
        writer.writerow([record_name, "", ""])
        members[record_index] = (members[record_index][0], buffer.getvalue().encode())
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as out:
        for info, data in members:
            out.writestr(info, data)
    return target


def _name(info: zipfile.ZipInfo | str) -> str:
    return info.filename if isinstance(info, zipfile.ZipInfo) else info
