"""A real-world lock corpus, run on demand (never part of the test suite): uv lock vs accord lock.

    python tests/benchmarks/lock_corpus.py [--only a,b] [--jobs N] [--cache DIR] [--cold]
        [--discard-cache] [--min-free-gib G] [--timeout S] [--json FILE] [--diff DIR]
        [--python PATH]

It needs the real package index (https://pypi.org/simple, the default of both tools; nothing
else is passed) and takes minutes. Each directory of ``tests/benchmarks/corpus/`` holds the
dependency tables of a well-known open-source project as a virtual project (its first line
names the repository, file and commit they come from). For each project, in fresh temporary
copies:

- ``uv lock`` and ``accord lock`` run, each with its own cache directory
  (``CACHE/<tool>/<project>``, kept between runs so a second run is warm; ``--cold`` empties it
  first) and a timeout; the wall time and the peak RSS of each (``os.wait4`` on the child, which
  counts the children it waited for) are recorded;
- when accord's lock was written: ``uv lock --check`` runs on it (with uv's cache of the
  project), its (name, version) set is compared with uv's lock, so are the top-level
  ``resolution-markers`` and each package's, and the two files are compared byte for byte
  (the size of their diff in lines).

Disk: accord's cache of one project reached tens of GiB (whole wheels, every platform's), so
a watchdog kills a lock when the cache's disk falls under ``--min-free-gib`` (default 10), the
row shows the size of accord's cache after the project, and ``--discard-cache`` deletes each
project's caches once it is done.

It prints one row per project and totals; ``--json FILE`` writes the rows, ``--diff DIR``
saves both locks (and accord's output) per project. The interpreter: the directory of
``--python`` (default: the newest working CPython on PATH or under pyenv) goes first on PATH
for both tools, so projects needing a recent Python find one without downloads.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve()
CORPUS = HERE.parent / "corpus"
BIN = Path(sys.executable).parent
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "accord-lock-corpus-cache"
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


@dataclass
class DiskGuard:
    """Free space to keep on the disk holding the caches (accord may download whole wheels)."""

    path: Path
    min_free_gib: float

    def low(self) -> bool:
        return shutil.disk_usage(self.path).free < self.min_free_gib * 2**30


def _size_mib(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total / 2**20


@dataclass
class Run:
    """One tool's run: exit code (None: killed), wall seconds, peak RSS in MiB, output."""

    returncode: int | None
    killed: str
    seconds: float
    rss_mib: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Row:
    project: str
    uv_ok: bool = False
    uv_seconds: float = 0.0
    uv_rss_mib: float = 0.0
    uv_packages: int = 0
    uv_error: str = ""
    accord_ok: bool = False
    accord_seconds: float = 0.0
    accord_rss_mib: float = 0.0
    accord_packages: int = 0
    accord_error: str = ""
    uv_cache_mib: float = 0.0
    accord_cache_mib: float = 0.0
    check_passes: bool | None = None
    check_error: str = ""
    same_versions: bool | None = None
    only_uv: list[str] = field(default_factory=list)
    only_accord: list[str] = field(default_factory=list)
    same_markers: bool | None = None
    marker_differences: list[str] = field(default_factory=list)
    identical: bool | None = None
    diff_lines: int = 0

    @property
    def ratio(self) -> float | None:
        if self.uv_ok and self.accord_ok and self.uv_seconds > 0:
            return self.accord_seconds / self.uv_seconds
        return None


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, guard: DiskGuard) -> Run:
    """Run ``argv`` to completion; wait4 gives its rusage.

    A watchdog kills its process group at ``timeout``, or when the disk holding the caches
    has less than the guard's minimum free.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        done = threading.Event()
        killed: list[str] = []

        def watch() -> None:
            while not done.wait(1.0):
                if time.perf_counter() - started > timeout:
                    killed.append(f"timeout after {timeout:.0f} s")
                elif guard.low():
                    killed.append(f"killed: less than {guard.min_free_gib:g} GiB free on disk")
                else:
                    continue
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            done.set()
            watcher.join()
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Run(
            returncode=None if killed else child.returncode,
            killed=killed[0] if killed else "",
            seconds=seconds,
            rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def _first_error(run: Run) -> str:
    if run.killed:
        return run.killed
    lines = [line.strip() for line in (run.stderr + run.stdout).splitlines() if line.strip()]
    if not lines:
        return f"exit {run.returncode}, no output"
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    if exceptions and any(
        line.startswith("Traceback") or "bug in accord" in line for line in lines
    ):
        return exceptions[-1]  # the exception, not "error: this is a bug in accord ..."
    for line in lines:
        if line.lower().startswith("error"):
            return line
    return lines[-1]


def _packages(lock: dict[str, Any]) -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = lock.get("package", [])
    return packages


def _key(package: dict[str, Any]) -> str:
    return f"{package['name']}=={package.get('version', '?')}"


def _compare(row: Row, uv_lock: Path, accord_lock: Path) -> None:
    uv_text, accord_text = uv_lock.read_text(), accord_lock.read_text()
    row.identical = uv_text == accord_text
    row.diff_lines = sum(
        1
        for line in difflib.unified_diff(uv_text.splitlines(), accord_text.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )
    uv_data, accord_data = tomllib.loads(uv_text), tomllib.loads(accord_text)
    uv_pkgs = {_key(p): p for p in _packages(uv_data)}
    accord_pkgs = {_key(p): p for p in _packages(accord_data)}
    row.only_uv = sorted(set(uv_pkgs) - set(accord_pkgs))
    row.only_accord = sorted(set(accord_pkgs) - set(uv_pkgs))
    row.same_versions = not row.only_uv and not row.only_accord
    differences = []
    if uv_data.get("resolution-markers") != accord_data.get("resolution-markers"):
        differences.append("top-level resolution-markers")
    for key in sorted(set(uv_pkgs) & set(accord_pkgs)):
        if uv_pkgs[key].get("resolution-markers") != accord_pkgs[key].get("resolution-markers"):
            differences.append(key)
    row.marker_differences = differences
    row.same_markers = not differences


def _lock_one(
    project: Path, args: argparse.Namespace, env: dict[str, str], work: Path, guard: DiskGuard
) -> Row:
    name = project.name
    row = Row(project=name)
    try:
        _lock_both(row, project, args, env, work, guard)
    except Exception as error:  # a broken project must not stop the corpus
        row.accord_error = row.accord_error or f"lock_corpus: {type(error).__name__}: {error}"
    finally:
        shutil.rmtree(work / name, ignore_errors=True)
        for tool in ("uv", "accord"):
            tool_cache = args.cache.resolve() / tool / name
            setattr(row, f"{tool}_cache_mib", _size_mib(tool_cache))
            if args.discard_cache:
                shutil.rmtree(tool_cache, ignore_errors=True)
    return row


def _lock_both(
    row: Row,
    project: Path,
    args: argparse.Namespace,
    env: dict[str, str],
    work: Path,
    guard: DiskGuard,
) -> None:
    name = project.name
    cache = args.cache.resolve()
    dirs: dict[str, Path] = {}
    runs: dict[str, Run] = {}
    for tool in ("uv", "accord"):
        tool_cache = cache / tool / name
        if args.cold:
            shutil.rmtree(tool_cache, ignore_errors=True)
        tool_cache.mkdir(parents=True, exist_ok=True)
        directory = work / name / tool
        directory.mkdir(parents=True)
        shutil.copy(project / "pyproject.toml", directory / "pyproject.toml")
        dirs[tool] = directory
        tool_env = dict(env, UV_CACHE_DIR=str(cache / "uv" / name))
        tool_env["ACCORD_CACHE_DIR"] = str(cache / "accord" / name)
        executable = str(BIN / tool)
        runs[tool] = _run([executable, "lock"], directory, tool_env, args.timeout, guard)
    uv_run, accord_run = runs["uv"], runs["accord"]
    uv_lock, accord_lock = dirs["uv"] / "uv.lock", dirs["accord"] / "uv.lock"
    row.uv_seconds, row.uv_rss_mib = uv_run.seconds, uv_run.rss_mib
    row.accord_seconds, row.accord_rss_mib = accord_run.seconds, accord_run.rss_mib
    row.uv_ok = uv_run.ok and uv_lock.exists()
    row.accord_ok = accord_run.ok and accord_lock.exists()
    if not row.uv_ok:
        row.uv_error = _first_error(uv_run)
    if not row.accord_ok:
        row.accord_error = _first_error(accord_run)
    if row.uv_ok:
        row.uv_packages = len(_packages(tomllib.loads(uv_lock.read_text())))
    if args.diff is not None:
        saved = args.diff / name
        saved.mkdir(parents=True, exist_ok=True)
        for tool in ("uv", "accord"):
            if (dirs[tool] / "uv.lock").exists():
                shutil.copy(dirs[tool] / "uv.lock", saved / f"{tool}.lock")
            (saved / f"{tool}.out").write_text(runs[tool].stdout + runs[tool].stderr)
    if row.accord_ok:
        row.accord_packages = len(_packages(tomllib.loads(accord_lock.read_text())))
        check_env = dict(env, UV_CACHE_DIR=str(cache / "uv" / name))
        check = _run(
            [str(BIN / "uv"), "lock", "--check"], dirs["accord"], check_env, args.timeout, guard
        )
        row.check_passes = check.ok
        if not check.ok:
            row.check_error = _first_error(check)
        if row.uv_ok:
            _compare(row, uv_lock, accord_lock)


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def _print_header() -> None:
    print(
        f"{'project':<16} {'pkgs':>4} {'uv s':>7} {'MiB':>5} {'accord s':>8} {'MiB':>5} "
        f"{'ratio':>6} {'cache MiB':>9}  {'check':<5} {'vers':<5} {'mark':<5} {'ident':<9} "
        "accord result"
    )


def _print_row(row: Row) -> None:
    ratio = f"{row.ratio:5.2f}x" if row.ratio is not None else "     -"
    uv_s = f"{row.uv_seconds:7.1f}" if row.uv_ok else "  uvERR"
    identical = (
        "-" if row.identical is None else ("yes" if row.identical else f"{row.diff_lines} lines")
    )
    result = "ok" if row.accord_ok else row.accord_error
    if not row.uv_ok:
        result += f"  [uv: {row.uv_error}]"
    if row.check_passes is False:
        result += f"  [check: {row.check_error}]"
    print(
        f"{row.project:<16} {row.uv_packages:>4} {uv_s} {row.uv_rss_mib:5.0f} "
        f"{row.accord_seconds:8.1f} {row.accord_rss_mib:5.0f} {ratio} "
        f"{row.accord_cache_mib:9.0f}  "
        f"{_yes(row.check_passes):<5} {_yes(row.same_versions):<5} "
        f"{_yes(row.same_markers):<5} {identical:<9} {result[:160]}",
        flush=True,
    )


def _print_totals(rows: list[Row]) -> None:
    both = [r for r in rows if r.uv_ok and r.accord_ok]
    uv_total = sum(r.uv_seconds for r in both)
    accord_total = sum(r.accord_seconds for r in both)
    ratio = f"{accord_total / uv_total:.2f}x" if uv_total else "-"
    print(
        f"\n{len(rows)} projects; uv locked {sum(r.uv_ok for r in rows)}, "
        f"accord locked {sum(r.accord_ok for r in rows)}; "
        f"uv lock --check passes {sum(bool(r.check_passes) for r in rows)}; "
        f"same versions {sum(bool(r.same_versions) for r in rows)}; "
        f"same markers {sum(bool(r.same_markers) for r in rows)}; "
        f"identical {sum(bool(r.identical) for r in rows)}"
    )
    print(
        f"where both locked ({len(both)}): uv {uv_total:.1f} s, accord {accord_total:.1f} s "
        f"({ratio}); peak RSS max uv {max((r.uv_rss_mib for r in both), default=0):.0f} MiB, "
        f"accord {max((r.accord_rss_mib for r in both), default=0):.0f} MiB"
    )


def _write_json(path: Path | None, rows: list[Row]) -> None:
    if path is not None:
        path.write_text(json.dumps([dict(asdict(r), ratio=r.ratio) for r in rows], indent=2) + "\n")


def _find_python() -> str | None:
    """The newest CPython that runs: ``python3.X`` on PATH, then pyenv's versions."""
    candidates = [
        found for minor in range(20, 8, -1) if (found := shutil.which(f"python3.{minor}"))
    ]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += [str(p) for p in pyenv.glob("3.*/bin/python3")]
    best: tuple[tuple[int, ...], str] | None = None
    for candidate in candidates:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.executable); print(*sys.version_info[:3])"],
            capture_output=True,
            text=True,
        )
        lines = probe.stdout.split("\n")
        if probe.returncode != 0 or len(lines) < 2 or not lines[0]:
            continue
        version = tuple(int(part) for part in lines[1].split())
        if best is None or version > best[0]:
            best = (version, lines[0])
    return best[1] if best else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated project names")
    parser.add_argument("--jobs", type=int, default=1, help="projects locked at once")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--cold", action="store_true", help="empty each cache first")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per lock")
    parser.add_argument("--json", type=Path, help="write the rows to this file")
    parser.add_argument("--diff", type=Path, help="save both locks per project here")
    parser.add_argument("--python", help="interpreter whose directory goes first on PATH")
    parser.add_argument(
        "--discard-cache", action="store_true", help="delete each project's caches after it"
    )
    parser.add_argument(
        "--min-free-gib",
        type=float,
        default=10.0,
        help="kill a lock when the cache's disk has less free space than this",
    )
    args = parser.parse_args()
    projects = sorted(p for p in CORPUS.iterdir() if (p / "pyproject.toml").is_file())
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - {p.name for p in projects}
        if unknown:
            raise SystemExit(f"unknown project(s): {', '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in wanted]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "ACCORD_")) and k != "VIRTUAL_ENV"
    }
    env["ACCORD_WARM"] = "0"  # each lock in its own process: its time and peak memory its own
    python = args.python or _find_python()
    if python is not None:
        env["PATH"] = os.pathsep.join([str(Path(python).parent), env.get("PATH", "")])
    if args.diff is not None:
        args.diff.mkdir(parents=True, exist_ok=True)
    print(
        f"{len(projects)} projects, {args.jobs} at a time; cache {args.cache} "
        f"({'cold' if args.cold else 'as left'}); interpreter {python or 'from PATH'}; "
        f"timeout {args.timeout:.0f} s",
        flush=True,
    )
    rows: list[Row] = []
    args.cache.mkdir(parents=True, exist_ok=True)
    guard = DiskGuard(args.cache, args.min_free_gib)
    work = Path(tempfile.mkdtemp(prefix="accord-lock-corpus-"))
    try:
        _print_header()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(_lock_one, p, args, env, work, guard) for p in projects]
            for future in concurrent.futures.as_completed(futures):
                row = future.result()
                rows.append(row)
                _print_row(row)
                _write_json(args.json, rows)  # after every project: a long run may be cut short
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows.sort(key=lambda r: r.project)
    _print_totals(rows)
    _write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
