"""Benchmarks, run on demand (never part of the test suite): accord against uv, side by side.

    python tests/benchmarks/bench_run.py --dists DIR [--runs N] [--pip]

DIR holds the wheel set of ``shared/bench`` (``shared/bench/fetch_wheels.sh DIR``). The script
builds and serves that index on 127.0.0.1 with ``shared/bench/make_index.py``, writes a project
depending on the benchmark's top-level packages, locks it once with uv, then times on two
identical copies of the project:

- sync into a fresh venv, warm cache: ``uv sync --frozen`` vs ``accord sync --frozen``
  (and, with --pip, ``pip install --no-deps -r`` into a fresh venv);
- a no-op ``run python -c pass``: ``uv run --frozen`` vs ``accord run --frozen``;
- a lock with nothing to do (after a sync in the default lock mode): ``uv lock`` vs
  ``accord lock``;
- lock from scratch (no uv.lock), warm cache and cold cache (an empty cache directory for
  every run): ``uv lock`` vs ``accord lock``; and whether the two locks are identical.

It prints medians, minimums and the accord/uv ratio. ``--warm`` adds the fresh sync without a
recipe and the lock from scratch with accord's warm server (``ACCORD_WARM=1``): the server's
first lock of the project after the syncs (which told it the lock they installed from, whose
packages it read ahead), then, once the server has learned what that lock parsed and read, the
same lock again (``--runs`` each), with a warm and a cold cache, and a relock after an edit
(a package the lock holds added to the direct dependencies and dropped again, in turn, with
the existing lock) and a sync after an edit (a direct dependency dropped and added back, in
turn: relocked, and the environment brought in line); last, the first lock of a server
started afresh by a run that read nothing, so it has learned nothing (``--runs`` each, each
with a server of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
SHARED_BENCH = REPO.parent / "shared" / "bench"


class Runs(list[tuple[float, float]]):
    """(wall milliseconds, peak MiB) of each run."""

    def walls(self) -> list[float]:
        return [wall for wall, _ in self]

    def peaks(self) -> list[float]:
        return [peak for _, peak in self]


def _time(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    before: Callable[[], None] | None = None,
) -> Runs:
    """Run ``argv`` ``runs`` times; the wall time of each and its peak RSS (``os.wait4``: the
    largest of the process and the children it waited for)."""
    times = Runs()
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = (time.perf_counter() - started) * 1000
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed (exit {process.returncode}) in {cwd}")
        times.append((wall, usage.ru_maxrss / 1024))
    return times


Job = tuple[list[str], Path, dict[str, str], "Callable[[], None] | None"]


def _alternating(runs: int, accord: Job, other: Job) -> tuple[Runs, Runs]:
    """Run the two jobs in turn (accord, other, accord, ...): a drift in the machine's speed
    then weighs on both alike."""
    first, second = Runs(), Runs()
    for _ in range(runs):
        first += _time(*accord[:3], 1, accord[3])
        second += _time(*other[:3], 1, other[3])
    return first, second


def _report(name: str, accord: Runs, other: Runs, other_name: str) -> None:
    a, o = statistics.median(accord.walls()), statistics.median(other.walls())
    print(
        f"{name:<34} accord {a:8.1f} ms (min {min(accord.walls()):7.1f})   {other_name} "
        f"{o:8.1f} ms (min {min(other.walls()):7.1f})   ratio {a / o:5.2f}x   peak "
        f"{statistics.median(accord.peaks()):5.1f} / {statistics.median(other.peaks()):5.1f} MiB"
    )


_AHEAD = re.compile(r"\((\d+) metadata parsed ahead, (\d+) index pages read ahead, (\d+) ")


def _settle(accord: str, project: Path, env: dict[str, str]) -> None:
    """Lock ``project`` until the warm server has learned all it will from it (what its
    worker says it had ahead is the same twice in a row; 30 s at most): the lock rows after
    it are a project locked again, as a user locks while editing it."""
    deadline = time.monotonic() + 30
    known: tuple[str, ...] = ()
    while time.monotonic() < deadline:
        (project / "uv.lock").unlink(missing_ok=True)
        said = subprocess.run(
            [accord, "lock", "-v"], cwd=project, env=env, capture_output=True, text=True
        )
        found = _AHEAD.search(said.stderr)
        if found is None or found.groups() == known:
            return
        known = found.groups()
        time.sleep(0.5)


def _warm_rows(
    runs: int,
    accord: str,
    uv: str,
    projects: dict[str, Path],
    env: dict[str, str],
    index_url: str,
    work: Path,
    replay_dir: Path,
) -> None:
    """The rows a warm server changes (a fresh sync without a recipe, a lock from scratch with
    a warm and a cold cache), with ``ACCORD_WARM=1``; then the server's own memory. The peaks
    are the caller's: the worker, forked from the server, is not its child."""
    runtime = work / "run"
    runtime.mkdir(mode=0o700)
    warm = dict(env, ACCORD_WARM="1", XDG_RUNTIME_DIR=str(runtime), ACCORD_INDEX_URL=index_url)
    accord_project, uv_project = projects["accord"], projects["uv"]
    deadline = time.monotonic() + 30
    # A sync of the existing environment takes the slow path (a plain lock would be answered
    # by the stamp): the first starts the server.
    while not list(runtime.glob("accord-warm-*/*.sock")) and time.monotonic() < deadline:
        subprocess.run([accord, "sync", "--frozen", "-q"], cwd=accord_project, env=warm, check=True)
        time.sleep(0.5)
    served = subprocess.run(
        [accord, "sync", "--frozen", "-v"],
        cwd=accord_project,
        env=warm,
        capture_output=True,
        text=True,
    )
    print(f"warm server answers: {'DEBUG Run by worker' in served.stderr}")

    def fresh() -> None:
        shutil.rmtree(accord_project / ".venv", ignore_errors=True)
        shutil.rmtree(replay_dir, ignore_errors=True)

    def unlock(project: Path) -> Callable[[], None]:
        return lambda: (project / "uv.lock").unlink(missing_ok=True)

    first_accord, first_uv = _alternating(
        runs,
        ([accord, "sync", "--frozen", "-q"], accord_project, warm, fresh),
        (
            [uv, "sync", "--frozen"],
            uv_project,
            env,
            lambda: shutil.rmtree(uv_project / ".venv", ignore_errors=True),
        ),
    )
    _report("warm server: sync, no recipe", first_accord, first_uv, "uv")
    lock_job: Job = ([accord, "lock", "-q"], accord_project, warm, unlock(accord_project))
    uv_lock_job: Job = ([uv, "lock", "-q"], uv_project, warm, unlock(uv_project))
    # The server's first lock of the project (no worker has resolved it yet; the syncs above
    # told it their lock, whose packages it read ahead), one run each; then it learns what
    # that run parsed and read.
    first_accord, first_uv = _alternating(1, lock_job, uv_lock_job)
    _report("warm server: first lock after syncs, warm cache", first_accord, first_uv, "uv")
    _settle(accord, accord_project, warm)
    lock_accord, lock_uv = _alternating(runs, lock_job, uv_lock_job)
    _report("warm server: lock, warm cache", lock_accord, lock_uv, "uv")
    # As a user edits: a package the lock has, made a direct dependency and dropped again in
    # turn, each time locked with the existing lock (its versions preferred, its yanks allowed).
    added = _edited_dependency(accord_project)
    edit_accord, edit_uv = _edited(
        runs,
        added,
        ([accord, "lock", "-q"], accord_project, warm),
        ([uv, "lock", "-q"], uv_project, warm),
    )
    _report("warm server: relock after an edit", edit_accord, edit_uv, "uv")
    # The same edit, synced: a direct dependency dropped and added back in turn, each time
    # relocked and the environment brought in line (what it alone needed removed, then
    # installed again), as ``uv sync`` / ``accord sync`` after editing pyproject.toml.
    dropped = _dropped_dependency(accord_project)
    try:
        edit_accord, edit_uv = _edited(
            runs,
            dropped,
            ([accord, "sync", "-q"], accord_project, warm),
            ([uv, "sync", "-q"], uv_project, warm),
            drop=True,
        )
    finally:
        for argv, project, environment in (
            ([accord, "sync", "-q"], accord_project, warm),
            ([uv, "sync", "-q"], uv_project, env),
        ):
            subprocess.run(argv, cwd=project, env=environment, check=True)
    _report("warm server: sync after an edit", edit_accord, edit_uv, "uv")

    def unlock_cold(project: Path, cache: str) -> Callable[[], None]:
        def before() -> None:
            (project / "uv.lock").unlink(missing_ok=True)
            shutil.rmtree(cache, ignore_errors=True)

        return before

    cold_accord, cold_uv = _alternating(
        runs,
        (
            [accord, "lock", "-q"],
            accord_project,
            warm,
            unlock_cold(accord_project, warm["ACCORD_CACHE_DIR"]),
        ),
        ([uv, "lock", "-q"], uv_project, warm, unlock_cold(uv_project, warm["UV_CACHE_DIR"])),
    )
    _report("warm server: lock, cold cache", cold_accord, cold_uv, "uv")
    _stop_servers(runtime, report=True)
    # Each time, a server started afresh by a run that reads nothing (``lock --check-exists``
    # with no lock: it fails), so it has nothing to leave the server: its first served lock
    # has nothing read ahead.
    first_accord, first_uv = Runs(), Runs()
    for _ in range(runs):
        deadline = time.monotonic() + 30
        while not list(runtime.glob("accord-warm-*/*.sock")) and time.monotonic() < deadline:
            unlock(accord_project)()
            subprocess.run(
                [accord, "lock", "--check-exists", "-q"],
                cwd=accord_project,
                env=warm,
                capture_output=True,
                check=False,
            )
            time.sleep(0.5)
        # Its socket is there before its first spare is ready (forked, its collection done):
        # a user's next run comes seconds later, not milliseconds.
        time.sleep(2)
        ran_accord, ran_uv = _alternating(1, lock_job, uv_lock_job)
        first_accord += ran_accord
        first_uv += ran_uv
        _stop_servers(runtime, report=False)
    _report("warm server: first lock, nothing learned", first_accord, first_uv, "uv")


