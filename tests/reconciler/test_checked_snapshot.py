"""The checked snapshot (``.accord-checked``): a dist that checked clean against its RECORD is
vouched for by its RECORD and the directories holding its files, and is not looked at file
by file again while they are unchanged. Real wheels, a real venv, the real observe stage."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from accord.model.observed import InstalledDist
from accord.model.plan import FilesModified, Replace
from accord.reconciler.install.checked import (
    SNAPSHOT_NAME,
    _joined,
    read_checked,
    write_checked,
)
from accord.reconciler.install.observe import observe_checked
from fixtures.wheels import WheelSpec
from tests.reconciler.envs import Env

_SPEC = WheelSpec(
    "mod",
    "0.1.0",
    files={
        "mod/__init__.py": "__version__ = '0.1.0'\n",
        "mod/sub/core.py": "VALUE = 1\n",
        "single.py": "X = 1\n",
    },
    entry_points={"console_scripts": {"mod-tool": "mod:main"}},
)


def _age(root: Path, seconds: float = 60.0) -> None:
    """Every directory and file under ``root`` modified ``seconds`` ago: out of the window in
    which a change could hide in the same tick of the file system's clock."""
    then = time.time() - seconds
    for directory, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(directory, name), (then, then), follow_symlinks=False)
        os.utime(directory, (then, then))


def _keep_checked(env: Env) -> None:
    """Observe as a sync does, and keep what vouches, as a sync does after applying."""
    _, vouched = observe_checked(env.venv)
    write_checked(env.venv, vouched, ())


def _synced(env: Env) -> Env:
    env.sync(env.wheel(_SPEC))
    _age(env.venv)
    _keep_checked(env)
    return env


def _dist(env: Env) -> InstalledDist:
    """The one dist of the environment, as observation sees it now."""
    observed, _ = observe_checked(env.venv)
    (dist,) = observed.dists
    return dist


def _problem(env: Env) -> str | None:
    return _dist(env).record_problem


def test_a_dist_that_checked_clean_is_kept_with_its_directories(env: Env) -> None:
    _synced(env)

    (entry,) = read_checked(env.venv).values()
    assert sorted(entry.dirs) == ["mod", "mod-0.1.0.dist-info", "mod/sub"]
    # site-packages itself and the scripts directory change with every install: their files
    # are looked at one by one.
    assert sorted(entry.loose) == ["../../../bin/mod-tool", "single.py"]


def test_the_snapshot_vouches_while_the_directories_are_unchanged(env: Env) -> None:
    _synced(env)
    core = env.site / "mod" / "sub" / "core.py"
    before = os.stat(core.parent)
    core.unlink()  # a hardlink into the cache: never edited in place
    core.write_text("VALUE = 'a longer value'\n")
    os.utime(core.parent, ns=(before.st_atime_ns, before.st_mtime_ns))

    # What the trade-off leaves unseen: a file replaced with its directory's time put back.
    assert _problem(env) is None
    (env.venv / SNAPSHOT_NAME).unlink()
    assert _problem(env) == "mod/sub/core.py was modified"


def test_a_file_removed_changes_its_directory_and_is_found(env: Env) -> None:
    _synced(env)
    (env.site / "mod" / "sub" / "core.py").unlink()

    plan = env.plan(env.wheel(_SPEC))

    assert [(type(a), a.reason) for a in plan.actions] == [
        (Replace, FilesModified("mod/sub/core.py is missing"))
    ]


def test_a_directory_removed_is_found(env: Env) -> None:
    _synced(env)
    for name in os.listdir(env.site / "mod" / "sub"):
        os.unlink(env.site / "mod" / "sub" / name)
    os.rmdir(env.site / "mod" / "sub")

    assert _problem(env) == "mod/sub/core.py is missing"


def test_loose_files_are_looked_at_one_by_one(env: Env) -> None:
    _synced(env)
    site_packages = os.stat(env.site)
    (env.site / "single.py").unlink()
    os.utime(env.site, ns=(site_packages.st_atime_ns, site_packages.st_mtime_ns))
    assert _problem(env) == "single.py is missing"


def test_a_script_removed_is_found(env: Env) -> None:
    _synced(env)
    (env.venv / "bin" / "mod-tool").unlink()
    assert _problem(env) == "../../../bin/mod-tool is missing"


def test_a_directory_changed_lately_does_not_vouch(env: Env) -> None:
    env.sync(env.wheel(_SPEC))  # just installed: its directories are seconds old

    _, vouched = observe_checked(env.venv)

    assert vouched == {}


