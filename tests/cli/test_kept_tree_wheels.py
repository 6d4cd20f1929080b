"""What the build side keeps in the cache, with other processes about: two syncs that build one
path dependency (or one git commit) at once, two locks that prepare one tree's metadata at
once, a sync killed mid-build, and a process still reading a kept wheel whose inputs move on.

Two projects, ``a`` and ``b``, depend on one source tree ``lib``; accord keeps the wheel built
from it in the cache (``built-trees/<sha(path)>/``) until its build inputs change. ``lib`` is
built by an in-tree backend (PEP 517 ``backend-path``, no requirements, so no index is needed)
that notes each hook it runs in ``$RACE_DIR``; with ``$RACE_WAIT`` it then waits up to that
many seconds for a second process to run the same hook, so two builds meant to overlap do
overlap. The wait only makes a regression visible: no assertion depends on timing.

A reader is simulated by a real second process holding the shared lock every process that
was handed a kept wheel holds on its entry (``<entry>/.lock``) until it exits.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.cli.support import Cli, clean_environment, git, installed, venv_python

BACKEND = """\
import base64, hashlib, os, time, zipfile

def _hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()

def _note(hook):
    race = os.environ.get("RACE_DIR")
    if not race:
        return
    open(os.path.join(race, f"{hook}-{os.getpid()}"), "w").close()
    deadline = time.monotonic() + float(os.environ.get("RACE_WAIT", "0"))
    while time.monotonic() < deadline:
        if len([n for n in os.listdir(race) if n.startswith(hook + "-")]) > 1:
            return
        time.sleep(0.01)

def _wheel(directory, module):
    files = {
        "lib/__init__.py": module,
        "lib-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: lib\\nVersion: 1.0\\n",
        "lib-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n"
        b"Tag: py3-none-any\\n",
    }
    record = "".join(f"{p},{_hash(d)},{len(d)}\\n" for p, d in files.items())
    files["lib-1.0.dist-info/RECORD"] = (record + "lib-1.0.dist-info/RECORD,,\\n").encode()
    name = "lib-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _note("build")
    return _wheel(wheel_directory, b"KIND = 'wheel'\\n")

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _note("build")
    return _wheel(wheel_directory, b"KIND = 'editable'\\n")

def _metadata(directory):
    _note("prepare")
    info = os.path.join(directory, "lib-1.0.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as file:
        file.write("Metadata-Version: 2.1\\nName: lib\\nVersion: 1.0\\n")
    return "lib-1.0.dist-info"

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _metadata(metadata_directory)

def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _metadata(metadata_directory)
"""

LIB = """\
[project]
name = "lib"
version = "1.0"

[build-system]
requires = []
build-backend = "race_backend"
backend-path = ["_build"]
"""

CLEAN = {"RACE_DIR": "", "RACE_WAIT": "0", "ACCORD_NO_FAST_PATH": "1"}
"""Every sync on the slow path (not the replay, which would build nothing either way)."""


def _lib(root: Path, *, dynamic: bool = False) -> Path:
    """`root/lib`; `dynamic`: its requirements are the backend's to say (prepared to lock)."""
    lib = root / "lib"
    (lib / "_build").mkdir(parents=True)
    (lib / "_build" / "race_backend.py").write_text(BACKEND)
    text = LIB.replace('version = "1.0"\n', 'version = "1.0"\ndynamic = ["dependencies"]\n')
    (lib / "pyproject.toml").write_text(text if dynamic else LIB)
    return lib


def _project(root: Path, name: str, source: str = '{ path = "../lib" }') -> Path:
    project = root / name
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        f'dependencies = ["lib"]\n\n[tool.uv.sources]\nlib = {source}\n'
    )
    return project


EDITABLE = '{ path = "../lib", editable = true }'


