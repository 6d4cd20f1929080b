"""Fault suite: garbage pyproject.toml, pyvenv.cfg, METADATA, RECORD and .env files.

Hypothesis writes real files with hostile bytes (and hostile-but-valid TOML). Each reader must
either accept the file or raise accord's own error naming it; none may raise anything else
(which the CLI would print as a traceback). Observe never raises: damage is a fact.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.reconciler.errors import AccordError
from accord.reconciler.install.observe import observe_environment
from accord.reconciler.project.discover import discover_target
from accord.reconciler.project.workspace import read_workspace
from accord.reconciler.run.execute import load_env_files

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)
_BYTES = st.one_of(st.binary(max_size=200), _TEXT.map(lambda text: text.encode("utf-8")))
_KEYS = [
    "name",
    "version",
    "dynamic",
    "dependencies",
    "optional-dependencies",
    "requires-python",
    "dev",
    "include-group",
    "sources",
    "index",
    "url",
    "path",
    "workspace",
    "members",
    "managed",
    "package",
    "default-groups",
    "dev-dependencies",
    "pkg",
]
_TOML_SCALARS = st.one_of(st.booleans(), st.integers(-5, 5), _TEXT, st.just("pkg>=1"))
_TOML_VALUES = st.recursive(
    _TOML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)
    ),
    max_leaves=8,
)
_PYPROJECTS = st.fixed_dictionaries(
    {},
    optional={
        "project": st.dictionaries(st.sampled_from(_KEYS), _TOML_VALUES, max_size=5),
        "dependency-groups": st.dictionaries(st.sampled_from(_KEYS), _TOML_VALUES, max_size=3),
        "tool": st.fixed_dictionaries(
            {"uv": st.dictionaries(st.sampled_from(_KEYS), _TOML_VALUES, max_size=4)}
        ),
    },
)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A fresh directory per example (hypothesis reuses a test's fixtures across examples)."""
    directory = Path(tempfile.mkdtemp(prefix="accord-fault-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _fresh(scratch: Path) -> Path:
    project = Path(tempfile.mkdtemp(dir=scratch))
    return project


def _read_project(project: Path) -> None:
    target = discover_target(project)
    root = getattr(target, "root", None)
    if isinstance(root, Path) and getattr(target, "name", None) is not None:
        read_workspace(root)


def _assert_names_file(error: AccordError, path: Path) -> None:
    assert str(path) in error.message or error.path == path, error.message


@FAST
@given(content=_BYTES)
def test_fault_pyproject_bytes(scratch: Path, content: bytes) -> None:
    project = _fresh(scratch)
    pyproject = project / "pyproject.toml"
    pyproject.write_bytes(content)
    try:
        _read_project(project)
    except AccordError as error:
        _assert_names_file(error, pyproject)


@FAST
@given(document=_PYPROJECTS)
def test_fault_pyproject_valid_toml_wrong_shapes(
    scratch: Path, document: dict[str, object]
) -> None:
    project = _fresh(scratch)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(tomlkit.dumps(document), encoding="utf-8")
    try:
        _read_project(project)
    except AccordError as error:
        _assert_names_file(error, pyproject)
        assert error.exit_code in (1, 2)


def _venv_with(scratch: Path, files: dict[str, bytes]) -> Path:
    venv = _fresh(scratch) / ".venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    (site / "pkg-1.0.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to(shutil.which("python3") or "/usr/bin/python3")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.11.0\n")
    (site / "pkg-1.0.dist-info" / "METADATA").write_text("Name: pkg\nVersion: 1.0\n")
    for relative, content in files.items():
        (venv / relative).write_bytes(content)
    return venv


@FAST
@given(content=_BYTES)
def test_fault_pyvenv_cfg(scratch: Path, content: bytes) -> None:
    observed = observe_environment(_venv_with(scratch, {"pyvenv.cfg": content}))
    assert observed.state.value in ("broken", "present")


@FAST
@given(metadata=_BYTES, record=_BYTES)
def test_fault_metadata_and_record(scratch: Path, metadata: bytes, record: bytes) -> None:
    dist_info = "lib/python3.11/site-packages/pkg-1.0.dist-info"
    venv = _venv_with(scratch, {f"{dist_info}/METADATA": metadata, f"{dist_info}/RECORD": record})
    observed = observe_environment(venv)  # never raises
    for dist in observed.dists:
        assert dist.dist_info == "pkg-1.0.dist-info"


@FAST
@given(content=_BYTES)
def test_fault_env_file(scratch: Path, content: bytes) -> None:
    env_file = _fresh(scratch) / "garbage.env"
    env_file.write_bytes(content)
    warnings = io.StringIO()
    try:
        values = load_env_files([env_file], {}, err=warnings)
    except AccordError as error:
        _assert_names_file(error, env_file)
        return
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in values.items())
    assert all(str(env_file) in line for line in warnings.getvalue().splitlines())
