"""After an interrupted sync: the next run repairs the environment and leaves no litter."""

from __future__ import annotations

import subprocess
import sys

from accord.reconciler.fastpath import STAMP_NAME
from fixtures import MakeProject
from tests.cli.support import Cli

SLOW = {"ACCORD_NO_FAST_PATH": "1"}


def test_recovery_stash_left_by_a_killed_replacement_is_removed(
    cli: Cli, make_project: MakeProject
) -> None:
    # A replacement killed after the new version was in place, before its stash was deleted:
    # the plan is empty, and the stamp was dropped before the changes began.
    project = make_project("minimal")
    cli.sync(project)
    venv = project / ".venv"
    stash = venv / ".accord-stash-abc123" / "pkg-x1"
    stash.mkdir(parents=True)
    (stash / "0-__init__.py").write_text('__version__ = "0.9"\n')
    (venv / STAMP_NAME).unlink()

    result = cli.run(
        project, "--frozen", "--", "python", "-c", "import pkg; print(pkg.__version__)"
    )

    assert (result.returncode, result.stdout) == (0, "1.0\n"), result.stderr
    left = sorted(p.name for p in venv.iterdir() if p.name.startswith(".accord"))
    assert left in ([STAMP_NAME], [".accord-checked", STAMP_NAME]), left


def test_recovery_an_environment_killed_half_made_or_half_removed_leaves_no_litter(
    cli: Cli, make_project: MakeProject
) -> None:
    """What `kill -9` leaves while `.venv` is assembled (`..venv.tmp-*`) or removed (the old
    one renamed aside, `..venv.removing-*`) is removed when `.venv` is made next; a directory
    of that name a live process holds (one assembling it right now) is left alone."""
    project = make_project("minimal")
    (project / "..venv.tmp-killed" / ".venv" / "bin").mkdir(parents=True)
    aside = project / "..venv.removing-killed" / ".venv" / "lib"
    aside.mkdir(parents=True)
    (aside / "module.py").write_text("x = 1\n")
    held = project / "..venv.tmp-held"
    held.mkdir()
    code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(held)!r}, os.O_RDONLY | os.O_DIRECTORY)\n"
        "fcntl.flock(fd, fcntl.LOCK_SH)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        # The slow path (the replay of a recipe makes `.venv` its own way).
        made = cli.run(project, "--frozen", "python", "-c", "pass", env=SLOW)
        assert made.returncode == 0, made.stderr
    finally:
        holder.communicate(timeout=30)

    litter = sorted(p.name for p in project.iterdir() if p.name.startswith("."))
    assert litter == ["..venv.tmp-held", ".venv"]
