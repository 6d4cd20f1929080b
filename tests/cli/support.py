"""Helpers for the CLI tests: run the real `accord` console script (and real uv) in a project.

Every subprocess gets the test process's environment minus anything that would point it at
another environment or configuration (`VIRTUAL_ENV`, `UV_*`, `ACCORD_*` other than the
session cache set by the autouse fixture in tests/conftest.py, `PYTHON*` tracing switches).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from fixtures import PROJECTS_DIR
from fixtures.uvlock import uv_environment, uv_lock

_DROPPED_PREFIXES = ("UV_", "ACCORD_", "PYTHON")
# ACCORD_WARM: `ACCORD_WARM=1 pytest` runs every accord the tests start through the warm server
# (conftest.py turns it off otherwise).
_KEPT = frozenset({"ACCORD_CACHE_DIR", "ACCORD_WARM"})
_DROPPED = frozenset({"VIRTUAL_ENV", "CONDA_PREFIX", "__PYVENV_LAUNCHER__"})
_DIST_INFO = re.compile(r"^(?P<name>.+?)-(?P<version>[^-]+)\.dist-info$")


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`os.environ` without another environment's or tool's settings, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in _KEPT or (key not in _DROPPED and not key.startswith(_DROPPED_PREFIXES))
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # accord reads uv's user and system configuration files, as uv does: not the developer's.
    env["XDG_CONFIG_HOME"] = env["XDG_CONFIG_DIRS"] = "/nonexistent/accord-tests-config"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Cli:
    """The real `accord` and `uv` executables, pointed at the session's index and interpreter."""

    accord: Path
    python: Path
    """The base interpreter every run is pinned to with `--python`."""
    index_url: str
    uv_bin: Path
    uv_cache: Path

    @property
    def plan_header(self) -> str:
        """The first line of every plan for `.venv` on the pinned interpreter."""
        return f"Plan for .venv (CPython {platform.python_version()} at {self.python})"

    def argv(self, *args: str, python: Path | str | None = None) -> list[str]:
        """`accord run --python <python> ARGS…` (`python=""` leaves `--python` out)."""
        pinned = self.python if python is None else python
        pin = ["--python", str(pinned)] if pinned != "" else []
        return [str(self.accord), "run", *pin, *args]

    def run(
        self,
        project: Path,
        *args: str,
        python: Path | str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `accord run --python … ARGS…` in `project` and capture its output."""
        return run_program(
            self.accord, project, self.argv(*args, python=python)[1:], clean_environment(env)
        )

    def invoke(
        self,
        cwd: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        pinned: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run `accord ARGS…` (any command) in `cwd` against the session index, with `env` on
        top, and capture its output; `pinned` adds `--python` with the session interpreter."""
        pin = ["--python", str(self.python)] if pinned else []
        return subprocess.run(
            [str(self.accord), *args, *pin],
            cwd=cwd,
            env=clean_environment({"ACCORD_INDEX_URL": self.index_url, **(env or {})}),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )

    def sync(self, project: Path, *args: str, python: Path | str | None = None) -> None:
        """`accord run --frozen ARGS… -- python -c pass`, which must succeed."""
        result = self.run(project, "--frozen", *args, "--", "python", "-c", "pass", python=python)
        assert result.returncode == 0, result.stderr

    def uv(
        self,
        project: Path,
        *args: str,
        settings: bool = False,
        env: Mapping[str, str] | None = None,
        cache: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the real uv in `project` against the local index, cache (or `cache`) and
        interpreter, with `env` on top.

        uv runs with UV_NO_CONFIG, under which it also ignores the project's `[tool.uv]`
        settings; `settings=True` lets it read them and hides user configuration instead.
        """
        extra = env
        env = uv_environment(self.index_url, cache_dir=cache or self.uv_cache, python=self.python)
        env.update({"UV_NO_CONFIG": "1", "UV_NO_PROGRESS": "1"})
        if settings:
            del env["UV_NO_CONFIG"]
            env["XDG_CONFIG_HOME"] = str(project.parent / "no-user-config")
        env.update(extra or {})
        return subprocess.run(
            [str(self.uv_bin), *args],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def relock(self, project: Path) -> None:
        """Lock `project` again with the real `uv lock` (after editing its pyproject.toml)."""
        uv_lock(
            project, self.index_url, uv=self.uv_bin, cache_dir=self.uv_cache, python=self.python
        )


def run_program(
    executable: Path, cwd: Path, args: Sequence[str], env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``executable ARGS`` (accord or uv) in ``cwd`` with exactly ``env``, output captured."""
    return subprocess.run(
        [str(executable), *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def assert_answers_as_uv(
    accord: subprocess.CompletedProcess[str],
    uv: subprocess.CompletedProcess[str],
    ours: Path,
    theirs: Path,
) -> None:
    """accord's ``lock`` in ``ours`` ended as uv's in ``theirs``: the same exit status, the same
    first paragraph of output (a warning or an error), and the same lock or none."""
    assert accord.returncode == uv.returncode, accord.stderr + uv.stderr
    assert accord.stderr.split("\n\n", 1)[0] == uv.stderr.split("\n\n", 1)[0]
    if uv.returncode == 0:
        assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    else:
        assert not (ours / "uv.lock").exists()


def write_project(root: Path, who: str, text: str) -> Path:
    """`root/who/proj/pyproject.toml` holding `text` (one copy per tool, side by side)."""
    project = root / who / "proj"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    return project


def copy_fixture(tmp_path: Path, name: str, fixture: str, tool_uv: str = "") -> Path:
    """`fixtures/projects/<fixture>` copied to `tmp_path/name/proj`, with a `[tool.uv]` table
    holding `tool_uv` appended when given."""
    project = tmp_path / name / "proj"
    shutil.copytree(PROJECTS_DIR / fixture, project)
    if tool_uv:
        with (project / "pyproject.toml").open("a") as file:
            file.write(f"\n[tool.uv]\n{tool_uv}")
    return project


def uv_build_record(project: Path) -> bytes:
    """The `uv_build.json` beside the installed `myproj` (uv's build-settings record)."""
    (dist_info,) = site_packages(project).glob("myproj-*.dist-info")
    return (dist_info / "uv_build.json").read_bytes()


def change_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The ` + `/` - `/` ~ ` lines a sync printed (it must have succeeded)."""
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith((" +", " -", " ~"))]


def site_packages(project: Path) -> Path:
    """The one `lib/pythonX.Y/site-packages` of `project/.venv`."""
    found = sorted((project / ".venv" / "lib").glob("python*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def installed(project: Path) -> dict[str, str]:
    """Normalized name → version of every `*.dist-info` in the project's site-packages."""
    dists: dict[str, str] = {}
    for entry in site_packages(project).iterdir():
        match = _DIST_INFO.match(entry.name)
        if match and entry.is_dir():
            dists[canonicalize_name(match["name"])] = match["version"]
    return dists


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path → bytes; a symlink → its target)."""
    files: dict[str, bytes] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                files[relative] = b"-> " + os.readlink(path).encode()
            elif path.is_file():
                files[relative] = path.read_bytes()
            else:
                files[relative + "/"] = b""
    return files


def venv_python(project: Path, code: str) -> str:
    """Run `code` with the project's `.venv/bin/python` and return its stripped stdout."""
    result = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", code],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` as a test author; its stdout, stripped (fails on an error)."""
    result = subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def hatch_git_repo(tmp_path: Path, version: str = "0.1.0") -> Path:
    """``tmp_path/repo``: a git repository (branch ``main``, one commit) holding the hatchling
    package ``gitpkg`` at ``version``, whose module says it as ``__version__``."""
    repo = tmp_path / "repo"
    (repo / "gitpkg").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        f'[project]\nname = "gitpkg"\nversion = "{version}"\nrequires-python = ">=3.10"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    (repo / "gitpkg" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    return repo


def run_importing(
    cwd: Path, argv: Sequence[str], env: Mapping[str, str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `accord ARGV` (argv without the program name) in `cwd` under `-X importtime` on
    accord's own interpreter: the result, its stderr without the importtime lines, and the
    dotted names of every module it imported."""
    code = (
        f"import sys; sys.argv = {['accord', *argv]!r}; "
        "from accord.reconciler.entry import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    lines = result.stderr.splitlines(keepends=True)
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in lines
        if line.startswith("import time:") and "|" in line
    }
    result.stderr = "".join(line for line in lines if not line.startswith("import time:"))
    return result, imported


_USING = re.compile(r"Using CPython 3\.\d+\.\d+\S* interpreter at: /\S+\n")


def after_interpreter(stderr: str) -> str:
    """``stderr`` after its first line, which must be uv's ``Using CPython … interpreter at:
    …`` (a lock made or checked with an interpreter from outside the project's environment
    names it first, also before an error met while locking)."""
    found = _USING.match(stderr)
    assert found is not None, stderr
    return stderr[found.end() :]
