"""The warm server (`ACCORD_WARM=1`, reconciler/warm.py): a run the fast path declines is done
by a worker forked from a process that has the slow path imported already, and ends exactly as
the same run in its own process ends: output, exit status, the lock, the command it runs (the
caller's process becomes it), and a caller killed takes the worker with it.

Each test has its own runtime directory (`XDG_RUNTIME_DIR`), so its own server, stopped at
the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from fixtures import MakeProject
from fixtures.index import IndexServer, build_index
from tests.cli.support import Cli, clean_environment

_SERVED = re.compile(
    r"^DEBUG Run by worker (\d+) of the warm server at (\S+) "
    r"\((\d+) metadata parsed ahead, (\d+) index pages read ahead, "
    r"(\d+) releases' files decoded ahead, (\d+) version tables made ahead\)$",
    re.MULTILINE,
)


@pytest.fixture
def warm() -> Iterator[dict[str, str]]:
    """The variables of a run with the warm server; the server is stopped afterwards. (A short
    directory: a socket's path holds at most 108 bytes.)"""
    runtime = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))
    try:
        yield {"ACCORD_WARM": "1", "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        for lock in runtime.glob("accord-warm-*/*.sock.lock"):
            _stop_server(lock)
        shutil.rmtree(runtime, ignore_errors=True)


def test_a_runtime_directory_too_deep_for_a_socket_runs_in_process(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project("simple")
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    for _ in range(2):
        result = cli.invoke(
            project,
            "lock",
            "-v",
            "--python",
            str(cli.python),
            env={"ACCORD_WARM": "1", "XDG_RUNTIME_DIR": str(deep)},
        )
        assert result.returncode == 0, result.stderr
        assert not _SERVED.search(result.stderr)
    assert not list(deep.glob("accord-warm-*/*.sock*"))


def _stop_server(lock: Path) -> None:
    """SIGTERM to the process holding ``lock`` (the server), found through /proc."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _holds(entry, lock):
            os.kill(int(entry.name), signal.SIGTERM)


def _served(
    cli: Cli, cwd: Path, warm: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """``accord COMMAND -v ARGS``, once the server answers (the first run starts it)."""
    deadline = time.monotonic() + 30
    while True:
        result = cli.invoke(cwd, args[0], "-v", *args[1:], env={**warm, "ACCORD_NO_FAST_PATH": "1"})
        if _SERVED.search(result.stderr) or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def _locked_in_process(
    cli: Cli, cwd: Path, env: dict[str, str], *flags: str
) -> subprocess.CompletedProcess[str]:
    """``accord lock FLAGS`` with the server turned off, on the test's interpreter; it
    succeeds."""
    result = cli.invoke(
        cwd, "lock", *flags, "--python", str(cli.python), env={**env, "ACCORD_WARM": "0"}
    )
    assert result.returncode == 0, result.stderr
    return result


def test_a_lock_served_warm_is_the_lock_made_in_process(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    reference = cli.invoke(project, "lock", pinned=True)
    assert reference.returncode == 0, reference.stderr
    expected = (project / "uv.lock").read_bytes()
    (project / "uv.lock").unlink()

    result = _served(cli, project, warm, "lock", "--python", str(cli.python))

    assert _SERVED.search(result.stderr), result.stderr
    assert result.returncode == 0, result.stderr
    assert (project / "uv.lock").read_bytes() == expected


def test_the_caller_becomes_the_command_of_a_served_run(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    code = "import os, sys; print(os.getpid()); sys.exit(7)"
    first = _served(cli, project, warm, "run", "--python", str(cli.python), "python", "-c", code)
    assert _SERVED.search(first.stderr), first.stderr
    caller = _caller(
        cli, project, warm, cli.index_url, "run", "--python", str(cli.python), "python", "-c", code
    )
    out, err = caller.communicate(timeout=120)
    # The pid the command prints is the one the caller started: accord's process became it.
    assert (caller.returncode, out) == (7, f"{caller.pid}\n"), err


def test_errors_end_a_served_run_as_in_process(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    cli.sync(project)
    _served(cli, project, warm, "lock", "--python", str(cli.python))
    for args in (("sync", "--bogus"), ("run", "--python", str(cli.python), "no-such-command")):
        alone = cli.invoke(project, *args, env={"ACCORD_NO_FAST_PATH": "1"})
        served = cli.invoke(project, *args, env={**warm, "ACCORD_NO_FAST_PATH": "1"})
        assert (served.returncode, served.stdout, served.stderr) == (
            alone.returncode,
            alone.stdout,
            alone.stderr,
        )
        assert served.returncode == 2


def _caller(
    cli: Cli, project: Path, warm: dict[str, str], index_url: str, *args: str
) -> subprocess.Popen[str]:
    """``accord ARGS`` started in ``project`` with the warm server and ``index_url``, off the
    fast path, its two output streams piped."""
    return subprocess.Popen(
        [str(cli.accord), *args],
        cwd=project,
        env=clean_environment({**warm, "ACCORD_NO_FAST_PATH": "1", "ACCORD_INDEX_URL": index_url}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class _StalledIndex:
    """An index on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/simple/"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_caller_killed_or_interrupted_takes_its_worker_with_it(
    cli: Cli, make_project: MakeProject, warm: dict[str, str], how: signal.Signals
) -> None:
    project = make_project("simple")
    _served(cli, project, warm, "lock", "--python", str(cli.python))
    (project / "uv.lock").unlink()
    stalled = _StalledIndex()
    try:
        # A fetch that stalls gives up after 3 s: the worker ends then at the latest even when
        # the interrupt waits for a fetch to end (seen in CI, under load, at the 30 s default).
        bounded = {**warm, "UV_HTTP_TIMEOUT": "3", "UV_HTTP_RETRIES": "0"}
        caller = _caller(
            cli, project, bounded, stalled.url, "lock", "-v", "--python", str(cli.python)
        )
        assert caller.stderr is not None
        worker = None
        for line in caller.stderr:
            found = _SERVED.match(line.rstrip("\n"))
            if found:
                worker = int(found.group(1))
                break
        assert worker is not None
        deadline = time.monotonic() + 30
        while not stalled.held and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker is waiting on the index now
        caller.send_signal(how)
        caller.communicate(timeout=30)  # its pipes drained: a full one would block the worker
        assert _left([worker], 10) == {}
        if how == signal.SIGINT:
            assert caller.returncode == 130
        assert not (project / "uv.lock").exists()
    finally:
        stalled.close()