def _edited_dependency(project: Path) -> str:
    """A package ``project``'s lock holds that it does not depend on directly (the middle one
    by name: the same for every run of the same wheel set)."""
    text = (project / "pyproject.toml").read_text()
    locked: list[str] = re.findall(
        r'^name = "([^"]+)"$', (project / "uv.lock").read_text(), re.MULTILINE
    )
    direct: set[str] = set(re.findall(r'^    "([A-Za-z0-9._-]+)', text, re.MULTILINE))
    candidates = sorted(name for name in set(locked) - direct if name != "bench")
    if not candidates:
        raise SystemExit(f"no locked package to add as a dependency in {project}")
    return candidates[len(candidates) // 2]


def _edited(
    runs: int,
    name: str,
    accord: tuple[list[str], Path, dict[str, str]],
    other: tuple[list[str], Path, dict[str, str]],
    *,
    drop: bool = False,
) -> tuple[Runs, Runs]:
    """``_alternating`` runs of the two commands, each after its project's dependencies had
    ``name`` added (``drop``: dropped) or put back, in turn (``_Toggle``); the files are put
    back at the end."""
    edits = [_Toggle(project, name, drop=drop) for _, project, _ in (accord, other)]
    try:
        return _alternating(runs, (*accord, edits[0]), (*other, edits[1]))
    finally:
        for edit in edits:
            edit.restore()


def _dropped_dependency(project: Path) -> str:
    """A direct dependency of ``project`` (the middle one by name)."""
    text = (project / "pyproject.toml").read_text()
    found: list[str] = re.findall(r'^    "([A-Za-z0-9._-]+)",$', text, re.MULTILINE)
    direct = sorted(set(found))
    if not direct:
        raise SystemExit(f"no direct dependency to drop in {project}")
    return direct[len(direct) // 2]


class _Toggle:
    """Before each run: ``name`` added to the project's dependencies (with ``drop``, dropped
    from them), then put back, in turn; ``restore`` puts the file back."""

    def __init__(self, project: Path, name: str, *, drop: bool = False) -> None:
        self.path = project / "pyproject.toml"
        self.original = self.path.read_text()
        if drop:
            self.edited = self.original.replace(f'    "{name}",\n', "", 1)
        else:
            self.edited = self.original.replace(
                "dependencies = [\n", f'dependencies = [\n    "{name}",\n', 1
            )
        if self.edited == self.original:
            raise SystemExit(f"cannot edit {name} in {self.path}")
        self.added = False

    def __call__(self) -> None:
        self.added = not self.added
        self.path.write_text(self.edited if self.added else self.original)

    def restore(self) -> None:
        self.path.write_text(self.original)


def _stop_servers(runtime: Path, *, report: bool) -> None:
    """SIGTERM to the warm server under ``runtime`` and its spare (with ``report``, their peak
    memory said first), then wait for its socket to go."""
    found: set[str] = set()
    for entry in sorted(
        Path("/proc").iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0
    ):
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        joined = b" ".join(command)  # the server's argv: python -c "...serve('<socket>')"
        if b"accord.reconciler.warm" in joined and str(runtime).encode() in joined:
            status = (entry / "status").read_text()
            peak = re.search(r"VmHWM:\s+(\d+)", status)
            parent = re.search(r"PPid:\s+(\d+)", status)
            # The server's child waiting on the socket is the worker it forked ahead.
            who = "its spare worker" if parent and parent.group(1) in found else "warm server"
            found.add(entry.name)
            if report:
                print(f"{who}: peak {int(peak.group(1)) / 1024 if peak else 0:.1f} MiB")
            os.kill(int(entry.name), 15)
    deadline = time.monotonic() + 30
    while list(runtime.glob("accord-warm-*/*.sock")) and time.monotonic() < deadline:
        time.sleep(0.05)


def _top_level_names(requirements: Path) -> list[str]:
    header = " ".join(
        line.lstrip("# ") for line in requirements.read_text().splitlines() if line.startswith("#")
    )
    match = re.search(r"Top-level packages:(.*?)\(the rest", header, re.S)
    if not match:
        raise SystemExit(f"cannot find the top-level package list in {requirements}")
    return match.group(1).split()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dists", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pip", action="store_true", help="also time pip into a fresh venv")
    parser.add_argument(
        "--list",
        type=Path,
        default=SHARED_BENCH / "requirements-bench.txt",
        help="the pinned set whose header names the top-level packages (default: shared/bench's "
        "54; tests/benchmarks/wheelset-large.txt has 334, fetched with fetch_wheelset.py)",
    )
    parser.add_argument("--requires-python", default=">=3.11")
    parser.add_argument(
        "--environment",
        action="append",
        default=[],
        help="a marker for tool.uv.environments (repeatable): limit the lock to the platforms "
        "the set has wheels for (the large set: \"sys_platform == 'linux'\")",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="also the slow rows with accord's warm server (ACCORD_WARM=1)",
    )
    parser.add_argument(
        "--real-index",
        action="store_true",
        help="also lock the same project against pypi.org, warm caches (needs the network)",
    )
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    accord, uv = str(bin_dir / "accord"), str(bin_dir / "uv")
    python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    work = Path(tempfile.mkdtemp(prefix="accord-bench-"))
    server = None
    try:
        subprocess.run(
            [
                sys.executable,
                str(SHARED_BENCH / "make_index.py"),
                "build",
                str(args.dists),
                str(work / "index"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = subprocess.Popen(
            [
                sys.executable,
                str(SHARED_BENCH / "make_index.py"),
                "serve",
                str(work / "index"),
                "--port",
                "0",
                "--quiet",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        url = re.search(r"http://\S+", server.stdout.readline())
        if url is None:
            raise SystemExit("the index server did not print its URL")
        index_url = url.group(0)
        names = _top_level_names(args.list)
        # Not PYTHONDONTWRITEBYTECODE either: a checkout measured under it compiles accord's
        # modules on every run.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("UV_") and k not in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
        }
        env.update(
            UV_DEFAULT_INDEX=index_url,
            UV_CACHE_DIR=str(work / "uv-cache"),
            UV_PYTHON=python,
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_CONFIG="1",
            ACCORD_CACHE_DIR=str(work / "accord-cache"),
            ACCORD_WARM="0",  # the in-process rows; the warm server's have their own
        )
        if args.environment:
            # UV_NO_CONFIG would hide the project's [tool.uv] too: hide only user settings.
            del env["UV_NO_CONFIG"]
            env["XDG_CONFIG_HOME"] = str(work / "no-user-config")
        projects = {}
        for tool in ("uv", "accord"):
            project = work / f"project-{tool}"
            project.mkdir()
            deps = ",\n    ".join(f'"{name}"' for name in names)
            (project / "pyproject.toml").write_text(
                f'[project]\nname = "bench"\nversion = "0.1.0"\n'
                f'requires-python = "{args.requires_python}"\n'
                f"dependencies = [\n    {deps},\n]\n"
                + (
                    "\n[tool.uv]\nenvironments = ["
                    + ", ".join(json.dumps(marker) for marker in args.environment)
                    + "]\n"
                    if args.environment
                    else ""
                )
            )
            projects[tool] = project
        subprocess.run([uv, "lock"], cwd=projects["uv"], env=env, check=True)
        shutil.copy(projects["uv"] / "uv.lock", projects["accord"] / "uv.lock")
        # Warm both caches once.
        subprocess.run([uv, "sync", "--frozen"], cwd=projects["uv"], env=env, check=True)
        subprocess.run(
            [accord, "sync", "--frozen", "-q"], cwd=projects["accord"], env=env, check=True
        )
        print(
            f"wheel set: {len(list(args.dists.iterdir()))} files; index {index_url}; "
            f"{args.runs} runs each"
        )

        def fresh(project: Path) -> Callable[[], None]:
            return lambda: shutil.rmtree(project / ".venv", ignore_errors=True)

        sync_accord, sync_uv = _alternating(
            args.runs,
            (
                [accord, "sync", "--frozen", "-q"],
                projects["accord"],
                env,
                fresh(projects["accord"]),
            ),
            ([uv, "sync", "--frozen"], projects["uv"], env, fresh(projects["uv"])),
        )
        _report("sync, fresh venv, warm cache", sync_accord, sync_uv, "uv")
        # The same without accord's recipe of the environment (reconciler/replay.py): the first
        # fresh sync of a lock, which plans and installs package by package.
        replay_dir = work / "accord-cache" / "replay-v1"

        def fresh_unrecorded() -> None:
            fresh(projects["accord"])()
            shutil.rmtree(replay_dir, ignore_errors=True)

        first_accord, first_uv = _alternating(
            args.runs,
            ([accord, "sync", "--frozen", "-q"], projects["accord"], env, fresh_unrecorded),
            ([uv, "sync", "--frozen"], projects["uv"], env, fresh(projects["uv"])),
        )
        _report("sync, fresh venv, no recipe", first_accord, first_uv, "uv")
        noop = ["run", "--frozen", "--", "python", "-c", "pass"]
        noop_accord, noop_uv = _alternating(
            args.runs * 3,
            ([accord, *noop], projects["accord"], env, None),
            ([uv, *noop], projects["uv"], env, None),
        )
        _report("no-op run python -c pass", noop_accord, noop_uv, "uv")
        # A lock with nothing to do, after a sync in the default lock mode (whose stamp
        # accord's fast path reads; the syncs above are --frozen).
        subprocess.run([accord, "sync", "-q"], cwd=projects["accord"], env=env, check=True)
        unchanged_accord, unchanged_uv = _alternating(
            args.runs * 3,
            ([accord, "lock", "-q"], projects["accord"], env, None),
            ([uv, "lock", "-q"], projects["uv"], env, None),
        )
        _report("lock, nothing changed", unchanged_accord, unchanged_uv, "uv")

        def lock_run(tool: str, project: Path, cold: bool) -> Callable[[], None]:
            def before() -> None:
                (project / "uv.lock").unlink(missing_ok=True)
                if cold:
                    key = "UV_CACHE_DIR" if tool == "uv" else "ACCORD_CACHE_DIR"
                    shutil.rmtree(env[key], ignore_errors=True)

            return before

        for cold in (False, True):
            label = "cold" if cold else "warm"
            lock_env = dict(env, ACCORD_INDEX_URL=index_url)
            accord_lock, uv_lock = _alternating(
                args.runs,
                (
                    [accord, "lock", "-q"],
                    projects["accord"],
                    lock_env,
                    lock_run("accord", projects["accord"], cold),
                ),
                (
                    [uv, "lock", "-q"],
                    projects["uv"],
                    lock_env,
                    lock_run("uv", projects["uv"], cold),
                ),
            )
            _report(f"lock from scratch, {label} cache", accord_lock, uv_lock, "uv")
        same = (projects["uv"] / "uv.lock").read_text() == (
            projects["accord"] / "uv.lock"
        ).read_text()
        print(f"accord's lock identical to uv's: {same}")
        if args.warm:
            _warm_rows(args.runs, accord, uv, projects, env, index_url, work, replay_dir)
        if args.real_index:
            real_env = {
                k: v
                for k, v in env.items()
                if k not in ("UV_DEFAULT_INDEX", "ACCORD_INDEX_URL", "UV_INDEX_URL")
            }
            real_env.update(
                UV_CACHE_DIR=str(work / "uv-real-cache"),
                ACCORD_CACHE_DIR=str(work / "accord-real-cache"),
            )
            for tool, project in projects.items():  # warm both caches once
                (project / "uv.lock").unlink(missing_ok=True)
                subprocess.run(
                    [accord if tool == "accord" else uv, "lock", "-q"],
                    cwd=project,
                    env=real_env,
                    check=True,
                )
            real_accord, real_uv = _alternating(
                args.runs,
                (
                    [accord, "lock", "-q"],
                    projects["accord"],
                    real_env,
                    lock_run("accord", projects["accord"], False),
                ),
                (
                    [uv, "lock", "-q"],
                    projects["uv"],
                    real_env,
                    lock_run("uv", projects["uv"], False),
                ),
            )
            _report("lock against pypi.org, warm cache", real_accord, real_uv, "uv")
            same = (projects["uv"] / "uv.lock").read_text() == (
                projects["accord"] / "uv.lock"
            ).read_text()
            print(f"accord's pypi.org lock identical to uv's: {same}")
        if args.pip:
            requirements = projects["uv"] / "requirements.txt"
            subprocess.run(
                [uv, "export", "--frozen", "--no-hashes", "-o", str(requirements)],
                cwd=projects["uv"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            venv = work / "pip-venv"
            pip_env = dict(
                env,
                PIP_INDEX_URL=index_url,
                PIP_CONFIG_FILE=os.devnull,
                PIP_TRUSTED_HOST="127.0.0.1",
                PIP_DISABLE_PIP_VERSION_CHECK="1",
            )

            def pip_fresh() -> None:
                shutil.rmtree(venv, ignore_errors=True)
                subprocess.run([python, "-m", "venv", str(venv)], check=True)

            pip_times = _time(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--no-deps",
                    "-q",
                    "-r",
                    str(requirements),
                ],
                work,
                pip_env,
                max(1, args.runs // 3),
                pip_fresh,
            )
            _report("sync, fresh venv (pip install)", sync_accord, pip_times, "pip")
        return 0
    finally:
        if server is not None:
            server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
