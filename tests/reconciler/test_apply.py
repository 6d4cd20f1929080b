"""The apply stage on its own: real wheels into a real venv, through observe → diff → apply.

What a user relies on: the installed RECORD is complete and true (pip and uv uninstall from it,
accord's next observe checks it), a failed install leaves nothing behind, a failed
replacement puts the old version back, a replacement never runs the old version's bytecode,
and what an interrupted replacement left is cleaned by the next sync.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from accord.model.plan import FilesModified, Install, Replace
from accord.reconciler.errors import DistributionInvalid
from accord.reconciler.fetch.artifacts import unpack_wheel
from fixtures.wheels import WheelSpec
from tests.cli.support import clean_environment
from tests.reconciler.envs import Env, listing, record_problems

TOOL = WheelSpec(
    "tool",
    "1.0",
    entry_points={
        "console_scripts": {"tool-cli": "tool:main"},
        "gui_scripts": {"tool-gui": "tool:main"},
    },
    files={
        "tool/__init__.py": 'def main():\n    print("tool 1.0")\n',
        "tool/data/table.txt": "a table\n",
    },
    data={"scripts/tool-raw": "#!python\nprint('raw')\n", "data/share/tool/doc.txt": "doc\n"},
)


def _python(env: Env, code: str) -> str:
    result = subprocess.run(
        [str(env.venv / "bin" / "python"), "-c", code],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_apply_writes_a_record_that_lists_every_file_with_its_hash(env: Env) -> None:
    plan = env.sync(env.wheel(TOOL))

    assert [type(action) for action in plan.actions] == [Install]
    assert record_problems(env.site, "tool-1.0.dist-info") == []
    rows = (env.site / "tool-1.0.dist-info" / "RECORD").read_text().splitlines()
    # Every generated script is recorded (with the hash checked above), and RECORD itself.
    for script in ("tool-cli", "tool-gui", "tool-raw"):
        assert any(row.startswith(f"../../../bin/{script},sha256=") for row in rows), rows
    assert "tool-1.0.dist-info/RECORD,," in rows
    assert (
        subprocess.run(
            [str(env.venv / "bin" / "tool-cli")], capture_output=True, text=True, check=True
        ).stdout
        == "tool 1.0\n"
    )


def test_apply_record_is_what_pip_uninstalls_by(env: Env, base_python: Path) -> None:
    env.sync(env.wheel(TOOL))
    before = set(listing(env.venv))
    # pip, in the venv, from the outside: it reads only RECORD to know what to delete.
    subprocess.run(
        [
            str(base_python),
            "-m",
            "pip",
            "--python",
            str(env.venv / "bin" / "python"),
            "uninstall",
            "--yes",
            "--quiet",
            "tool",
        ],
        env=clean_environment(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    left = {path for path in set(listing(env.venv)) if "tool" in path}
    assert left <= {"share/tool"} | {p for p in before if p.endswith("/__pycache__")}, left


def test_apply_then_observe_gives_an_empty_plan(env: Env) -> None:
    dist = env.wheel(TOOL)
    env.sync(dist)
    assert env.plan(dist).is_empty


def test_apply_failed_install_leaves_no_partial_files(env: Env) -> None:
    env.sync(env.wheel(WheelSpec("base", "1.0")))
    before = listing(env.venv)
    broken = WheelSpec(
        "broken",
        "1.0",
        entry_points={"console_scripts": {"broken": "not a valid entry point!"}},
        data={"scripts/broken-raw": "#!python\n", "data/share/broken/x.txt": "x\n"},
    )
    with pytest.raises(DistributionInvalid, match="Invalid entry point"):
        env.sync(env.wheel(WheelSpec("base", "1.0")), env.wheel(broken))
    assert listing(env.venv) == before


def _same_size_versions(env: Env) -> tuple[WheelSpec, WheelSpec]:
    # Same-size modules: a stale .pyc checks only the source's size and mtime.
    return WheelSpec("mod", "0.1.0"), WheelSpec("mod", "0.2.0")


def test_apply_failed_replacement_restores_the_old_version(env: Env) -> None:
    old, _ = _same_size_versions(env)
    first = env.wheel(old)
    env.sync(first)
    assert _python(env, "import mod; print(mod.__version__)") == "0.1.0"  # and its bytecode
    before = listing(env.venv)
    broken = WheelSpec(
        "mod",
        "0.2.0",
        entry_points={"console_scripts": {"mod": "not a valid entry point!"}},
    )
    with pytest.raises(DistributionInvalid, match="Invalid entry point"):
        env.sync(env.wheel(broken))

    assert listing(env.venv) == before
    assert _python(env, "import mod; print(mod.__version__)") == "0.1.0"
    assert env.plan(first).is_empty


def test_apply_failed_replacement_by_a_fault_restores_the_old_version(env: Env) -> None:
    # Not a bad wheel: the environment itself is in the way (a directory where the new
    # version's script goes), so the install fails half-way through writing.
    old = env.wheel(WheelSpec("mod", "0.1.0"))
    env.sync(old)
    (env.venv / "bin" / "mod-cli" / "in-the-way").mkdir(parents=True)
    before = listing(env.venv)
    new = env.wheel(
        WheelSpec("mod", "0.2.0", entry_points={"console_scripts": {"mod-cli": "mod:main"}})
    )
    with pytest.raises(IsADirectoryError):
        env.sync(new)
    assert listing(env.venv) == before
    assert _python(env, "import mod; print(mod.__version__)") == "0.1.0"


def test_apply_replacement_never_runs_the_old_bytecode(env: Env) -> None:
    old, new = _same_size_versions(env)
    first, second = env.wheel(old), env.wheel(new)
    env.sync(first)
    # The worst case, made certain: the new module has the old one's size (always, here) and
    # mtime (here on purpose; in life, both unpacked within one second).
    new_tree = unpack_wheel(Path(second.artifact.url[len("file://") :]), env.cache).tree
    stamp = os.stat(new_tree / "mod" / "__init__.py").st_mtime_ns
    installed = env.site / "mod" / "__init__.py"
    os.utime(installed, ns=(stamp, stamp))
    assert _python(env, "import mod; print(mod.__version__)") == "0.1.0"
    assert any((env.site / "mod" / "__pycache__").iterdir())

    plan = env.sync(second)

    assert [type(action) for action in plan.actions] == [Replace]
    assert _python(env, "import mod; print(mod.__version__)") == "0.2.0"


def test_apply_cleans_what_an_interrupted_replacement_stashed(env: Env) -> None:
    env.sync(env.wheel(WheelSpec("mod", "0.1.0")))
    litter = env.venv / ".accord-stash-k1ll3d" / "mod-x1"
    litter.mkdir(parents=True)
    (litter / "0-__init__.py").write_text('__version__ = "0.0.1"\n')

    env.sync(env.wheel(WheelSpec("mod", "0.2.0")))

    assert [p.name for p in env.venv.iterdir() if p.name.startswith(".accord")] == []


# --- observe, as the next run sees what apply left -----------------------------------------


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("record", "RECORD is missing"),
        ("modified", "mod/__init__.py was modified"),
        ("missing", "mod/__init__.py is missing"),
    ],
)
def test_observe_sees_damage_and_the_next_sync_repairs_it(
    env: Env, damage: str, reason: str
) -> None:
    dist = env.wheel(WheelSpec("mod", "0.1.0"))
    env.sync(dist)
    target = env.site / "mod" / "__init__.py"
    if damage == "record":
        (env.site / "mod-0.1.0.dist-info" / "RECORD").unlink()
    elif damage == "modified":
        target.unlink()  # a hardlink into the cache: never edit it in place
        target.write_text("__version__ = 'edited by hand'\n")
    else:
        target.unlink()

    plan = env.plan(dist)

    assert [(type(a), a.reason) for a in plan.actions] == [(Replace, FilesModified(reason))]
    env.sync(dist)
    assert env.plan(dist).is_empty
    assert _python(env, "import mod; print(mod.__version__)") == "0.1.0"


def test_a_removal_deletes_files_and_bytecode_and_prunes_only_what_it_emptied(env: Env) -> None:
    nested = WheelSpec(
        "deep",
        "1.0",
        files={
            "deep/__init__.py": "",
            "deep/a/__init__.py": "",
            "deep/a/b/core.py": "X = 1\n",
            "deep/a/b/other.py": "Y = 2\n",
            "shared_ns/part.py": "Z = 3\n",
        },
        entry_points={"console_scripts": {"deep-tool": "deep:main"}},
    )
    env.sync(env.wheel(nested))
    _python(env, "import deep.a.b.core, deep.a.b.other, shared_ns.part; print()")
    assert len(list((env.site / "deep" / "a" / "b" / "__pycache__").iterdir())) == 2
    (env.site / "shared_ns" / "mine.txt").write_text("not the package's\n")

    plan = env.sync(exact=True)

    assert [type(action).__name__ for action in plan.actions] == ["Remove"]
    # The bytecode went with its modules, and every directory it emptied with them.
    left = {path for path in listing(env.site) if path.startswith(("deep", "shared_ns"))}
    assert left == {"shared_ns", "shared_ns/mine.txt"}
    assert not (env.venv / "bin" / "deep-tool").exists()