def test_a_directory_touched_lately_does_not_vouch(env: Env) -> None:
    _synced(env)
    os.utime(env.site / "mod" / "sub")  # now: a change in this tick would not show

    observed, vouched = observe_checked(env.venv)

    assert observed.dists[0].record_problem is None
    assert vouched == {}


def test_a_record_touched_lately_does_not_vouch(env: Env) -> None:
    _synced(env)
    os.utime(env.site / "mod-0.1.0.dist-info" / "RECORD")  # its directory stays as it was

    observed, vouched = observe_checked(env.venv)

    assert observed.dists[0].record_problem is None
    assert vouched == {}


def test_an_entry_as_new_as_the_snapshot_does_not_vouch(env: Env) -> None:
    # The file system's clock decides, not this machine's: a directory whose time is within
    # two seconds of the snapshot's own may have changed again in the same tick.
    _synced(env)
    _replace_unseen(env, "mod/sub/core.py", "VALUE = 'a longer value'\n")
    assert _problem(env) is None
    then = os.stat(env.site / "mod" / "sub").st_mtime + 1
    os.utime(env.venv / SNAPSHOT_NAME, (then, then))
    assert _problem(env) == "mod/sub/core.py was modified"


def test_a_rewritten_record_does_not_vouch(env: Env) -> None:
    _synced(env)
    record = env.site / "mod-0.1.0.dist-info" / "RECORD"
    text = record.read_text()
    record.unlink()
    record.write_text(text)  # another file now, as any install writes it

    _, vouched = observe_checked(env.venv)

    assert vouched == {}  # checked in full, and too fresh to vouch


