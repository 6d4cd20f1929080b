"""The lock stage's resolver, driven by data in the style of resolvelib's functional tests.

The index is data (`fixtures/resolver_catalog.py`: project → version → requirements), built
into real wheels and served on 127.0.0.1. Each case (`data/resolver_cases.json`) is a project's
requirements (`script`: a PEP 723 script's), optionally an earlier lock whose versions are
preferred (`previous`), a `prerelease` mode, `upgrade`, `[tool.uv]` overrides, constraints
or resolution, and the lock expected, as data: the versions locked per package, and where the
case is about them, the edges. A case expected to fail names a word of the error.

`test_resolver_case_matches_uv` checks each project case's data against uv 0.13.8: the same
project locked by uv gives the same lock, byte for byte (or fails too); `uv_differs` names a
known difference (an xfail). The `ensure_lock` tests at the end run the lock stage's entry
point on a discovered project against the same index.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock
from accord.model.plan import KeepLock, LockAction, WriteLock
from accord.model.request import LockMode, RunRequest
from accord.reconciler.errors import LockfileMissing, LockStale, NoSolution
from accord.reconciler.fetch.index import IndexClient
from accord.reconciler.interpreters.find import query_interpreter
from accord.reconciler.lock.ensure import ensure_lock
from accord.reconciler.lock.resolve import resolve_lock
from accord.reconciler.lock.write import format_lock, write_lock
from accord.reconciler.project.discover import discover_target, require_project
from accord.reconciler.project.workspace import read_manifest
from accord.reconciler.run.lock import lock_builders
from fixtures.index import IndexServer, build_index
from fixtures.resolver_catalog import build_resolver_catalog
from fixtures.uvlock import uv_environment

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "resolver_cases.json").read_text(encoding="utf-8")
)
PARAMS = [pytest.param(case, id=case["id"]) for case in CASES]
UV_PARAMS = [
    pytest.param(
        case,
        id=case["id"],
        marks=[pytest.mark.xfail(strict=True, reason=case["uv_differs"])]
        if "uv_differs" in case
        else [],
    )
    for case in CASES
    if not case.get("script")  # a script's lock: tests/cli/test_beyond.py compares it with uv's
]


@pytest.fixture(scope="module")
def resolver_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    wheels = build_resolver_catalog(tmp_path_factory.mktemp("resolver-dists"))
    simple = build_index(sorted(wheels), tmp_path_factory.mktemp("resolver-index"))
    with IndexServer(simple) as server:
        yield server


def _write_project(project: Path, case: dict[str, Any], dependencies: list[str]) -> None:
    project.mkdir(parents=True, exist_ok=True)
    lines = [
        "[project]",
        'name = "proj"',
        'version = "0.1.0"',
        'requires-python = ">=3.10"',
        f"dependencies = {json.dumps(dependencies)}",
    ]
    if case.get("optional"):
        lines.append("[project.optional-dependencies]")
        lines += [f"{extra} = {json.dumps(reqs)}" for extra, reqs in case["optional"].items()]
    if case.get("overrides") or case.get("constraints") or case.get("resolution"):
        lines.append("[tool.uv]")
        if case.get("resolution"):
            lines.append(f"resolution = {json.dumps(case['resolution'])}")
        lines.append(f"override-dependencies = {json.dumps(case.get('overrides', []))}")
        lines.append(f"constraint-dependencies = {json.dumps(case.get('constraints', []))}")
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _accord_lock(
    project: Path,
    server: IndexServer,
    case: dict[str, Any],
    dependencies: list[str],
    existing: Lock | None,
    cache: Path,
) -> Lock:
    _write_project(project, case, dependencies)
    manifest = read_manifest(project / "pyproject.toml", is_package=False)
    client = IndexClient([server.url], cache_dir=cache)
    try:
        return resolve_lock(
            manifest,
            client,
            index_url=server.url,
            root=project,
            existing=existing,
            upgrade=bool(case.get("upgrade")) and existing is not None,
            prerelease=case.get("prerelease"),
            script=bool(case.get("script")),
            resolution=case.get("resolution"),
            overrides=[Requirement(r) for r in case.get("overrides", [])],
            constraints=[Requirement(r) for r in case.get("constraints", [])],
        )
    finally:
        client.close()


def accord_lock_text(tmp_path: Path, server: IndexServer, case: dict[str, Any]) -> str | NoSolution:
    """accord's lock of the case (after locking `previous` first, if any), or its error."""
    project = tmp_path / "accord" / "proj"
    cache = tmp_path / "accord-cache"
    existing = None
    if "previous" in case:
        existing = _accord_lock(project, server, case, case["previous"], None, cache)
    try:
        lock = _accord_lock(project, server, case, case["dependencies"], existing, cache)
    except NoSolution as exc:
        return exc
    return format_lock(lock)


