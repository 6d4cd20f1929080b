"""Measure the suite's line coverage of `model/` and `reconciler/`, subprocesses included.

On demand, not in CI (it slows every `accord` subprocess down):

    .venv-dev/bin/python -m pip install -e '.[coverage]'
    ACCORD_FIXTURE_BACKENDS=$PWD/.ci-wheels .venv-dev/bin/python tests/coverage_report.py \
        [--out report.txt] [--branch] [-- PYTEST_ARGS...]

Most of accord runs in subprocesses: the CLI tests start the real `accord` console script, and
accord replaces itself with the command (`os.execve`). coverage (7.10 or newer) follows both
with `patch = subprocess, execv, _exit`: the `a1_coverage.pth` that coverage's wheel installs
starts measuring in every Python process of this interpreter that sees
`$COVERAGE_PROCESS_CONFIG`, and `execv` saves the data before accord execs the command. The CLI
tests keep that variable (they drop only `PYTHON*`, `UV_*` and `ACCORD_*` ones). Processes of
the project environments the tests create import no accord code, so nothing is lost there.

One side effect: the execve patch adds `COVERAGE_PROCESS_CONFIG` to the command's environment,
so a test that prints the command's whole environment can differ under measurement.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RCFILE = """\
[run]
parallel = true
branch = {branch}
data_file = {data}
source =
    {root}/model
    {root}/reconciler
patch =
    subprocess
    execv
    _exit

[report]
show_missing = true
skip_empty = true
precision = 1
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the per-module report here")
    parser.add_argument("--branch", action="store_true", help="measure branches too")
    parser.add_argument("--keep", type=Path, help="keep the combined data file here")
    parser.add_argument("pytest_args", nargs="*", help="after `--`: passed to pytest")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="accord-coverage-") as scratch:
        rcfile = Path(scratch, "coveragerc")
        data = Path(scratch, ".coverage")
        rcfile.write_text(
            RCFILE.format(branch=str(args.branch).lower(), data=data, root=ROOT), encoding="utf-8"
        )
        coverage = [sys.executable, "-m", "coverage"]
        tests = subprocess.run(
            [*coverage, "run", f"--rcfile={rcfile}", "-m", "pytest", "-q", *args.pytest_args],
            cwd=ROOT,
            check=False,
        )
        subprocess.run([*coverage, "combine", f"--rcfile={rcfile}", "-q"], cwd=ROOT, check=True)
        report = subprocess.run(
            [*coverage, "report", f"--rcfile={rcfile}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        print(report.stdout, end="")
        if args.out is not None:
            args.out.write_text(report.stdout, encoding="utf-8")
        if args.keep is not None:
            args.keep.write_bytes(data.read_bytes())
    # The report is the product; a failing test is worth knowing about, but it is pytest's
    # summary above that says which.
    return tests.returncode


if __name__ == "__main__":
    sys.exit(main())
