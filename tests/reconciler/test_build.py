"""PEP 517/660 builds with real backends (hatchling, setuptools, flit-core, pdm-backend) whose
wheels the session's fixture index serves (fixtures/backends.py); real venvs, no mocks."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from accord.model.interpreter import Interpreter
from accord.reconciler.build.backend import build_wheel, prepare_metadata
from accord.reconciler.build.environments import READY_MARKER
from accord.reconciler.build.sdist import build_sdist_wheel, unpack_sdist
from accord.reconciler.errors import BuildFailed, DistributionInvalid, HashMismatch
from accord.reconciler.fetch.index import IndexClient
from accord.reconciler.install.observe import find_site_packages
from accord.reconciler.install.venv import create_venv
from accord.reconciler.install.wheel import InstallTarget, install_tree
from accord.reconciler.interpreters.find import query_interpreter
from accord.reconciler.interpreters.layout import venv_interpreter_path
from fixtures import MakeProject
from fixtures.index import IndexServer

BACKENDS = ["hatch", "setuptools", "flit", "pdm"]

# An in-tree backend (PEP 517 `backend-path`) with no requirements and only `build_wheel`:
# no index is needed to build with it, and it has no `prepare_metadata_for_build_wheel`.
TINY_BACKEND = """
import base64, hashlib, os, zipfile

def _hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("tiny backend building")
    files = {
        "tiny/__init__.py": b"VALUE = 1\\n",
        "tiny-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: tiny\\nVersion: 1.0\\n",
        "tiny-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n"
        b"Tag: py3-none-any\\n",
    }
    record = "".join(f"{p},{_hash(d)},{len(d)}\\n" for p, d in files.items())
    files["tiny-1.0.dist-info/RECORD"] = (record + "tiny-1.0.dist-info/RECORD,,\\n").encode()
    name = "tiny-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name
"""

TINY_PYPROJECT = """\
[build-system]
requires = []
build-backend = "tiny_backend"
backend-path = ["_build"]
"""


@pytest.fixture(scope="session")
def backend_index(index: IndexServer, dists_dir: Path) -> IndexServer:
    """The fixture index, when it serves the real build backends; else the test skips."""
    from fixtures.backends import SKIP_REASON

    if not any(dists_dir.glob("hatchling-*.whl")):
        pytest.skip(SKIP_REASON)
    return index


@pytest.fixture(scope="session")
def interpreter(base_python: Path) -> Interpreter:
    return query_interpreter(base_python)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build cache shared by the tests that do not measure cold starts."""
    return tmp_path_factory.mktemp("build-cache")


def client_factory(server: IndexServer, cache: Path) -> Callable[[], IndexClient]:
    return lambda: IndexClient([server.url], cache_dir=cache / "index")


def counting(factory: Callable[[], IndexClient], calls: list[int]) -> Callable[[], IndexClient]:
    def make() -> IndexClient:
        calls.append(1)
        return factory()

    return make


def refuse() -> IndexClient:
    raise AssertionError("the index client was asked for")


def build(
    source: Path,
    output: Path,
    interpreter: Interpreter,
    cache: Path,
    server: IndexServer,
    *,
    editable: bool = False,
) -> Path:
    return build_wheel(
        source,
        editable=editable,
        interpreter=interpreter,
        cache=cache,
        client_factory=client_factory(server, cache),
        output=output,
    )