def summary(text: str) -> tuple[dict[str, str | list[str]], dict[str, list[str]]]:
    """A lock's versions per package, and each package's edges (`name[extra]` for the edges
    an extra adds), with `; marker` where an edge has one."""
    data = tomllib.loads(text)
    versions: dict[str, list[str]] = {}
    edges: dict[str, list[str]] = {}
    for package in data["package"]:
        name = package["name"]
        if name != "proj":
            versions.setdefault(name, []).append(package["version"])
        tables = [(name, package.get("dependencies", []))]
        tables += [
            (f"{name}[{extra}]", deps)
            for extra, deps in package.get("optional-dependencies", {}).items()
        ]
        for owner, deps in tables:
            edges[owner] = sorted(
                dep["name"]
                + (f"[{','.join(dep['extra'])}]" if "extra" in dep else "")
                + (f"; {dep['marker']}" if "marker" in dep else "")
                for dep in deps
            )
    flat = {
        name: found[0] if len(found) == 1 else sorted(found) for name, found in versions.items()
    }
    return flat, edges


@pytest.mark.parametrize("case", PARAMS)
def test_resolver_case(case: dict[str, Any], tmp_path: Path, resolver_index: IndexServer) -> None:
    result = accord_lock_text(tmp_path, resolver_index, case)
    if "error" in case:
        assert isinstance(result, NoSolution), result
        assert case["error"] in result.message
        return
    assert not isinstance(result, NoSolution), result.message
    versions, edges = summary(result)
    assert versions == case["resolved"]
    for owner, expected in case.get("edges", {}).items():
        assert edges[owner] == expected, owner


