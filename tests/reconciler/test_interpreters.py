"""The interpreter stage against real interpreters: pyenv's versions, PATH, real venvs."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import InterpreterIncompatible, InterpreterNotFound, ProjectInvalid
from accord.reconciler.install.venv import create_venv
from accord.reconciler.interpreters.find import find_interpreter, query_interpreter
from accord.reconciler.interpreters.requests import (
    AnyRequest,
    NameRequest,
    PathRequest,
    PythonRequest,
    VersionRequest,
    parse_python_request,
)

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
MARKER_NAMES = {
    "implementation_name",
    "implementation_version",
    "os_name",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_full_version",
    "python_version",
    "sys_platform",
}


def pyenv_python(minor: str) -> Path:
    """pyenv's newest `minor` (e.g. "3.12") interpreter, or skip the test."""
    found = sorted(
        (d for d in PYENV_VERSIONS.glob(f"{minor}.*") if d.name.replace(".", "").isdigit()),
        key=lambda d: tuple(int(p) for p in d.name.split(".")),
    )
    for directory in reversed(found):
        for name in ("python3", "python"):
            if (directory / "bin" / name).is_file():
                return directory / "bin" / name
    pytest.skip(f"pyenv has no Python {minor} in {PYENV_VERSIONS}")


def pyenv_version(minor: str) -> str:
    return pyenv_python(minor).parent.parent.name


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(cache))
    return cache / "interpreters"


# --- query_interpreter ------------------------------------------------------------------------


