"""The replay (reconciler/replay.py): a missing project environment made again from the recipe
the last sync that made it left in the cache, without the slow path, and only when every input
is unchanged. Seen from outside: which modules the run imports (`-X importtime`), and the
environment it leaves, compared file by file with the one the slow path makes."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures import MakeProject
from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, clean_environment, installed, run_importing

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$")


def _accord(
    cli: Cli, project: Path, *args: str, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], bool]:
    """Run `accord ARGS` in `project` under `-X importtime`; (result, whether the slow path ran,
    i.e. click was imported), its stderr without the importtime lines and times masked."""
    result, imported = run_importing(
        project, args, clean_environment({"ACCORD_INDEX_URL": cli.index_url, **env})
    )
    result.stderr = "".join(
        _TIME.sub(" in <time>", line) + "\n" for line in result.stderr.splitlines()
    )
    return result, "click" in {name.split(".")[0] for name in imported}


def _snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under `root`: a link's target, a directory's mode, a file's mode and bytes."""
    found: dict[str, tuple[object, ...]] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            path = Path(directory, name)
            status = path.lstat()
            relative = str(path.relative_to(root))
            if stat.S_ISLNK(status.st_mode):
                found[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(status.st_mode):
                found[relative] = ("dir", stat.S_IMODE(status.st_mode))
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[relative] = ("file", stat.S_IMODE(status.st_mode), digest)
    return found


def _environment(tmp_path: Path, cli: Cli) -> dict[str, str]:
    return {"ACCORD_CACHE_DIR": str(tmp_path / "cache"), "UV_PYTHON": str(cli.python)}


def test_replay_makes_the_environment_the_slow_path_makes(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project("simple")
    env = _environment(tmp_path, cli)
    first, slow = _accord(cli, project, "sync", "--frozen", env=env)
    assert first.returncode == 0 and slow, first.stderr
    made_slowly = _snapshot(project / ".venv")
    shutil.rmtree(project / ".venv")

    again, slow = _accord(cli, project, "sync", "--frozen", env=env)

    assert again.returncode == 0, again.stderr
    assert not slow, "the replay should have made the environment without the slow path"
    assert _snapshot(project / ".venv") == made_slowly
    # uv's lines, as the slow path printed them (which downloaded the wheels first).
    assert again.stderr == first.stderr.replace("Prepared 6 packages in <time>\n", "")
    assert "Installed 6 packages in <time>" in again.stderr
    assert not [entry for entry in os.listdir(project) if ".tmp-" in entry]
    # The stamp it wrote is the slow path's: the next run takes the fast path.
    result, slow = _accord(cli, project, "run", "--frozen", "python", "-c", "pass", env=env)
    assert result.returncode == 0 and not slow, result.stderr


def test_replay_of_run_execs_the_command(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project("simple")
    env = _environment(tmp_path, cli)
    command = ("run", "--frozen", "python", "-c", "import pkg, sys; print(sys.prefix)")
    first, slow = _accord(cli, project, *command, env=env)
    assert (first.returncode, slow) == (0, True), first.stderr
    shutil.rmtree(project / ".venv")

    again, slow = _accord(cli, project, *command, env=env)

    assert (again.returncode, again.stdout, slow) == (0, f"{project / '.venv'}\n", False)
    assert again.stderr == first.stderr.replace("Prepared 6 packages in <time>\n", "")
    quiet, slow = _accord(cli, project, "run", "-q", "--frozen", "python", "-c", "pass", env=env)
    assert (quiet.returncode, quiet.stderr, slow) == (0, "", False)


def test_replay_steps_aside_when_an_input_changed(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """A changed pyproject.toml, a changed variable, other options: the slow path decides."""
    project = make_project("simple")
    env = _environment(tmp_path, cli)
    assert _accord(cli, project, "sync", "--frozen", env=env)[0].returncode == 0

    def fresh_sync(*options: str, **variables: str) -> tuple[str, bool]:
        shutil.rmtree(project / ".venv")
        result, slow = _accord(cli, project, "sync", "--frozen", *options, env={**env, **variables})
        assert result.returncode == 0, result.stderr
        return result.stderr, slow

    assert fresh_sync("--no-dev")[1]  # other options: another recipe
    assert not fresh_sync("--no-dev")[1]
    assert fresh_sync(UV_NO_DEV="1")[1]  # a variable the sync reads
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# edited\n")
    assert fresh_sync()[1]
    assert not fresh_sync()[1]


def test_replay_falls_back_when_the_cache_lost_a_wheel(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """A package tree gone from the cache: the replay's link fails, it leaves nothing behind,
    and the slow path makes the environment (unpacking the wheel again)."""
    project = make_project("simple")
    env = _environment(tmp_path, cli)
    assert _accord(cli, project, "sync", "--frozen", env=env)[0].returncode == 0
    made_slowly = _snapshot(project / ".venv")
    shutil.rmtree(project / ".venv")
    unpacked = sorted((tmp_path / "cache" / "unpacked").iterdir())
    shutil.rmtree(unpacked[0])

    result, slow = _accord(cli, project, "sync", "--frozen", "-q", env=env)

    assert (result.returncode, slow) == (0, True), result.stderr
    assert _snapshot(project / ".venv") == made_slowly
    assert not [entry for entry in os.listdir(project) if ".tmp-" in entry]


def test_replay_runs_at_once_take_turns(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """Two runs that find the environment missing: one makes it, the other runs in it."""
    project = make_project("simple")
    env = clean_environment({"ACCORD_INDEX_URL": cli.index_url, **_environment(tmp_path, cli)})
    argv = [str(cli.accord), "run", "--frozen", "python", "-c", "import pkg; print('ok')"]
    assert subprocess.run(argv, cwd=project, env=env, capture_output=True).returncode == 0
    for _ in range(3):
        shutil.rmtree(project / ".venv")
        running = [
            subprocess.Popen(argv, cwd=project, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=120)[0] for process in running]
        assert [process.returncode for process in running] == [0, 0]
        assert outputs == ["ok\n", "ok\n"]
    assert not [entry for entry in os.listdir(project) if ".tmp-" in entry]


@pytest.fixture(scope="module")
def namespace_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """Two wheels of one namespace package (`nsroot/`), with the same old-style
    `nsroot/__init__.py` in both, and a third that depends on them, with a binary script."""
    root = tmp_path_factory.mktemp("namespace")
    init = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
    dists = [
        build_wheel(
            WheelSpec(
                "ns-one", "1.0", files={"nsroot/__init__.py": init, "nsroot/one.py": "X = 1\n"}
            ),
            root / "dists",
        ),
        build_wheel(
            WheelSpec(
                "ns-two",
                "1.0",
                # Many modules: a RECORD of more than 32 KiB, which the recipe keeps as a blob.
                files={
                    "nsroot/__init__.py": init,
                    "nsroot/two.py": "Y = 2\n",
                    **{f"nsroot/two_part_{n:03}.py": f"N = {n}\n" for n in range(600)},
                },
            ),
            root / "dists",
        ),
        build_wheel(
            WheelSpec(
                "ns-app",
                "1.0",
                requires_dist=("ns-one", "ns-two"),
                # A binary script (copied by the apply, and again by the replay) and data files.
                data={
                    "scripts/blob": b"\x7fELF" + bytes(range(256)) * 400,
                    "data/share/x.txt": "x",
                },
            ),
            root / "dists",
        ),
    ]
    with IndexServer(build_index(dists, root / "index")) as server:
        yield server


def test_replay_merges_a_namespace_package_several_wheels_share(
    cli: Cli, namespace_index: IndexServer, tmp_path: Path
) -> None:
    """Entries that several wheels share are linked in turns, by the apply as by the replay;
    the environment holds both wheels' files, as uv's does."""
    ns_cli = dataclasses.replace(cli, index_url=namespace_index.url)
    projects = {}
    for tool in ("uv", "accord"):
        project = tmp_path / tool / "proj"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["ns-app"]\n'
        )
        projects[tool] = project
    assert ns_cli.uv(projects["uv"], "sync").returncode == 0
    shutil.copy(projects["uv"] / "uv.lock", projects["accord"] / "uv.lock")
    env = {**_environment(tmp_path, cli), "ACCORD_INDEX_URL": namespace_index.url}
    first, slow = _accord(ns_cli, projects["accord"], "sync", "--frozen", env=env)
    assert (first.returncode, slow) == (0, True), first.stderr
    site = "lib/python{}.{}/site-packages/nsroot".format(*sys.version_info[:2])
    uv_site = next((projects["uv"] / ".venv" / "lib").glob("python*/site-packages/nsroot"))
    assert sorted(os.listdir(projects["accord"] / ".venv" / site)) == sorted(os.listdir(uv_site))
    # The binary script is copied as it is, and RECORD says so as uv's does.
    blobs = [root / ".venv" / "bin" / "blob" for root in (projects["accord"], projects["uv"])]
    assert blobs[0].read_bytes() == blobs[1].read_bytes()
    assert os.access(blobs[0], os.X_OK)
    records = [
        next(line for line in record.read_text().splitlines() if "bin/blob" in line)
        for root in (projects["accord"], projects["uv"])
        for record in (root / ".venv" / "lib").glob(
            "python*/site-packages/ns_app-1.0.dist-info/RECORD"
        )
    ]
    assert records[0] == records[1]
    made_slowly = _snapshot(projects["accord"] / ".venv")
    shutil.rmtree(projects["accord"] / ".venv")

    again, slow = _accord(ns_cli, projects["accord"], "sync", "--frozen", env=env)

    assert (again.returncode, slow) == (0, False), again.stderr
    assert _snapshot(projects["accord"] / ".venv") == made_slowly
    assert (projects["accord"] / ".venv" / "bin" / "blob").read_bytes()[:4] == b"\x7fELF"
    check = "from nsroot.one import X; from nsroot.two import Y; print(X + Y)"
    run, _ = _accord(ns_cli, projects["accord"], "run", "--frozen", "python", "-c", check, env=env)
    assert (run.returncode, run.stdout) == (0, "3\n"), run.stderr


def test_replay_copies_large_files_kept_beside_the_recipe(
    cli: Cli, namespace_index: IndexServer, tmp_path: Path
) -> None:
    """A written file of more than 32 KiB (ns-two's RECORD) is kept once under its digest
    beside the recipe and copied from there; with the blobs gone, the slow path makes the
    environment and nothing is left behind."""
    ns_cli = dataclasses.replace(cli, index_url=namespace_index.url)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["ns-two"]\n'
    )
    env = {**_environment(tmp_path, cli), "ACCORD_INDEX_URL": namespace_index.url}
    first, slow = _accord(ns_cli, project, "sync", "-q", env=env)
    assert (first.returncode, slow) == (0, True), first.stderr
    record = next((project / ".venv" / "lib").glob("python*/site-packages/ns_two-1.0.dist-info"))
    data = (record / "RECORD").read_bytes()
    assert len(data) > 32 * 1024
    blobs = tmp_path / "cache" / "replay-v1" / "blobs"
    assert (blobs / hashlib.sha256(data).hexdigest()).read_bytes() == data
    made_slowly = _snapshot(project / ".venv")
    shutil.rmtree(project / ".venv")

    again, slow = _accord(ns_cli, project, "sync", "-q", env=env)
    assert (again.returncode, slow) == (0, False), again.stderr
    assert _snapshot(project / ".venv") == made_slowly

    shutil.rmtree(project / ".venv")
    shutil.rmtree(blobs)
    fallback, slow = _accord(ns_cli, project, "sync", "-q", env=env)
    assert (fallback.returncode, slow) == (0, True), fallback.stderr
    assert _snapshot(project / ".venv") == made_slowly
    assert not [entry for entry in os.listdir(tmp_path / "proj") if ".tmp-" in entry]


@pytest.mark.parametrize("how", ["--no-sync", "UV_NO_SYNC"])
def test_replay_makes_nothing_for_a_run_that_syncs_nothing(
    cli: Cli, make_project: MakeProject, tmp_path: Path, how: str
) -> None:
    """``run --no-sync`` without an environment makes an empty one, as uv does: the recipe of
    the synced environment is not for it."""
    project = make_project("simple")
    env = _environment(tmp_path, cli)
    command = ("run", "--frozen", "python", "-c", "import pkg")
    first, slow = _accord(cli, project, *command, env=env)
    assert (first.returncode, slow) == (0, True), first.stderr
    shutil.rmtree(project / ".venv")

    options = ("--no-sync",) if how == "--no-sync" else ()
    variables = {"UV_NO_SYNC": "1"} if how == "UV_NO_SYNC" else {}
    again, slow = _accord(
        cli, project, *command[:2], *options, *command[2:], env={**env, **variables}
    )

    assert slow
    assert again.returncode == 1 and "No module named 'pkg'" in again.stderr
    assert installed(project) == {}
