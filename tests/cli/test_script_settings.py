"""A PEP 723 script's `[tool.uv]`: a key uv does not know stops the run (uv stops too), a key
accord does not apply to scripts is refused by name before anything runs, index settings are
honoured, and a key uv knows but that changes nothing here is only warned of."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import Cli


def _script(tmp_path: Path, settings: str) -> Path:
    script = tmp_path / "job.py"
    lines = ["/// script", 'requires-python = ">=3.8"', 'dependencies = ["pkg"]', "[tool.uv]"]
    lines += settings.splitlines()
    script.write_text(
        "".join(f"# {line}\n" for line in lines) + "# ///\nprint('ran')\n", encoding="utf-8"
    )
    return script


def test_script_unknown_setting_stops_the_run_as_uv(cli: Cli, tmp_path: Path) -> None:
    script = _script(tmp_path, "bogus-key = 1")
    accord = cli.invoke(tmp_path, "run", str(script), pinned=True)
    uv = cli.uv(tmp_path, "run", "--python", str(cli.python), str(script))
    assert (accord.returncode, accord.stdout) == (2, ""), accord.stderr
    assert uv.returncode == 2 and "unknown field `bogus-key`" in uv.stderr
    # The script and the line first; uv's report of the block (its own lines) as the cause.
    head = accord.stderr.splitlines()[0]
    assert head.startswith("error: Failed to parse the `script` metadata block of `job.py` at")
    assert accord.stderr.rstrip().endswith("unknown field `bogus-key`")


@pytest.mark.parametrize(
    "setting",
    [
        'constraint-dependencies = ["pkg<1.1"]',
        'exclude-newer = "2020-01-01T00:00:00Z"',
        'sources = { pkg = { path = "elsewhere" } }',
        'prerelease = "allow"',
    ],
)
def test_script_setting_accord_does_not_apply_is_refused(
    cli: Cli, tmp_path: Path, setting: str
) -> None:
    script = _script(tmp_path, setting)
    result = cli.invoke(tmp_path, "run", str(script), pinned=True)
    key = setting.split(" ", 1)[0]
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert f"sets `[tool.uv] {key}`, which accord does not honour for scripts" in result.stderr
    assert not (tmp_path / "job.py.lock").exists()


def test_script_index_setting_is_honoured_and_unused_one_warned(cli: Cli, tmp_path: Path) -> None:
    script = _script(tmp_path, 'index-strategy = "first-index"\ncompile-bytecode = true')
    result = cli.invoke(tmp_path, "run", str(script), pinned=True)
    assert (result.returncode, result.stdout) == (0, "ran\n"), result.stderr
    assert "warning: `tool.uv.compile-bytecode` in " in result.stderr
