"""A uv.lock that cannot be read is never overwritten: accord and uv 0.13.8 side by side.

For each damaged lock, `accord run --frozen`, `accord run` and `accord lock` (with an index that
would let them resolve) must exit 2 with an `error:` naming the file, print no traceback, and
leave the lock byte for byte as it was; uv does the same (exit 2, file untouched).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args)


def _damage(kind: str) -> Callable[[Path], None]:
    def damage(lock: Path) -> None:
        text = lock.read_text(encoding="utf-8")
        if kind == "truncated":
            lock.write_text(text[:300], encoding="utf-8")
        elif kind == "empty":
            lock.write_text("", encoding="utf-8")
        elif kind == "not-toml":
            lock.write_text("<html>hello</html>\n", encoding="utf-8")
        elif kind == "version-2":
            lock.write_text(text.replace("version = 1", "version = 2", 1), encoding="utf-8")
        elif kind == "hash-as-path":
            start = text.index('hash = "sha256:') + len('hash = "sha256:')
            lock.write_text(text[:start] + "../../some/dir" + text[start + 64 :], encoding="utf-8")
        elif kind == "not-utf8":
            lock.write_bytes(text.encode() + b"# \xff\xfe\n")
        elif kind == "directory":
            lock.unlink()
            lock.mkdir()
            (lock / "keep").write_text("x", encoding="utf-8")

    return damage


def _snapshot(lock: Path) -> object:
    if lock.is_dir():
        return sorted(p.name for p in lock.iterdir())
    return lock.read_bytes()


KINDS = [
    "truncated",
    "empty",
    "not-toml",
    "version-2",
    "hash-as-path",
    "not-utf8",
    "directory",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "command",
    [
        ("run", "--frozen", "python", "-c", "pass"),
        ("run", "python", "-c", "pass"),
        ("lock",),
    ],
    ids=["run-frozen", "run", "lock"],
)
def test_an_unreadable_lock_stops_accord_and_uv_and_is_left_alone(
    cli: Cli, make_project: MakeProject, kind: str, command: tuple[str, ...]
) -> None:
    project = make_project("minimal")
    lock = project / "uv.lock"
    _damage(kind)(lock)
    before = _snapshot(lock)

    accord = _accord(cli, project, command[0], "--python", str(cli.python), *command[1:])

    assert "Traceback" not in accord.stderr
    assert accord.returncode == 2, accord.stderr
    errors = [line for line in accord.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, accord.stderr
    assert _snapshot(lock) == before
    if command[:2] == ("run", "--frozen"):
        assert not (project / ".venv").exists()  # (uv creates it before reading the lock)

    uv = cli.uv(project, *command)
    assert uv.returncode == 2, uv.stderr
    assert _snapshot(lock) == before
    if kind in ("not-utf8", "directory"):
        # accord names the file by its whole path, and the byte at fault by line and column.
        assert str(lock.resolve()) in errors[0], accord.stderr
    else:
        # uv's error line (the file as uv names it; the place and the reason in a cause block
        # below, whose wording of TOML syntax errors is uv's for the common mistakes only).
        assert errors == [line for line in uv.stderr.splitlines() if line.startswith("error:")]