def _setup(
    tmp_path: Path, *, editable_a: bool = False, dynamic: bool = False
) -> tuple[Path, Path, Path]:
    lib = _lib(tmp_path, dynamic=dynamic)
    a = _project(tmp_path, "a", EDITABLE) if editable_a else _project(tmp_path, "a")
    return lib, a, _project(tmp_path, "b")


def _environ(cli: Cli, tmp_path: Path, extra: Mapping[str, str]) -> dict[str, str]:
    return clean_environment(
        {
            "ACCORD_CACHE_DIR": str(tmp_path / "cache"),
            "ACCORD_INDEX_URL": cli.index_url,
            **extra,
        }
    )


def _start(
    cli: Cli, tmp_path: Path, project: Path, *args: str, **extra: str
) -> subprocess.Popen[str]:
    """`accord ARGS` (`sync` when ARGS is empty or starts with an option) in `project`."""
    command = list(args) if args and not args[0].startswith("-") else ["sync", *args]
    return subprocess.Popen(
        [str(cli.accord), *command, "--python", str(cli.python)],
        cwd=project,
        env=_environ(cli, tmp_path, {**CLEAN, **extra}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, to kill it with its backend
    )


def _sync(cli: Cli, tmp_path: Path, project: Path, *args: str, **extra: str) -> str:
    """`accord sync ARGS` (or `accord ARGS`) in `project`, which must succeed: its stderr."""
    run = _start(cli, tmp_path, project, *args, **extra)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    return err


def _touch_inputs(lib: Path, note: str) -> None:
    """Change `lib`'s build inputs (its pyproject.toml), so its kept wheel is of older ones."""
    with (lib / "pyproject.toml").open("a") as file:
        file.write(f"# {note}\n")


def _place(tmp_path: Path) -> Path:
    (place,) = (tmp_path / "cache" / "built-trees").iterdir()
    return place


def _entries(tmp_path: Path) -> list[Path]:
    """The kept wheels of `lib`, each in its entry."""
    return sorted(_place(tmp_path).glob("*/*.whl"))


def _hold_shared(path: Path) -> subprocess.Popen[str]:
    """A real process holding a shared lock on `path` until its stdin closes."""
    code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT, 0o666)\n"
        "fcntl.flock(fd, fcntl.LOCK_SH)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def _race(
    cli: Cli, tmp_path: Path, *projects: Path, args: tuple[str, ...] = ()
) -> tuple[list[str], list[str]]:
    """`accord ARGS` (`sync`) run in each of `projects` at once, each backend hook waiting for
    a second to start: the hooks that ran, and each run's stderr (every run must succeed)."""
    race = tmp_path / "race"
    race.mkdir()
    runs = [_start(cli, tmp_path, p, *args, RACE_DIR=str(race), RACE_WAIT="3") for p in projects]
    errs = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs), errs
    return sorted(p.name.partition("-")[0] for p in race.iterdir()), errs


def test_two_syncs_building_one_tree_at_once_both_succeed_and_build_it_once(
    cli: Cli, tmp_path: Path
) -> None:
    lib, a, b = _setup(tmp_path)
    for project in (a, b):
        _sync(cli, tmp_path, project)
    _touch_inputs(lib, "new inputs")

    hooks, errs = _race(cli, tmp_path, a, b)

    # The second took its turn (as uv's builds of one source tree do, under the lock of its
    # cache shard) and found the first's wheel, kept for the same build inputs.
    assert hooks == ["build"]
    assert sum("Building lib" in err for err in errs) == 1
    for project in (a, b):
        assert installed(project)["lib"] == "1.0"
        assert venv_python(project, "import lib; print(lib.KIND)") == "wheel"
    assert len(_entries(tmp_path)) == 1  # the older inputs' wheel was let go