def _uv_lock(
    project: Path, server: IndexServer, case: dict[str, Any], dependencies: list[str], **kw: Path
) -> subprocess.CompletedProcess[str]:
    _write_project(project, case, dependencies)
    argv = [str(kw["uv"]), "lock"]
    if case.get("prerelease"):
        argv += ["--prerelease", case["prerelease"]]
    if case.get("upgrade") and dependencies is case["dependencies"]:
        argv.append("--upgrade")
    env = uv_environment(server.url, cache_dir=kw["cache"], python=kw["python"])
    # UV_NO_CONFIG would hide the project's [tool.uv] too: hide only the user's settings.
    del env["UV_NO_CONFIG"]
    env["XDG_CONFIG_HOME"] = str(project.parent / "no-user-config")
    return subprocess.run(
        argv,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", UV_PARAMS)
def test_resolver_case_matches_uv(
    case: dict[str, Any],
    tmp_path: Path,
    resolver_index: IndexServer,
    uv_bin: Path,
    uv_cache: Path,
    base_python: Path,
) -> None:
    project = tmp_path / "uv" / "proj"
    tools = {"uv": uv_bin, "cache": uv_cache, "python": base_python}
    if "previous" in case:
        first = _uv_lock(project, resolver_index, case, case["previous"], **tools)
        assert first.returncode == 0, first.stderr
    theirs = _uv_lock(project, resolver_index, case, case["dependencies"], **tools)
    ours = accord_lock_text(tmp_path, resolver_index, case)
    if "error" in case:
        assert theirs.returncode == 1, theirs.stderr
        assert isinstance(ours, NoSolution)
        return
    assert theirs.returncode == 0, theirs.stderr
    assert ours == (project / "uv.lock").read_text(encoding="utf-8")


# --- ensure_lock: the lock stage's entry point, on a discovered project -------------------------


def _ensure(
    project: Path, server: IndexServer, interpreter: Interpreter, **changes: object
) -> tuple[Lock, LockAction]:
    request = RunRequest.of(cwd=project, default_index=server.url, **changes)
    builders = lock_builders(interpreter, request)
    project_ = require_project(discover_target(project))
    return ensure_lock(
        project_, interpreter, request.locking, request.index, request.config, builders=builders
    )


@pytest.fixture
def locked_project(
    tmp_path: Path, resolver_index: IndexServer, base_python: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Interpreter]:
    project = tmp_path / "proj"
    _write_project(project, {}, ["rv-base<2"])
    monkeypatch.chdir(project)
    interpreter = query_interpreter(base_python)
    lock, action = _ensure(project, resolver_index, interpreter)
    assert isinstance(action, WriteLock) and action.reason == "missing"
    write_lock(lock, project / "uv.lock")
    return project, interpreter


def test_ensure_lock_keeps_a_current_lock(
    locked_project: tuple[Path, Interpreter], resolver_index: IndexServer
) -> None:
    project, interpreter = locked_project
    lock, action = _ensure(project, resolver_index, interpreter)
    assert action == KeepLock("up to date")
    assert summary(format_lock(lock))[0] == {"rv-base": "1.1"}


def test_ensure_lock_relocks_an_edited_project_keeping_locked_versions(
    locked_project: tuple[Path, Interpreter], resolver_index: IndexServer
) -> None:
    project, interpreter = locked_project
    _write_project(project, {}, ["rv-base", "rv-stable"])
    lock, action = _ensure(project, resolver_index, interpreter)
    assert isinstance(action, WriteLock)
    assert action.reason.startswith("requirements changed")
    assert summary(format_lock(lock))[0] == {"rv-base": "1.1", "rv-stable": "1.1"}
    upgraded, _ = _ensure(project, resolver_index, interpreter, upgrade=True)
    assert summary(format_lock(upgraded))[0] == {"rv-base": "2.0", "rv-stable": "1.1"}


def test_ensure_lock_locked_refuses_a_stale_lock_naming_the_cause(
    locked_project: tuple[Path, Interpreter], resolver_index: IndexServer
) -> None:
    project, interpreter = locked_project
    _write_project(project, {}, ["rv-base<2", "rv-stable"])
    with pytest.raises(LockStale) as caught:
        _ensure(project, resolver_index, interpreter, lock_mode=LockMode.LOCKED)
    assert caught.value.message.startswith(
        "The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.\n"
        "  cause: requirements changed"
    )
    assert caught.value.hint == "To update the lockfile, run `accord lock`."


def test_ensure_lock_prerelease_mode_change_makes_the_lock_stale(
    locked_project: tuple[Path, Interpreter], resolver_index: IndexServer
) -> None:
    project, interpreter = locked_project
    with pytest.raises(LockStale) as caught:
        _ensure(project, resolver_index, interpreter, lock_mode=LockMode.LOCKED, prerelease="allow")
    assert caught.value.message.endswith("  cause: the prerelease mode changed")


def test_ensure_lock_frozen_uses_the_lock_as_it_is(
    locked_project: tuple[Path, Interpreter], resolver_index: IndexServer
) -> None:
    project, interpreter = locked_project
    _write_project(project, {}, ["rv-stable"])
    lock, action = _ensure(project, resolver_index, interpreter, lock_mode=LockMode.FROZEN)
    assert action == KeepLock("--frozen: used as it is")
    assert summary(format_lock(lock))[0] == {"rv-base": "1.1"}
    (project / "uv.lock").unlink()
    with pytest.raises(LockfileMissing) as caught:
        _ensure(project, resolver_index, interpreter, lock_mode=LockMode.FROZEN)
    assert caught.value.message == (
        "Unable to find lockfile at `uv.lock`, but `--frozen` was provided. "
        "To create a lockfile, run `accord lock` or `accord sync` without the flag."
    )