@pytest.mark.parametrize("minor", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_query_interpreter_reports_target_facts(minor: str) -> None:
    executable = pyenv_python(minor)
    interpreter = query_interpreter(executable)

    assert interpreter.executable == executable
    assert interpreter.python_version == minor
    assert str(interpreter.version) == pyenv_version(minor)
    assert interpreter.implementation == "cpython"
    assert not interpreter.is_venv
    assert interpreter.prefix == executable.parent.parent
    base = Path(interpreter.base_executable)
    assert base.is_file() and not base.is_symlink()
    assert base.parent == executable.parent
    markers = interpreter.marker_environment()
    assert set(markers) >= MARKER_NAMES
    assert markers["python_full_version"] == pyenv_version(minor)
    assert markers["python_version"] == minor
    assert markers["sys_platform"] == sys.platform
    cp = "cp" + minor.replace(".", "")
    assert f"{cp}-{cp}-linux_{platform.machine()}" in interpreter.tags or sys.platform != "linux"
    if sys.platform == "linux" and platform.machine() == "x86_64":
        assert f"{cp}-{cp}-manylinux_2_17_x86_64" in interpreter.tags
        assert f"{cp}-abi3-manylinux2014_x86_64" in interpreter.tags
    assert interpreter.tags[0].startswith(f"{cp}-{cp}-")
    assert interpreter.tags[-1] == "py30-none-any"
    assert Path(interpreter.purelib).parts[-1] == "site-packages"
    assert interpreter.scripts == executable.parent


def test_query_interpreter_answers_from_cache(fresh_cache: Path) -> None:
    executable = pyenv_python("3.11")
    first = query_interpreter(executable)
    (entry,) = fresh_cache.glob("*.json")
    data = json.loads(entry.read_text())
    data["implementation"] = "distinctive"
    entry.write_text(json.dumps(data))

    second = query_interpreter(executable)

    assert first.implementation == "cpython"
    assert second.implementation == "distinctive"  # no process spawned: the edit came back


def test_query_interpreter_requeries_stale_cache(fresh_cache: Path) -> None:
    executable = pyenv_python("3.11")
    query_interpreter(executable)
    (entry,) = fresh_cache.glob("*.json")
    data = json.loads(entry.read_text())
    data["implementation"] = "distinctive"
    data["key"]["real_mtime_ns"] -= 1  # as if the interpreter had been replaced
    entry.write_text(json.dumps(data))

    assert query_interpreter(executable).implementation == "cpython"
    assert json.loads(entry.read_text())["implementation"] == "cpython"


def test_query_interpreter_requeries_unreadable_cache(fresh_cache: Path) -> None:
    executable = pyenv_python("3.11")
    query_interpreter(executable)
    (entry,) = fresh_cache.glob("*.json")
    entry.write_text("{not json")

    assert query_interpreter(executable).implementation == "cpython"
    assert list(fresh_cache.iterdir()) == [entry]  # rewritten in place, no temp files left


@pytest.mark.parametrize("minor", ["2.7", "3.6", "3.7"])
def test_query_interpreter_refuses_python_older_than_3_8(minor: str) -> None:
    executable = pyenv_python(minor)
    with pytest.raises(InterpreterNotFound) as caught:
        query_interpreter(executable)
    assert caught.value.message == (
        f"Python {pyenv_version(minor)} at `{executable}` is not supported:"
        " accord needs Python 3.8 or newer"
    )


def test_query_interpreter_missing_executable(tmp_path: Path) -> None:
    missing = tmp_path / "python3"
    with pytest.raises(InterpreterNotFound) as caught:
        query_interpreter(missing)
    assert (
        caught.value.message
        == f"No interpreter found at path `{missing}`: No such file or directory"
    )


def test_query_interpreter_of_a_venv_reports_venv_and_base(tmp_path: Path) -> None:
    base = query_interpreter(pyenv_python("3.12"))
    venv = tmp_path / ".venv"
    create_venv(venv, base)

    inside = query_interpreter(venv / "bin" / "python")

    assert inside.is_venv
    assert inside.prefix == venv
    assert inside.base_prefix == base.prefix
    assert inside.base_executable == base.base_executable
    assert inside.purelib == venv / "lib" / "python3.12" / "site-packages"
    assert inside.tags == base.tags


def test_a_venv_made_again_on_the_same_interpreter_is_answered_from_cache(
    tmp_path: Path, fresh_cache: Path
) -> None:
    """As uv's cache (keyed by the resolved executable): a venv removed and made again at the
    same place on the same interpreter (a fresh sync) is not queried again; one whose
    ``pyvenv.cfg`` says otherwise, or made on another interpreter, is."""
    base = query_interpreter(pyenv_python("3.12"))
    venv = tmp_path / ".venv"
    create_venv(venv, base)
    query_interpreter(venv / "bin" / "python")
    entry = (
        fresh_cache / f"{hashlib.sha256(str(venv / 'bin' / 'python').encode()).hexdigest()}.json"
    )
    data = json.loads(entry.read_text())
    data["implementation"] = "distinctive"
    entry.write_text(json.dumps(data))
    time.sleep(0.01)  # a new mtime for whatever is made again

    shutil.rmtree(venv)
    create_venv(venv, base)
    assert query_interpreter(venv / "bin" / "python").implementation == "distinctive"

    with (venv / "pyvenv.cfg").open("a") as stream:
        stream.write("prompt = changed\n")
    assert query_interpreter(venv / "bin" / "python").implementation == "cpython"

    other = query_interpreter(pyenv_python("3.11"))
    shutil.rmtree(venv)
    create_venv(venv, other)
    again = query_interpreter(venv / "bin" / "python")
    assert str(again.version).startswith("3.11.")


# --- parse_python_request -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3.12", VersionRequest(SpecifierSet("==3.12.*"), None, "3.12"), id="minor"),
        pytest.param(
            "3.12.1", VersionRequest(SpecifierSet("==3.12.1"), None, "3.12.1"), id="patch"
        ),
        pytest.param("3", VersionRequest(SpecifierSet("==3.*"), None, "3"), id="major"),
        pytest.param("312", VersionRequest(SpecifierSet("==3.12.*"), None, "3.12"), id="digits"),
        pytest.param(
            ">=3.11,<3.13",
            VersionRequest(SpecifierSet(">=3.11,<3.13"), None, ">=3.11, <3.13"),
            id="specifiers",
        ),
        pytest.param(
            "cpython3.12",
            VersionRequest(SpecifierSet("==3.12.*"), "cpython", "3.12"),
            id="implementation",
        ),
        pytest.param(
            "cpython@3.12",
            VersionRequest(SpecifierSet("==3.12.*"), "cpython", "3.12"),
            id="implementation-at",
        ),
        pytest.param(
            "cp312", VersionRequest(SpecifierSet("==3.12.*"), "cpython", "3.12"), id="short"
        ),
        pytest.param(
            "python3.12", VersionRequest(SpecifierSet("==3.12.*"), None, "3.12"), id="python3.12"
        ),
        pytest.param("pypy", VersionRequest(SpecifierSet(), "pypy", ""), id="pypy-any"),
        pytest.param("any", AnyRequest(), id="any"),
        pytest.param("python", AnyRequest(), id="python"),
        pytest.param("/opt/py/bin/python3", PathRequest(Path("/opt/py/bin/python3")), id="path"),
        pytest.param(".venv", PathRequest(Path(".venv")), id="relative-path"),
        pytest.param("python3-custom", NameRequest("python3-custom"), id="name"),
    ],
)
def test_parse_python_request(text: str, expected: PythonRequest) -> None:
    assert parse_python_request(text) == expected