def test_a_kept_wheel_held_by_a_reader_is_not_removed_when_its_inputs_move_on(
    cli: Cli, tmp_path: Path
) -> None:
    lib, a, b = _setup(tmp_path)
    _sync(cli, tmp_path, a)
    (first,) = _entries(tmp_path)
    reader = _hold_shared(first.parent / ".lock")  # a sync still unpacking it
    try:
        _touch_inputs(lib, "second inputs")
        assert "Building lib" in _sync(cli, tmp_path, b)
        assert first.is_file()  # still there for the reader
        assert len(_entries(tmp_path)) == 2
    finally:
        _release(reader)
    # Once nobody reads it, the next build of newer inputs lets it go.
    _touch_inputs(lib, "third inputs")
    assert "Building lib" in _sync(cli, tmp_path, a)
    (last,) = _entries(tmp_path)
    assert last.parent != first.parent
    assert venv_python(a, "import lib; print(lib.KIND)") == "wheel"


def test_a_rebuild_of_the_same_inputs_keeps_the_wheel_a_reader_holds(
    cli: Cli, tmp_path: Path
) -> None:
    _, a, b = _setup(tmp_path)
    _sync(cli, tmp_path, a)
    (first,) = _entries(tmp_path)
    held = (first.stat().st_ino, first.read_bytes())
    reader = _hold_shared(first.parent / ".lock")
    try:
        assert "Building lib" in _sync(cli, tmp_path, b, "--reinstall")
        # The very file the reader has, not another build put in its place: a reader that
        # hashed one wheel must not unpack another under that hash.
        assert (first.stat().st_ino, first.read_bytes()) == held
    finally:
        _release(reader)
    # The rebuilt wheel is the one kept: a new environment builds nothing.
    fresh = _project(tmp_path, "c")
    assert "Building" not in _sync(cli, tmp_path, fresh)
    assert installed(fresh)["lib"] == "1.0"


def _building(process: subprocess.Popen[str], race: Path, count: int = 1) -> None:
    """Wait until `count` backends noted in `race` that they are building."""
    deadline = time.monotonic() + 60
    while len(list(race.iterdir())) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_sync_killed_mid_build_leaves_nothing_the_next_one_trusts_or_keeps(
    cli: Cli, tmp_path: Path
) -> None:
    _, a, b = _setup(tmp_path)
    race = tmp_path / "race"
    race.mkdir()
    killed = _start(cli, tmp_path, a, RACE_DIR=str(race), RACE_WAIT="60")
    _building(killed, race)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=30)
    assert [p.name for p in _place(tmp_path).iterdir() if p.name.startswith(".tmp-")]

    # The killed sync's lock went with it; nothing half-built is taken for a kept wheel.
    assert "Building lib" in _sync(cli, tmp_path, b)
    assert not [p.name for p in _place(tmp_path).iterdir() if p.name.startswith(".tmp-")]
    assert len(_entries(tmp_path)) == 1
    assert "Building" not in _sync(cli, tmp_path, a)


def _scratch(tmp_path: Path) -> list[str]:
    """The scratch directories in the cache's `builds/` (a build under way, or a killed one's)."""
    return sorted(p.name for p in (tmp_path / "cache" / "builds").glob(".tmp-*"))


def test_the_scratch_a_killed_build_left_is_removed_by_the_next_build(
    cli: Cli, tmp_path: Path
) -> None:
    _, a, b = _setup(tmp_path)
    race = tmp_path / "race"
    race.mkdir()
    killed = _start(cli, tmp_path, a, RACE_DIR=str(race), RACE_WAIT="60")
    _building(killed, race)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=30)
    assert [name for name in _scratch(tmp_path) if name.startswith(".tmp-wheel-")]

    assert "Building lib" in _sync(cli, tmp_path, b)
    assert _scratch(tmp_path) == []


