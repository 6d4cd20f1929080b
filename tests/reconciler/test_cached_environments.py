"""Cached environments (`--with` layers, scripts, `--isolated`) as a stage: `sync_requirements`
against a real index on 127.0.0.1, real venvs in `$ACCORD_CACHE_DIR/environments/`."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from accord.model.interpreter import Interpreter
from accord.model.request import RunRequest
from accord.reconciler.install.observe import find_site_packages
from accord.reconciler.interpreters.find import query_interpreter
from accord.reconciler.run.cached import (
    BASE_PTH,
    STORED_LOCK,
    environment_key,
    satisfied_by,
    split_with,
    sync_requirements,
)
from fixtures.index import IndexServer, build_index
from fixtures.resolver_catalog import build_resolver_catalog
from fixtures.wheels import WheelSpec
from tests.reconciler.envs import Env


@pytest.fixture(scope="module")
def rv_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    wheels = build_resolver_catalog(tmp_path_factory.mktemp("cached-env-dists"))
    simple = build_index(sorted(wheels), tmp_path_factory.mktemp("cached-env-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def interpreter(base_python: Path) -> Interpreter:
    return query_interpreter(base_python)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(root))
    return root


def _request(server: IndexServer, tmp_path: Path, **changes: object) -> RunRequest:
    request = RunRequest.of(cwd=tmp_path, default_index=server.url, quiet=True)
    return request.evolve(**changes)  # type: ignore[arg-type]


def _sync(
    server: IndexServer,
    tmp_path: Path,
    interpreter: Interpreter,
    *requirements: str,
    base_site: Path | None = None,
    **changes: object,
) -> tuple[Path, bool, str]:
    """Sync a cached environment; its path, whether the plan was empty, what was printed."""
    reqs = tuple(Requirement(r) for r in requirements)
    out, err = io.StringIO(), io.StringIO()
    result = sync_requirements(
        name="with",
        requirements=reqs,
        interpreter=interpreter,
        request=_request(server, tmp_path, **changes),
        key=environment_key(*requirements),
        label="--with",
        base_site=base_site,
        out=out,
        err=err,
    )
    return result.venv, result.plan.is_empty, out.getvalue()


def _import_version(venv: Path, module: str) -> str:
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import {module}; print({module}.__version__)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_cached_environment_lives_in_the_cache_and_holds_its_lock(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path
) -> None:
    venv, empty, _ = _sync(rv_index, tmp_path, interpreter, "rv-base<2")
    assert venv == cache / "environments" / f"with-{environment_key('rv-base<2')}"
    assert not empty
    assert _import_version(venv, "rv_base") == "1.1"
    assert 'name = "rv-base"\nversion = "1.1"' in (venv / STORED_LOCK).read_text()


def test_cached_environment_second_identical_run_plans_nothing_and_asks_no_index(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path
) -> None:
    first, _, _ = _sync(rv_index, tmp_path, interpreter, "rv-stable")
    rv_index.reset_requests()
    second, empty, _ = _sync(rv_index, tmp_path, interpreter, "rv-stable")
    assert second == first
    assert empty
    assert sum(rv_index.requests.values()) == 0  # the stored lock answered, not the index


def test_cached_environment_different_requirements_get_another_environment(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path
) -> None:
    one, _, _ = _sync(rv_index, tmp_path, interpreter, "rv-base<1.1")
    two, _, _ = _sync(rv_index, tmp_path, interpreter, "rv-base")
    assert one != two
    assert _import_version(one, "rv_base") == "1.0"
    assert _import_version(two, "rv_base") == "2.0"


def test_cached_environment_a_damaged_stored_lock_is_resolved_again_and_repaired(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path
) -> None:
    venv, _, _ = _sync(rv_index, tmp_path, interpreter, "rv-base")
    (venv / STORED_LOCK).write_text("this is [not a lock")
    again, empty, _ = _sync(rv_index, tmp_path, interpreter, "rv-base")
    assert again == venv and empty
    assert 'name = "rv-base"' in (venv / STORED_LOCK).read_text()


def test_cached_environment_dry_plan_prints_and_creates_nothing(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path
) -> None:
    venv, empty, printed = _sync(rv_index, tmp_path, interpreter, "rv-pre", dry_plan=True)
    assert not empty
    assert printed.startswith("# --with\n")
    assert "rv-pre" in printed
    assert not venv.exists()


def test_cached_environment_layer_sees_its_base_and_leaves_it_alone(
    rv_index: IndexServer, tmp_path: Path, interpreter: Interpreter, cache: Path, env: Env
) -> None:
    env.sync(env.wheel(WheelSpec("basepkg", "3.0")))
    base_site = env.site
    before = sorted(p.name for p in base_site.iterdir())
    layer, _, _ = _sync(rv_index, tmp_path, interpreter, "rv-base", base_site=base_site)
    layer_site = find_site_packages(layer)
    assert layer_site is not None
    assert (layer_site / BASE_PTH).read_text() == (
        f"import site; site.addsitedir({str(base_site)!r})\n"
    )
    assert _import_version(layer, "basepkg") == "3.0"
    assert _import_version(layer, "rv_base") == "2.0"
    assert sorted(p.name for p in base_site.iterdir()) == before
    # Without a base any more, the layer forgets it.
    _sync(rv_index, tmp_path, interpreter, "rv-base")
    assert not (layer_site / BASE_PTH).exists()


def test_satisfied_by_checks_versions_extras_and_markers(env: Env) -> None:
    env.sync(env.wheel(WheelSpec("basepkg", "3.0")))
    interpreter = env.interpreter

    def satisfied(*requirements: str) -> bool:
        return satisfied_by([Requirement(r) for r in requirements], env.site, interpreter)

    assert satisfied("basepkg", "basepkg>=3")
    assert not satisfied("basepkg>=4")
    assert not satisfied("basepkg[extra]")  # an extra is never taken as installed
    assert not satisfied("missing")
    assert satisfied("basepkg", "missing; python_version < '3'")  # a marker that is false
    assert not satisfied_by([Requirement("basepkg")], None, interpreter)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(["a,b"], ["a", "b"], id="comma"),
        pytest.param(["a>=1,<2,b"], ["a>=1,<2", "b"], id="specifier-keeps-its-comma"),
        pytest.param(["a[x,y],b"], ["a[x,y]", "b"], id="extras-keep-their-comma"),
        pytest.param(["a", " b , c", ""], ["a", "b", "c"], id="spaces-and-blanks-dropped"),
    ],
)
def test_split_with(values: list[str], expected: list[str]) -> None:
    assert split_with(values) == expected
