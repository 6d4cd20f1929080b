"""`[tool.uv] prerelease-package` and `--prerelease-package`: accord's lock against uv 0.13.8's.

uv 0.13.8 takes a table of package = mode (and `--prerelease-package PACKAGE=MODE`, the flag's
entries over the table's, package by package); the mode of a package replaces `prerelease`
for it alone, transitive packages included. uv records the table in `[options.prerelease-package]`
(names normalized, sorted; `if-necessary-or-explicit` written `if-necessary`), and a lock made
under other per-package modes is relocked.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.support import Cli, clean_environment, write_project
from tests.cli.test_settings_resolution import (  # the settings index, served once
    _accord,
    _lock_both,
    _pyproject,
    _uv_env,
    _versions,
    scli,
    settings_index,
)

__all__ = ["scli", "settings_index"]

BOTH = '"st-pre", "st-beta"'


@pytest.mark.parametrize(
    ("dependencies", "settings", "expected", "recorded"),
    [
        pytest.param(
            BOTH,
            'prerelease-package = { st-pre = "allow" }',
            {"st-pre": ["2.0a1"], "st-beta": ["1.0"]},
            '[options.prerelease-package]\nst-pre = "allow"\n',
            id="one-package-allowed",
        ),
        pytest.param(
            BOTH,
            'prerelease = "allow"\nprerelease-package = { st-pre = "disallow" }',
            {"st-pre": ["1.0"], "st-beta": ["2.0b1"]},
            'prerelease-mode = "allow"\n\n[options.prerelease-package]\nst-pre = "disallow"\n',
            id="over-the-global-mode",
        ),
        pytest.param(
            BOTH,
            'prerelease-package = { ST_Beta = "allow", "st.pre" = "if-necessary-or-explicit" }',
            {"st-pre": ["1.0"], "st-beta": ["2.0b1"]},
            '[options.prerelease-package]\nst-beta = "allow"\nst-pre = "if-necessary"\n',
            id="names-normalized-and-sorted",
        ),
        pytest.param(
            '"st-pretop"',
            'prerelease-package = { st-pre = "allow", st-absent = "allow" }',
            {"st-pre": ["2.0a1"]},
            '[options.prerelease-package]\nst-absent = "allow"\nst-pre = "allow"\n',
            id="transitive-and-absent",
        ),
        pytest.param(
            '"st-pre>=2.0a1"',
            'prerelease = "disallow"\nprerelease-package = { st-pre = "explicit" }',
            {"st-pre": ["2.0a1"]},
            '[options.prerelease-package]\nst-pre = "explicit"\n',
            id="explicit-under-disallow",
        ),
    ],
)
def test_prerelease_package_locks_like_uv(
    scli: Cli,
    tmp_path: Path,
    dependencies: str,
    settings: str,
    expected: dict[str, list[str]],
    recorded: str,
) -> None:
    theirs, ours = _lock_both(scli, tmp_path, _pyproject(dependencies, settings))
    assert ours == theirs
    assert recorded in ours
    for name, versions in expected.items():
        assert _versions(ours, name) == versions


def _run(cli: Cli, project: Path, *args: str, uv: bool) -> subprocess.CompletedProcess[str]:
    if uv:
        command, env = [str(cli.uv_bin), "lock", *args], _uv_env(cli, project)
    else:
        command = [str(cli.accord), "lock", *args, "--python", str(cli.python)]
        env = clean_environment({"ACCORD_INDEX_URL": cli.index_url})
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_flag_adds_to_the_table_and_wins_like_uv(scli: Cli, tmp_path: Path) -> None:
    text = _pyproject(BOTH, 'prerelease-package = { st-pre = "allow", st-beta = "disallow" }')
    args = ("--prerelease-package", "st-beta=allow", "--prerelease-package", "st-pre=disallow")
    locks = []
    for tool in ("uv", "accord"):
        project = write_project(tmp_path, tool, text)
        result = _run(scli, project, *args, uv=tool == "uv")
        assert result.returncode == 0, result.stderr
        locks.append((project / "uv.lock").read_text(encoding="utf-8"))
    assert locks[0] == locks[1]
    assert _versions(locks[1], "st-pre") == ["1.0"]
    assert _versions(locks[1], "st-beta") == ["2.0b1"]


@pytest.mark.parametrize(
    ("after", "stale"),
    [
        ('prerelease-package = { st-pre = "allow" }', False),
        ('prerelease-package = { st-pre = "disallow" }', True),
        # Not yet: with the table gone, uv keeps the locked `st-pre 2.0a1` (a pre-release
        # preference survives the default mode); accord's resolver goes back to 1.0.
        ('prerelease-package = { st-pre = "allow", st-beta = "allow" }', True),
    ],
)
def test_a_changed_table_relocks_like_uv(
    scli: Cli, tmp_path: Path, after: str, stale: bool
) -> None:
    before = _pyproject(BOTH, 'prerelease-package = { st-pre = "allow" }')
    locks = []
    for tool in ("uv", "accord"):
        project = write_project(tmp_path, tool, before)
        assert _run(scli, project, uv=tool == "uv").returncode == 0
        (project / "pyproject.toml").write_text(_pyproject(BOTH, after), encoding="utf-8")
        check = _run(scli, project, "--check", uv=tool == "uv")
        assert (check.returncode != 0) == stale, check.stderr
        assert _run(scli, project, uv=tool == "uv").returncode == 0
        locks.append((project / "uv.lock").read_text(encoding="utf-8"))
    assert locks[0] == locks[1]


@pytest.mark.parametrize(
    ("settings", "args", "message"),
    [
        ('prerelease-package = { st-pre = "sometimes" }', (), "must be one of"),
        ('prerelease-package = ["st-pre=allow"]', (), "must be a table"),
        ("", ("--prerelease-package", "st-pre"), "takes `PACKAGE=MODE`"),
    ],
)
def test_an_invalid_entry_is_refused(
    scli: Cli, tmp_path: Path, settings: str, args: tuple[str, ...], message: str
) -> None:
    project = write_project(tmp_path, "accord", _pyproject(BOTH, settings))
    result = _accord(scli, project, "lock", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "uv.lock").exists()
