"""Concurrent `accord run` on one project: the environment's lock lives with the environment.

Eight runs started together, each with its own `ACCORD_CACHE_DIR` (so nothing in a cache can
serialise them), on a project with no environment yet (and, in one case, no lock): all eight
succeed, and the environment they leave is complete (`--dry-plan --check` finds nothing to do).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment, installed

RUNS = 8


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "without-lock"])
def test_concurrency_eight_runs_with_different_caches_all_succeed(
    cli: Cli, make_project: MakeProject, tmp_path: Path, locked: bool
) -> None:
    project = make_project("minimal", lock=locked)
    args = cli.argv("--", "python", "-c", "import pkg; print(pkg.__version__)")
    runs = [
        subprocess.Popen(
            args,
            cwd=project,
            env=clean_environment(
                {
                    "ACCORD_CACHE_DIR": str(tmp_path / f"cache-{number}"),
                    "ACCORD_INDEX_URL": cli.index_url,
                }
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(RUNS)
    ]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]

    assert [code for code, _, _ in results] == [0] * RUNS, [err for _, _, err in results]
    assert [out for _, out, _ in results] == ["1.0\n"] * RUNS
    assert "Traceback" not in "".join(err for _, _, err in results)
    assert installed(project) == {"pkg": "1.0"}
    check = cli.run(project, "--dry-plan", "--check", "--frozen", "python", "-c", "pass")
    assert check.returncode == 0, check.stdout + check.stderr
    assert not [p.name for p in project.iterdir() if p.name.startswith(".venv.")]
