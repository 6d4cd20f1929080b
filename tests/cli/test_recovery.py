"""After an interrupted sync: the next run repairs the environment and leaves no litter."""

from __future__ import annotations

from accord.reconciler.fastpath import STAMP_NAME
from fixtures import MakeProject
from tests.cli.support import Cli


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
    assert sorted(p.name for p in venv.iterdir() if p.name.startswith(".accord")) == [STAMP_NAME]