def unpack(wheel: Path, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(dest)
    return dest


def fresh_venv(path: Path, interpreter: Interpreter) -> InstallTarget:
    create_venv(path, interpreter)
    site = find_site_packages(path)
    assert site is not None
    return InstallTarget(venv=path, site_packages=site, python=venv_interpreter_path(path))


def run_python(target: InstallTarget, code: str, cwd: Path) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    completed = subprocess.run(
        [str(target.python), "-c", code],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def tiny_project(root: Path) -> Path:
    (root / "_build").mkdir(parents=True)
    (root / "_build" / "tiny_backend.py").write_text(TINY_BACKEND, encoding="utf-8")
    (root / "pyproject.toml").write_text(TINY_PYPROJECT, encoding="utf-8")
    return root


def env_dirs(cache: Path) -> list[Path]:
    return sorted(path for path in (cache / "builds").glob("env-*") if path.is_dir())


# --- wheels and editable wheels -----------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_build_wheel_builds_the_projects_wheel(
    backend: str,
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    shared_cache: Path,
    tmp_path: Path,
) -> None:
    source = make_project(f"pkg-{backend}", lock=False)
    wheel = build(source, tmp_path / "out", interpreter, shared_cache, backend_index)
    assert wheel.parent == tmp_path / "out"
    assert wheel.name == "myproj-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("myproj/__init__.py") == (source / "myproj/__init__.py").read_bytes()
        metadata = archive.read("myproj-0.1.0.dist-info/METADATA").decode()
    assert "Name: myproj\n" in metadata
    assert "Version: 0.1.0\n" in metadata


@pytest.mark.parametrize("backend", BACKENDS)
def test_build_wheel_editable_imports_from_the_source_tree(
    backend: str,
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    shared_cache: Path,
    tmp_path: Path,
) -> None:
    source = make_project(f"pkg-{backend}", lock=False)
    wheel = build(source, tmp_path / "out", interpreter, shared_cache, backend_index, editable=True)
    target = fresh_venv(tmp_path / "venv", interpreter)
    install_tree(unpack(wheel, tmp_path / "tree"), target, name="myproj")
    code = "import myproj; print(myproj.BACKEND, myproj.MESSAGE, myproj.__file__)"

    before = run_python(target, code, cwd=tmp_path)
    assert before == f"{backend} original {source / 'myproj' / '__init__.py'}"
    init = source / "myproj" / "__init__.py"
    init.write_text(init.read_text().replace('"original"', '"edited"'))
    assert run_python(target, code, cwd=tmp_path).split()[1] == "edited"


def test_build_wheel_editable_installs_what_the_backend_asks_for(
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    tmp_path: Path,
) -> None:
    # hatchling's get_requires_for_build_editable adds `editables`: a second environment
    # holds the union, the first keeps only `[build-system] requires`.
    cache = tmp_path / "cache"
    source = make_project("pkg-hatch", lock=False)
    build(source, tmp_path / "out", interpreter, cache, backend_index, editable=True)
    envs = env_dirs(cache)
    assert len(envs) == 2
    markers = sorted((env / READY_MARKER).read_text() for env in envs)
    assert markers == ["editables~=0.3\nhatchling\n", "hatchling\n"]
    full = next(env for env in envs if "editables" in (env / READY_MARKER).read_text())
    site = find_site_packages(full)
    assert site is not None
    assert list(site.glob("editables-*.dist-info"))


def test_build_wheel_reuses_the_build_environment_without_the_index(
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    source = make_project("pkg-flit", lock=False)
    calls: list[int] = []
    factory = counting(client_factory(backend_index, cache), calls)
    first = build_wheel(
        source,
        editable=False,
        interpreter=interpreter,
        cache=cache,
        client_factory=factory,
        output=tmp_path / "one",
    )
    assert calls == [1]
    (env,) = env_dirs(cache)
    assert (env / READY_MARKER).read_text() == "flit_core<5,>=3.4\n"

    requests = dict(backend_index.requests)
    second = build_wheel(
        source,
        editable=False,
        interpreter=interpreter,
        cache=cache,
        client_factory=factory,
        output=tmp_path / "two",
    )
    assert calls == [1]
    assert dict(backend_index.requests) == requests
    assert env_dirs(cache) == [env]
    assert first.read_bytes() == second.read_bytes()


def test_build_wheel_without_isolation_runs_the_interpreter_itself(
    interpreter: Interpreter, tmp_path: Path
) -> None:
    source = tiny_project(tmp_path / "tiny")
    wheel = build_wheel(
        source,
        editable=False,
        interpreter=interpreter,
        cache=tmp_path / "cache",
        client_factory=refuse,
        isolation=False,
        output=tmp_path / "out",
    )
    assert wheel == tmp_path / "out" / "tiny-1.0-py3-none-any.whl"
    assert not list((tmp_path / "cache" / "builds").glob("env-*"))


# --- metadata -----------------------------------------------------------------------------------


def test_prepare_metadata_asks_the_backend(
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    shared_cache: Path,
) -> None:
    source = make_project("pkg-hatch", lock=False)
    metadata = prepare_metadata(
        source,
        interpreter=interpreter,
        cache=shared_cache,
        client_factory=client_factory(backend_index, shared_cache),
    )
    assert b"Name: myproj\n" in metadata
    assert b"Summary: A tiny package built by hatchling\n" in metadata
    assert not (source / "dist").exists()


def test_prepare_metadata_falls_back_to_building_the_wheel(
    backend_index: IndexServer, interpreter: Interpreter, tmp_path: Path
) -> None:
    source = tiny_project(tmp_path / "tiny")
    cache = tmp_path / "cache"
    metadata = prepare_metadata(
        source,
        interpreter=interpreter,
        cache=cache,
        client_factory=client_factory(backend_index, cache),
    )
    assert metadata == b"Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\n"


# --- failures -----------------------------------------------------------------------------------


def test_build_wheel_failing_setup_py_raises_build_failed_with_its_output(
    backend_index: IndexServer, interpreter: Interpreter, shared_cache: Path, tmp_path: Path
) -> None:
    # No pyproject.toml: PEP 517's default, setuptools' legacy backend, runs setup.py.
    source = tmp_path / "broken"
    source.mkdir()
    (source / "setup.py").write_text(
        'print("setup.py starting")\nraise RuntimeError("this setup.py is broken")\n'
    )
    with pytest.raises(BuildFailed) as caught:
        build(source, tmp_path / "out", interpreter, shared_cache, backend_index)
    error = caught.value
    assert error.hook == "get_requires_for_build_wheel"
    assert error.returncode == 1
    assert error.exit_code == 1
    text = str(error)
    assert text.startswith(
        f"Failed to build `{source}`: the `get_requires_for_build_wheel` hook failed "
        "(the backend exited with code 1)\n\n[backend output]\n"
    )
    assert "setup.py starting" in text
    assert text.endswith("RuntimeError: this setup.py is broken")
    assert not (tmp_path / "out").exists()


def test_build_wheel_broken_hatch_config_raises_build_failed(
    backend_index: IndexServer,
    make_project: MakeProject,
    interpreter: Interpreter,
    shared_cache: Path,
    tmp_path: Path,
) -> None:
    source = make_project("pkg-hatch", lock=False)
    pyproject = source / "pyproject.toml"
    # `packages` must be an array: hatchling refuses the configuration when it builds.
    broken = '\n[tool.hatch.build.targets.wheel]\npackages = "myproj"\n'
    pyproject.write_text(pyproject.read_text() + broken)
    with pytest.raises(BuildFailed) as caught:
        build(source, tmp_path / "out", interpreter, shared_cache, backend_index)
    assert caught.value.hook == "build_wheel"
    assert "Field `tool.hatch.build.targets.wheel.packages` must be an array" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_build_wheel_unknown_backend_raises_build_failed(
    backend_index: IndexServer, interpreter: Interpreter, shared_cache: Path, tmp_path: Path
) -> None:
    source = tmp_path / "nobackend"
    source.mkdir()
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.4,<5"]\nbuild-backend = "no_such.backend"\n'
    )
    with pytest.raises(BuildFailed) as caught:
        build(source, tmp_path / "out", interpreter, shared_cache, backend_index)
    text = str(caught.value)
    assert text.startswith(
        f"Failed to build `{source}`: the `get_requires_for_build_wheel` hook failed "
        "(cannot import the build backend `no_such.backend`)"
    )
    assert "ModuleNotFoundError: No module named 'no_such'" in text
    hint = "check `build-system.build-backend` and `requires` in pyproject.toml"
    assert caught.value.hint == hint


# --- sdists -------------------------------------------------------------------------------------


def test_build_sdist_wheel_builds_once_then_reuses_the_wheel(
    backend_index: IndexServer, dists_dir: Path, interpreter: Interpreter, tmp_path: Path
) -> None:
    sdist = dists_dir / "pkg-1.1.tar.gz"
    sha256 = hashlib.sha256(sdist.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    wheel = build_sdist_wheel(
        sdist,
        sha256,
        interpreter=interpreter,
        cache=cache,
        client_factory=client_factory(backend_index, cache),
    )
    assert wheel == cache / "built" / sha256 / "pkg-1.1-py2.py3-none-any.whl"  # no Requires-Python
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("pkg/__init__.py") == b'__version__ = "1.1"\n'
    assert not list((cache / "builds").glob(".tmp-*"))
    stamp = wheel.stat().st_mtime_ns

    # Without the build environments and with no index, only a cached wheel can answer.
    shutil.rmtree(cache / "builds")
    again = build_sdist_wheel(
        sdist, sha256, interpreter=interpreter, cache=cache, client_factory=refuse
    )
    assert again == wheel
    assert again.stat().st_mtime_ns == stamp
    assert not (cache / "builds").exists()


def test_build_sdist_wheel_refuses_a_file_with_another_hash(
    dists_dir: Path, interpreter: Interpreter, tmp_path: Path
) -> None:
    sdist = dists_dir / "pkg-1.1.tar.gz"
    actual = hashlib.sha256(sdist.read_bytes()).hexdigest()
    with pytest.raises(HashMismatch) as caught:
        build_sdist_wheel(
            sdist, "0" * 64, interpreter=interpreter, cache=tmp_path, client_factory=refuse
        )
    assert str(caught.value) == (
        f"Hash mismatch for `pkg-1.1.tar.gz`: expected sha256:{'0' * 64}, "
        f"the file is sha256:{actual}"
    )
    assert not (tmp_path / "built" / ("0" * 64)).exists()


def _tar(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


@pytest.mark.parametrize(
    ("members", "links", "message"),
    [
        pytest.param(
            {"../evil.py": b""},
            None,
            "The sdist `bad.tar.gz` has an unsafe path: `../evil.py`",
            id="parent",
        ),
        pytest.param(
            {"/etc/evil": b""},
            None,
            "The sdist `bad.tar.gz` has an unsafe path: `/etc/evil`",
            id="absolute",
        ),
        pytest.param(
            {"bad-1.0/setup.py": b""},
            {"bad-1.0/out": "../../outside"},
            "The sdist `bad.tar.gz` has a link out of the tree: `bad-1.0/out`",
            id="symlink-out",
        ),
    ],
)
def test_unpack_sdist_refuses_unsafe_members(
    members: dict[str, bytes], links: dict[str, str] | None, message: str, tmp_path: Path
) -> None:
    sdist = _tar(tmp_path / "bad.tar.gz", members, links)
    with pytest.raises(DistributionInvalid) as caught:
        unpack_sdist(sdist, tmp_path / "dest")
    assert str(caught.value) == message
    assert not (tmp_path / "evil.py").exists()


def test_unpack_sdist_returns_the_top_level_directory(dists_dir: Path, tmp_path: Path) -> None:
    root = unpack_sdist(dists_dir / "pkg-1.1.tar.gz", tmp_path / "dest")
    assert root == tmp_path / "dest" / "pkg-1.1"
    assert sorted(p.name for p in root.iterdir()) == ["PKG-INFO", "pkg", "pyproject.toml"]