def test_a_build_under_way_keeps_its_scratch_while_another_clears_the_cache(
    cli: Cli, tmp_path: Path
) -> None:
    """A second process's build of another tree clears `builds/` of killed builds' scratch
    while the first one's backend is still writing in its own: that one is left alone."""
    _, a, _ = _setup(tmp_path)
    other = tmp_path / "other"
    _lib(other)
    c = _project(other, "c")
    left = tmp_path / "cache" / "builds" / ".tmp-wheel-left-by-a-killed-build"
    left.mkdir(parents=True)
    race = tmp_path / "race"
    race.mkdir()
    first = _start(cli, tmp_path, a, RACE_DIR=str(race), RACE_WAIT="60")
    _building(first, race)
    (own,) = (name for name in _scratch(tmp_path) if name != left.name)
    # Its backend waits for the second build's: both are under way at once.
    second = _start(cli, tmp_path, c, RACE_DIR=str(race), RACE_WAIT="60")
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Building lib" in err
    assert len(list(race.iterdir())) == 2
    assert not left.exists()
    assert own not in _scratch(tmp_path)  # removed by its own process, once built
    assert venv_python(a, "import lib; print(lib.KIND)") == "wheel"


@pytest.mark.parametrize("uv", [False, True], ids=["accord", "uv"])
def test_the_editable_and_the_plain_wheel_of_one_tree_are_both_kept(
    cli: Cli, tmp_path: Path, uv: bool
) -> None:
    _, a, b = _setup(tmp_path, editable_a=True)

    def sync(project: Path) -> str:
        if not uv:
            return _sync(cli, tmp_path, project)
        result = cli.uv(project, "sync", cache=tmp_path / "uv-cache")
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "Building lib" in sync(a)
    assert "Building lib" in sync(b)
    # Building the plain wheel did not cost the editable one its place in the cache.
    for project in (a, b):
        shutil.rmtree(project / ".venv")
        assert "Building" not in sync(project)
    assert venv_python(a, "import lib; print(lib.KIND)") == "editable"
    assert venv_python(b, "import lib; print(lib.KIND)") == "wheel"


def test_two_locks_preparing_one_trees_metadata_at_once_prepare_it_once(
    cli: Cli, tmp_path: Path
) -> None:
    _, a, b = _setup(tmp_path, dynamic=True)
    assert _race(cli, tmp_path, a, b, args=("lock",))[0] == ["prepare"]
    assert (a / "uv.lock").read_text().replace('"a"', '"b"') == (b / "uv.lock").read_text()


@pytest.mark.parametrize("uv", [False, True], ids=["accord", "uv"])
def test_the_metadata_prepared_for_an_editable_and_a_plain_build_are_both_kept(
    cli: Cli, tmp_path: Path, uv: bool
) -> None:
    _, a, b = _setup(tmp_path, editable_a=True, dynamic=True)
    notes = tmp_path / "notes"
    notes.mkdir()

    def lock(project: Path, *args: str) -> None:
        if not uv:
            _sync(cli, tmp_path, project, "lock", *args, RACE_DIR=str(notes))
            return
        env = {"RACE_DIR": str(notes)}
        result = cli.uv(project, "lock", *args, cache=tmp_path / "uv-cache", env=env)
        assert result.returncode == 0, result.stderr

    lock(a)
    lock(b)
    assert len(list(notes.iterdir())) == 2
    # Preparing the plain build's metadata did not cost the editable one's its place.
    lock(a, "--check")
    assert len(list(notes.iterdir())) == 2


def test_two_syncs_building_one_git_commit_at_once_build_it_once(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    git(lib, "init", "-q", "-b", "main")
    git(lib, "add", "-A")
    git(lib, "commit", "-qm", "one")
    source = f'{{ git = "{lib.as_uri()}" }}'
    a, b = _project(tmp_path, "a", source), _project(tmp_path, "b", source)
    for project in (a, b):
        _sync(cli, tmp_path, project, "lock")
    # The second waited, then took the first's wheel: a wheel of a commit is never replaced
    # (its caller may be reading it).
    assert _race(cli, tmp_path, a, b)[0] == ["build"]
    for project in (a, b):
        assert venv_python(project, "import lib; print(lib.KIND)") == "wheel"