def _replace_unseen(env: Env, relative: str, text: str) -> None:
    """Replace a file with another of another size and put its directory's times back: what
    a snapshot vouching for the dist does not see."""
    path = env.site / relative
    before = os.stat(path.parent)
    path.unlink()
    path.write_text(text)
    os.utime(path.parent, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_snapshot_that_is_not_one_is_ignored(env: Env) -> None:
    _synced(env)
    _replace_unseen(env, "mod/sub/core.py", "VALUE = 'a longer value'\n")
    assert _problem(env) is None  # the snapshot vouches
    path = env.venv / SNAPSHOT_NAME
    kept = json.loads(path.read_text())
    for garbage in (
        "not json",
        "[" * 100_000,  # nested too deep for the parser
        json.dumps({"version": 1, "dists": kept["dists"]}),  # another version
        json.dumps({"version": kept["version"], "dists": []}),
    ):
        path.write_text(garbage)
        os.utime(path, (time.time(), time.time()))
        assert _problem(env) == "mod/sub/core.py was modified"


def test_entries_of_another_shape_vouch_for_nothing(env: Env) -> None:
    _synced(env)
    _replace_unseen(env, "mod/sub/core.py", "VALUE = 'a longer value'\n")
    path = env.venv / SNAPSHOT_NAME
    kept = json.loads(path.read_text())
    entry = kept["dists"]["mod-0.1.0.dist-info"]
    for part, broken in (
        ("dirs", {"mod/sub": "yesterday"}),
        ("dirs", ["mod/sub"]),
        ("record", "RECORD"),
        ("loose", {"single.py": "6"}),
        ("loose", {"single.py": True}),
        ("facts", {**entry["facts"], "name": 5}),
        ("facts", []),
    ):
        path.write_text(
            json.dumps({**kept, "dists": {"mod-0.1.0.dist-info": {**entry, part: broken}}})
        )
        observed, _ = observe_checked(env.venv)
        assert [d.record_problem for d in observed.dists] == ["mod/sub/core.py was modified"], part


def test_a_loose_file_of_another_size_is_found(env: Env) -> None:
    _synced(env)
    _replace_unseen(env, "single.py", "X = 'a longer value'\n")
    assert _problem(env) == "single.py was modified"


def test_a_directory_replaced_by_a_copy_is_found(env: Env) -> None:
    _synced(env)
    sub = env.site / "mod" / "sub"
    times = {path: os.stat(path) for path in (sub, sub.parent)}
    shutil.copytree(sub, sub.parent / "copy")
    shutil.rmtree(sub)
    (sub.parent / "copy").rename(sub)
    (sub / "core.py").write_text("VALUE = 'a longer value'\n")
    for path, status in times.items():  # the same times: only the inode tells
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert _problem(env) == "mod/sub/core.py was modified"


def test_a_record_that_lists_no_dist_info_file_still_guards_it(env: Env) -> None:
    env.sync(env.wheel(_SPEC))
    record = env.site / "mod-0.1.0.dist-info" / "RECORD"
    rows = [line for line in record.read_text().splitlines() if ".dist-info/" not in line]
    record.unlink()
    record.write_text("\n".join(rows) + "\n")
    _age(env.venv)
    _keep_checked(env)
    metadata = env.site / "mod-0.1.0.dist-info" / "METADATA"
    text = metadata.read_text().replace("Version: 0.1.0", "Version: 9.9.9")
    metadata.unlink()
    metadata.write_text(text)

    observed, _ = observe_checked(env.venv)

    assert [str(dist.version) for dist in observed.dists] == ["9.9.9"]


def test_a_record_path_with_a_trailing_slash_is_the_file(env: Env) -> None:
    env.sync(env.wheel(_SPEC))
    record = env.site / "mod-0.1.0.dist-info" / "RECORD"
    text = record.read_text().replace("mod/sub/core.py,", "mod/sub/core.py/,")
    record.unlink()
    record.write_text(text)
    assert _problem(env) is None  # as pathlib joins it: observation always read it so


def test_untrusted_observation_looks_at_every_file(env: Env) -> None:
    _synced(env)
    _replace_unseen(env, "mod/sub/core.py", "VALUE = 'a longer value'\n")
    observed, vouched = observe_checked(env.venv, trust=False)
    assert [d.record_problem for d in observed.dists] == ["mod/sub/core.py was modified"]
    assert vouched == {}


def test_fact_files_are_read_with_text_line_ends(env: Env) -> None:
    env.sync(env.wheel(_SPEC))
    (env.site / "mod-0.1.0.dist-info" / "uv_build.json").write_bytes(b'{"a":\r\n1}\r\n')
    observed, _ = observe_checked(env.venv)
    assert [d.uv_build for d in observed.dists] == ['{"a":\n1}']


def test_dists_changed_by_the_sync_are_left_out(env: Env) -> None:
    _synced(env)
    _, vouched = observe_checked(env.venv)
    assert list(vouched) == ["mod-0.1.0.dist-info"]

    write_checked(env.venv, vouched, {"mod-0.1.0.dist-info"})

    assert not (env.venv / SNAPSHOT_NAME).exists()


def test_what_the_dist_info_said_is_kept_and_vouched_for_with_it(env: Env) -> None:
    _synced(env)
    (entry,) = read_checked(env.venv).values()
    assert (entry.facts["name"], entry.facts["version"]) == ("mod", "0.1.0")
    assert entry.facts["installer"] == "accord"
    installer = env.site / "mod-0.1.0.dist-info" / "INSTALLER"
    before = os.stat(installer.parent)
    installer.unlink()
    installer.write_text("pip\n")
    os.utime(installer.parent, ns=(before.st_atime_ns, before.st_mtime_ns))

    assert _dist(env).installer == "accord"  # the snapshot vouches: the file is not read
    os.utime(installer.parent)  # the directory changed: read again
    assert _dist(env).installer == "pip"


def test_facts_of_another_shape_are_read_again(env: Env) -> None:
    _synced(env)
    path = env.venv / SNAPSHOT_NAME
    kept = json.loads(path.read_text())
    facts = kept["dists"]["mod-0.1.0.dist-info"]["facts"]
    del facts["installer"]
    path.write_text(json.dumps(kept))

    observed, vouched = observe_checked(env.venv)

    assert [(d.name, d.installer) for d in observed.dists] == [("mod", "accord")]
    assert observed.unreadable == ()
    assert vouched["mod-0.1.0.dist-info"].facts["installer"] == "accord"
    facts["version"] = "not a version"
    path.write_text(json.dumps(kept))
    assert [str(d.version) for d in observe_checked(env.venv)[0].dists] == ["0.1.0"]


def test_a_record_path_with_a_nul_is_missing_not_a_crash(env: Env) -> None:
    env.sync(env.wheel(_SPEC))
    record = env.site / "mod-0.1.0.dist-info" / "RECORD"
    text = record.read_text()
    record.unlink()
    record.write_text(text + "mod/a\x00b/c.py,,\n")
    assert _problem(env) == "mod/a\x00b/c.py is missing"


@given(relative=st.text(alphabet="a./", max_size=12))
def test_a_record_path_is_joined_as_pathlib_joins_it(relative: str) -> None:
    site = "/venv/lib/python3.11/site-packages"
    assert _joined(site, relative) == os.fspath(Path(site, relative))