def test_parse_python_request_existing_directory_is_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "myenv").mkdir()
    monkeypatch.chdir(tmp_path)
    assert parse_python_request("myenv") == PathRequest(Path("myenv"))


# --- find_interpreter -----------------------------------------------------------------------


def find(
    request: str | None = None,
    *,
    project_dir: Path | None = None,
    requires_python: str | None = None,
    existing_venv: Path | None = None,
) -> Interpreter:
    return find_interpreter(
        request=request,
        project_dir=project_dir,
        requires_python=SpecifierSet(requires_python) if requires_python is not None else None,
        existing_venv=existing_venv,
    )


def test_find_interpreter_version_request_uses_pyenv_versions_not_shims() -> None:
    expected = pyenv_python("3.12")
    found = find("3.12")
    assert found.python_version == "3.12"
    assert found.executable == expected  # found in versions/, where the shim would refuse it
    assert "shims" not in Path(found.executable).parts


def test_find_interpreter_exact_version_request() -> None:
    version = pyenv_version("3.10")
    assert str(find(version).version) == version


def test_find_interpreter_reads_nearest_python_version_file(tmp_path: Path) -> None:
    pyenv_python("3.10")
    (tmp_path / ".python-version").write_text("# pinned\n\n3.10\n")
    project = tmp_path / "packages" / "app"
    project.mkdir(parents=True)
    assert find(project_dir=project).python_version == "3.10"