def test_no_cache_runs_in_process(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """``--no-cache`` spawns its command and removes the cache after it: not served."""
    project = make_project("simple")
    _served(cli, project, warm, "lock", "--python", str(cli.python))
    result = cli.invoke(
        project,
        "run",
        "-v",
        "--no-cache",
        "--python",
        str(cli.python),
        "python",
        "-c",
        "pass",
        env={**warm, "ACCORD_NO_FAST_PATH": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert not _SERVED.search(result.stderr)


def test_a_served_run_executes_its_command_where_the_run_left_off(
    cli: Cli, make_project: MakeProject, warm: dict[str, str], tmp_path: Path
) -> None:
    """``--directory``: the command runs in that directory, as in process."""
    project = make_project("simple")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import os; print(os.getcwd())"
    args = ("run", "--directory", str(project), "--python", str(cli.python), "python", "-c", code)
    result = _served(cli, elsewhere, warm, *args)
    assert _SERVED.search(result.stderr), result.stderr
    assert (result.returncode, result.stdout) == (0, f"{project}\n")


def test_a_server_killed_is_replaced_and_its_files_cleared(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    first = _SERVED.search(_served(cli, project, warm, "lock", "--python", str(cli.python)).stderr)
    assert first is not None
    socket_path = Path(first.group(2))
    lock = Path(f"{socket_path}.lock")
    deadline = time.monotonic() + 30
    while True:  # a spare just forked holds the server's descriptors until it closes them
        held = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _holds(entry, lock)
        ]
        if len(held) == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(held) == 1
    os.kill(held[0], signal.SIGKILL)
    assert _left(held, 30) == {}
    # The socket is left behind, answered by no one: this run is done in process.
    alone = cli.invoke(project, "lock", "-v", "--python", str(cli.python), env={**warm})
    assert alone.returncode == 0, alone.stderr
    assert not _SERVED.search(alone.stderr)
    # It started a new server, which took the lock and the socket over.
    again = _SERVED.search(_served(cli, project, warm, "lock", "--python", str(cli.python)).stderr)
    assert again is not None and again.group(2) == str(socket_path)
    assert int(again.group(1)) != int(first.group(1))


@pytest.mark.parametrize("removed", ["directory", "socket"])
def test_a_server_whose_socket_is_removed_leaves(
    cli: Cli, make_project: MakeProject, warm: dict[str, str], removed: str
) -> None:
    # A session's runtime directory is removed at logout (or a cleaner removes the socket):
    # no run can reach the server then, so it leaves (within seconds, not after its idle
    # time), and so does its spare; its lock file goes with it.
    project = make_project("simple")
    first = _SERVED.search(_served(cli, project, warm, "lock", "--python", str(cli.python)).stderr)
    assert first is not None
    socket_path = Path(first.group(2))
    server, spare = _server_and_spare(socket_path)
    if removed == "directory":
        shutil.rmtree(warm["XDG_RUNTIME_DIR"])
    else:
        socket_path.unlink()
    assert _left([server, spare], 20) == {}
    assert not Path(f"{socket_path}.lock").exists()


def _left(pids: Iterable[int], seconds: float) -> dict[int, str]:
    """Wait up to ``seconds`` for ``pids`` to end; those still running then, each with its
    /proc stat line. A zombie has ended: only its parent's (or init's) wait is missing, which
    is not the process's to do."""
    deadline = time.monotonic() + seconds
    while True:
        running = {}
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                with contextlib.suppress(OSError):
                    stat += " wchan=" + Path(f"/proc/{pid}/wchan").read_text()
                running[pid] = stat.strip()
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)


def _holds(process: Path, path: Path) -> bool:
    try:
        return str(path) in {os.readlink(fd) for fd in (process / "fd").iterdir()}
    except OSError:
        return False


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.add(int(entry.name))
    return found


def _server_and_spare(socket_path: Path, busy: frozenset[int] = frozenset()) -> tuple[int, int]:
    """The server holding ``socket_path``'s lock, and the one worker it has forked ahead (its
    children but the ``busy`` ones)."""
    lock = Path(f"{socket_path}.lock")
    deadline = time.monotonic() + 30
    while True:
        held = [
            int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _holds(e, lock)
        ]
        spares = _children(held[0]) - busy if len(held) == 1 else set()
        if len(spares) == 1 or time.monotonic() > deadline:
            assert len(held) == 1 and len(spares) == 1, (held, spares)
            return held[0], spares.pop()
        time.sleep(0.05)


def _settled(cli: Cli, project: Path, warm: dict[str, str]) -> re.Match[str]:
    """A served lock of ``project`` once the server has learned all it will from it: two runs
    in a row know as much (none, for a lock that is only checked), and no worker's lesson is
    waiting to be taken in, so no spare is replaced after it for what a run learned."""
    deadline = time.monotonic() + 30
    known = -1
    while True:
        found = _SERVED.search(
            _served(cli, project, warm, "lock", "--python", str(cli.python)).stderr
        )
        assert found is not None
        pending = list(Path(found.group(2)).parent.glob("*.learn*"))
        if (int(found.group(3)) == known and not pending) or time.monotonic() > deadline:
            return found
        known = int(found.group(3))
        time.sleep(0.2)


def test_a_run_is_taken_by_the_worker_forked_ahead_of_it(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    first = _settled(cli, project, warm)
    server, spare = _server_and_spare(Path(first.group(2)))
    result = cli.invoke(project, "lock", "-v", env={**warm, "ACCORD_NO_FAST_PATH": "1"})
    taken = _SERVED.search(result.stderr)
    assert taken is not None and int(taken.group(1)) == spare, result.stderr
    # The server forked the next one.
    assert _server_and_spare(Path(first.group(2)))[0] == server
    assert _server_and_spare(Path(first.group(2)))[1] != spare


def test_a_run_outlives_its_server_and_a_server_stopped_leaves_no_spare(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    first = _settled(cli, project, warm)
    server, spare = _server_and_spare(Path(first.group(2)))
    (project / "uv.lock").unlink()
    stalled = _StalledIndex()
    try:
        caller = _caller(cli, project, warm, stalled.url, "lock", "-v", "--python", str(cli.python))
        assert caller.stderr is not None
        found = _SERVED.match(caller.stderr.readline().rstrip("\n"))
        assert found is not None and int(found.group(1)) == spare
        next_spare = _server_and_spare(Path(first.group(2)), frozenset({spare}))[1]
        os.kill(server, signal.SIGTERM)
        assert _left([next_spare, server], 20) == {}
        assert caller.poll() is None and Path(f"/proc/{spare}").exists()  # still waiting
        caller.kill()
        caller.wait(timeout=30)
    finally:
        stalled.close()


def test_on_by_default_a_server_starts_on_the_second_slow_run(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """Unset, a single slow run (a CI job's, say) leaves no process behind; the second within
    the idle time starts a server, and the runs after it are served."""
    project = make_project("simple")
    default = {**warm, "ACCORD_WARM": "", "ACCORD_NO_FAST_PATH": "1"}
    runtime = Path(warm["XDG_RUNTIME_DIR"])
    first = cli.invoke(project, "lock", "-v", "--python", str(cli.python), env=default)
    assert first.returncode == 0, first.stderr
    assert not _SERVED.search(first.stderr)
    time.sleep(1)
    assert not list(runtime.glob("accord-warm-*/*.sock"))
    second = cli.invoke(project, "lock", "-v", "--python", str(cli.python), env=default)
    assert not _SERVED.search(second.stderr)
    deadline = time.monotonic() + 30
    while True:
        later = cli.invoke(project, "lock", "-v", "--python", str(cli.python), env=default)
        if _SERVED.search(later.stderr) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert _SERVED.search(later.stderr), later.stderr


def test_turned_off_no_server_and_a_bad_value_is_an_error(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    project = make_project("simple")
    runtime = Path(warm["XDG_RUNTIME_DIR"])
    for _ in range(3):
        off = cli.invoke(
            project, "lock", "-v", env={**warm, "ACCORD_WARM": "off", "ACCORD_NO_FAST_PATH": "1"}
        )
        assert off.returncode == 0, off.stderr
        assert not _SERVED.search(off.stderr)
    assert not list(runtime.glob("accord-warm-*/*"))
    bad = cli.invoke(project, "lock", env={**warm, "ACCORD_WARM": "maybe"})
    assert (bad.returncode, bad.stderr) == (
        2,
        "error: Failed to parse environment variable `ACCORD_WARM` with invalid value `maybe`: "
        "expected a boolish value\n",
    )


def _lock_until_learned(
    cli: Cli, project: Path, env: dict[str, str], *counts: int
) -> re.Match[str]:
    """Served locks from scratch, until a worker reports each of ``counts`` (groups of
    ``_SERVED``: 3 metadata, 4 pages, 5 releases' files) above zero, or 30 s went by: what a
    learned spare has. Each lock succeeds and is served."""
    deadline = time.monotonic() + 30
    while True:
        (project / "uv.lock").unlink(missing_ok=True)
        locked = _served(cli, project, env, "lock", "--python", str(cli.python))
        found = _SERVED.search(locked.stderr)
        assert found is not None and locked.returncode == 0, locked.stderr
        if all(int(found.group(n)) > 0 for n in counts) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_the_server_learns_the_metadata_a_run_parsed(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """A worker leaves the metadata it parsed and the releases whose files it decoded for the
    server, whose next spare has them done: a lock of the same project again parses none
    afresh, and makes the same lock."""
    project = make_project("simple")
    first = _SERVED.search(_served(cli, project, warm, "lock", "--python", str(cli.python)).stderr)
    assert first is not None
    made = (project / "uv.lock").read_bytes()
    known = _lock_until_learned(cli, project, warm, 3, 5)
    assert int(known.group(3)) >= 2  # the simple project's two dependencies, at least
    assert int(known.group(5)) >= 2  # their chosen versions' files
    assert (project / "uv.lock").read_bytes() == made
    # Taken in and removed (a worker tells after its caller has gone: the last one's may
    # still be on its way in).
    runtime = Path(first.group(2)).parent
    deadline = time.monotonic() + 30
    while list(runtime.glob("*.learn.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(runtime.glob("*.learn.*"))


def _lock_again_with_metadata_ahead(
    cli: Cli, project: Path, warm: dict[str, str], made: bytes
) -> None:
    """A served lock from scratch finds the project's metadata parsed ahead (two packages at
    least) and makes the lock ``made``."""
    (project / "uv.lock").unlink(missing_ok=True)
    locked = _served(cli, project, warm, "lock", "--python", str(cli.python))
    found = _SERVED.search(locked.stderr)
    assert found is not None and locked.returncode == 0, locked.stderr
    assert int(found.group(3)) >= 2
    assert (project / "uv.lock").read_bytes() == made


def test_the_server_reads_ahead_the_packages_of_a_lock_a_sync_read(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """A sync tells the server the lock it installed from: the server reads that lock's
    packages' pages, files and metadata from the cache, so the project's first served lock
    (no worker has locked it yet) finds them done, and makes the same lock."""
    project = make_project("simple")
    _locked_in_process(cli, project, {})
    made = (project / "uv.lock").read_bytes()
    deadline = time.monotonic() + 30
    while True:  # served syncs, until a worker inherits what the server read ahead
        synced = _served(cli, project, warm, "sync", "--frozen", "--python", str(cli.python))
        known = _SERVED.search(synced.stderr)
        assert known is not None and synced.returncode == 0, synced.stderr
        if int(known.group(3)) > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert int(known.group(3)) >= 2  # the simple project's two dependencies, at least
    assert int(known.group(4)) >= 2  # their index pages
    assert int(known.group(5)) >= 2  # their locked versions' files
    _lock_again_with_metadata_ahead(cli, project, warm, made)


def test_the_run_that_starts_the_server_leaves_it_what_it_parsed(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """The run that starts the server runs in process; at its end it leaves the metadata it
    parsed and the pages it read for the server, so the server's first lock of the project
    already has them."""
    project = make_project("simple")
    (project / "uv.lock").unlink(missing_ok=True)  # resolved, not checked
    env = {**warm, "ACCORD_NO_FAST_PATH": "1"}
    started = cli.invoke(project, "lock", "-v", "--python", str(cli.python), env=env)
    assert started.returncode == 0, started.stderr
    assert _SERVED.search(started.stderr) is None  # in process: it started the server
    made = (project / "uv.lock").read_bytes()
    (project / "uv.lock").unlink()
    deadline = time.monotonic() + 30
    while True:  # runs that read and parse nothing, until a spare has what the server took in
        asked = cli.invoke(project, "lock", "--check-exists", "-v", env=env)
        found = _SERVED.search(asked.stderr)
        if (found is not None and int(found.group(3)) > 0) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found is not None and int(found.group(3)) >= 2, asked.stderr
    assert int(found.group(4)) >= 2
    assert int(found.group(6)) >= 2  # the tables of its dependencies, made again
    _lock_again_with_metadata_ahead(cli, project, warm, made)


def test_a_run_that_starts_the_server_and_reads_nothing_ends_as_it_would(
    cli: Cli, make_project: MakeProject, warm: dict[str, str]
) -> None:
    """The run that starts the server leaves it what it did at its end, importing nothing it
    had not imported: a run that read nothing says only its own error."""
    project = make_project("simple")
    (project / "uv.lock").unlink(missing_ok=True)
    result = cli.invoke(project, "lock", "--check-exists", env=warm)
    assert result.returncode == 1  # as uv
    assert result.stderr.startswith("error: Unable to find lockfile at `uv.lock`")
    assert result.stderr.count("\n") == 1, result.stderr
    assert list(Path(warm["XDG_RUNTIME_DIR"]).glob("accord-warm-*/*.sock.lock"))  # started


def test_metadata_the_server_keeps_goes_back_into_a_cleaned_cache(
    cli: Cli, make_project: MakeProject, warm: dict[str, str], tmp_path: Path
) -> None:
    """The server keeps the metadata its workers read; when the cache is cleaned meanwhile,
    a served lock answered from what the server keeps puts it back in the cache, so the
    cache has what a lock read (an offline lock then works)."""
    project = make_project("simple")
    cache = tmp_path / "cache"
    env = {**warm, "ACCORD_CACHE_DIR": str(cache)}
    _lock_until_learned(cli, project, env, 3)  # a worker has the metadata earlier ones read
    made = (project / "uv.lock").read_bytes()
    shutil.rmtree(cache / "metadata")
    (project / "uv.lock").unlink()
    again = _served(cli, project, env, "lock", "--python", str(cli.python))
    assert again.returncode == 0, again.stderr
    assert len(list((cache / "metadata").iterdir())) >= 2
    (project / "uv.lock").unlink()
    _locked_in_process(cli, project, env, "--offline")
    assert (project / "uv.lock").read_bytes() == made


def test_the_server_reads_a_page_again_once_its_cache_file_changed(
    cli: Cli, dists_dir: Path, tmp_path: Path, warm: dict[str, str]
) -> None:
    """The pages a worker decoded are kept decoded by the server for the next workers; a page
    whose cache file another run replaced is read again, not answered from memory."""
    root = tmp_path / "index"
    older = sorted(dists_dir.glob("dep_b-1.0-*.whl"))
    newer = sorted(dists_dir.glob("dep_b-2.0-*.whl"))
    assert older and newer
    with IndexServer(build_index(older, root)) as server:
        project = tmp_path / "project"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
            'dependencies = ["dep-b"]\n'
        )
        env = {**warm, "ACCORD_INDEX_URL": server.url}
        _served(cli, project, env, "lock", "--python", str(cli.python))
        found = _lock_until_learned(cli, project, env, 4)  # the page read ahead
        assert int(found.group(4)) >= 1
        assert 'name = "dep-b"\nversion = "1.0"' in (project / "uv.lock").read_text()

        build_index(older + newer, root)  # the index now has dep-b 2.0 too
        # Another process (not served) refreshes the page: the cache file is replaced.
        _locked_in_process(cli, project, env, "--refresh", "--upgrade")
        assert 'name = "dep-b"\nversion = "2.0"' in (project / "uv.lock").read_text()
        server.reset_requests()
        (project / "uv.lock").unlink()

        again = _served(cli, project, env, "lock", "--python", str(cli.python))

        assert _SERVED.search(again.stderr) and again.returncode == 0, again.stderr
        assert 'name = "dep-b"\nversion = "2.0"' in (project / "uv.lock").read_text()
        assert not server.requests  # from the cache: the page is fresh