def test_find_interpreter_names_a_garbled_python_version_file(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_bytes(b"3.\xff\n")
    with pytest.raises(ProjectInvalid) as caught:
        find(project_dir=tmp_path)
    assert caught.value.message == (
        f"Failed to read from file `{tmp_path / '.python-version'}`: stream did not contain "
        "valid UTF-8"
    )
    (tmp_path / ".python-version").write_text("cpython@3.99\n")
    with pytest.raises(InterpreterNotFound) as missing:
        find(project_dir=tmp_path)
    assert f"(requested by `{tmp_path / '.python-version'}`)" in missing.value.message
    assert missing.value.hint is not None and "--python" in missing.value.hint


def test_find_interpreter_skips_an_executable_name_in_python_version_with_uv_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """uv 0.13.8 supports no executable name in a version file: the line is skipped, with a
    warning, and the next one is the request."""
    python = pyenv_python("3.10")
    (tmp_path / ".python-version").write_text(f"garbage!!\n{python}\n3.12\n")
    assert find(project_dir=tmp_path).python_version == "3.10"
    said = capsys.readouterr().err
    assert said == (
        "warning: Ignoring unsupported Python request `garbage!!` in version file: "
        f"{tmp_path / '.python-version'}\n"
    )


def test_find_interpreter_request_beats_python_version_file(tmp_path: Path) -> None:
    pyenv_python("3.10")
    pyenv_python("3.12")
    (tmp_path / ".python-version").write_text("3.10\n")
    assert find("3.12", project_dir=tmp_path).python_version == "3.12"


def test_find_interpreter_uses_requires_python_as_request() -> None:
    pyenv_python("3.12")
    found = find(requires_python=">=3.12")
    assert found.version.release[:2] >= (3, 12)


def test_find_interpreter_first_match_in_search_order_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # uv's rule: not the newest match, the first one in search order; pyenv's active version
    # (what the `python3` shim would run) stands at the shims' place in PATH.
    active = pyenv_python("3.12")
    pyenv_python("3.13")
    monkeypatch.setenv("PYENV_VERSION", active.parent.parent.name)
    monkeypatch.setenv("PATH", str(Path.home() / ".pyenv" / "shims"))
    assert find(requires_python=">=3.11").executable == active


def test_find_interpreter_not_found_lists_what_it_found() -> None:
    executable = pyenv_python("3.12")
    base = query_interpreter(executable).base_executable
    with pytest.raises(InterpreterNotFound) as caught:
        find("3.7.99")
    assert (
        caught.value.message == "No interpreter found for Python 3.7.99 in PATH or pyenv versions"
    )
    hint = caught.value.hint
    assert hint is not None and hint.startswith("found: ")
    assert f"{pyenv_version('3.12')} ({base})" in hint
    assert "3.7." not in hint and "2.7." not in hint  # too old: skipped silently


def test_find_interpreter_explicit_request_incompatible_with_requires_python() -> None:
    version = pyenv_version("3.9")
    with pytest.raises(InterpreterIncompatible) as caught:
        find("3.9", requires_python=">=3.11")
    assert caught.value.message == (
        f"The requested interpreter resolved to Python {version}, which is incompatible with the"
        " project's Python requirement: `>=3.11` (from `project.requires-python`)"
    )
    assert caught.value.hint == (
        "request a Python that satisfies `>=3.11`, or change the project's requires-python"
    )


def test_find_interpreter_python_version_file_incompatible(tmp_path: Path) -> None:
    version = pyenv_version("3.9")
    (tmp_path / ".python-version").write_text("3.9\n")
    with pytest.raises(InterpreterIncompatible) as caught:
        find(project_dir=tmp_path, requires_python=">=3.11")
    assert caught.value.message == (
        f"The Python request from `.python-version` resolved to Python {version}, which is"
        " incompatible with the project's Python requirement: `>=3.11`"
    )
    assert caught.value.hint == "update the `.python-version` file to a compatible version"


def test_find_interpreter_keeps_compatible_existing_venv(tmp_path: Path) -> None:
    pyenv_python("3.13")  # a newer Python exists, yet the compatible env is kept
    venv = tmp_path / ".venv"
    create_venv(venv, query_interpreter(pyenv_python("3.12")))

    found = find(project_dir=tmp_path, requires_python=">=3.11", existing_venv=venv)

    assert found.is_venv
    assert found.executable == venv / "bin" / "python"
    assert found.python_version == "3.12"


def test_find_interpreter_keeps_existing_venv_matching_path_request(tmp_path: Path) -> None:
    executable = pyenv_python("3.12")
    venv = tmp_path / ".venv"
    create_venv(venv, query_interpreter(executable))
    assert find(str(executable), existing_venv=venv).executable == venv / "bin" / "python"


def test_find_interpreter_replaces_venv_that_misses_the_request(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, query_interpreter(pyenv_python("3.12")))
    pyenv_python("3.11")

    found = find("3.11", project_dir=tmp_path, existing_venv=venv)

    assert not found.is_venv
    assert found.python_version == "3.11"


def test_find_interpreter_ignores_broken_existing_venv(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "gone")
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n")
    pyenv_python("3.12")
    assert not find("3.12", existing_venv=venv).is_venv


def test_find_interpreter_path_request_to_a_venv_directory(tmp_path: Path) -> None:
    venv = tmp_path / "env"
    create_venv(venv, query_interpreter(pyenv_python("3.12")))
    found = find(str(venv))
    assert found.executable == venv / "bin" / "python"
    assert found.is_venv


def test_find_interpreter_path_request_missing(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFound) as caught:
        find(str(tmp_path / "nope"))
    assert caught.value.message == f"No interpreter found at path `{tmp_path / 'nope'}`"


def test_find_interpreter_without_request_prefers_python3_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = query_interpreter(pyenv_python("3.10")).base_executable
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(target)
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3").symlink_to(pyenv_python("3.12"))
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), str(shims), os.environ["PATH"]]))

    assert find().executable == bin_dir / "python3"


def test_find_interpreter_name_request_looks_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = query_interpreter(pyenv_python("3.10")).base_executable
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mypython").symlink_to(target)
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), os.environ["PATH"]]))

    assert find("mypython").executable == bin_dir / "mypython"
    with pytest.raises(InterpreterNotFound) as caught:
        find("no-such-python")
    assert caught.value.message == (
        "No interpreter found with executable name `no-such-python` in PATH or pyenv versions"
    )
