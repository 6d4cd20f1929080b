"""Settings without a project (`run --no-project`, a PEP 723 script), side by side with uv
0.13.8: uv discovers its settings from the workspace around the project directory whatever
the command then does with the project, so the workspace root's `[tool.uv]` names the index
of a `--with` requirement, and a `[tool.uv]` uv cannot read is warned about.

Neither tool is given an index on the command line or in the environment: it comes from the
files. A member's own `[[tool.uv.index]]` names an index that does not answer, so the tool
that reads the member's table instead of the root's fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment

DEAD_INDEX = "http://127.0.0.1:9/simple"
IMPORT = "import dep_b; print(dep_b.__version__)"


def _uv(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
    for name in ("UV_NO_CONFIG", "UV_DEFAULT_INDEX"):
        environment.pop(name, None)
    environment.update({"UV_NO_PROGRESS": "1", "XDG_CONFIG_HOME": str(cwd / "no-user-config")})
    return subprocess.run(
        [str(cli.uv_bin), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _accord(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli.accord), *args],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _index(name: str, url: str) -> str:
    return f'[[tool.uv.index]]\nname = "{name}"\nurl = "{url}"\ndefault = true\n'


def _workspace(root: Path, cli: Cli) -> Path:
    """A workspace whose root names the session's index and whose member `m` names a dead
    one; returns the member's directory."""
    (root / "m").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "w"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        '[tool.uv.workspace]\nmembers = ["m"]\n' + _index("root", cli.index_url)
    )
    (root / "m" / "pyproject.toml").write_text(
        '[project]\nname = "m"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        + _index("member", DEAD_INDEX)
    )
    return root / "m"


def test_no_project_with_uses_the_workspace_roots_index(cli: Cli, tmp_path: Path) -> None:
    results = []
    for who, tool in (("uv", _uv), ("accord", _accord)):
        member = _workspace(tmp_path / who, cli)
        args = ("run", "--no-project", "--python", str(cli.python), "--with", "dep-b==1.0")
        results.append(tool(cli, member, *args, "python", "-c", IMPORT))
    uv, accord = results
    assert (uv.returncode, uv.stdout) == (0, "1.0\n"), uv.stderr
    assert (accord.returncode, accord.stdout) == (0, "1.0\n"), accord.stderr
    for who in ("uv", "accord"):
        assert not (tmp_path / who / ".venv").exists()
        assert not (tmp_path / who / "uv.lock").exists()


def test_script_in_a_member_uses_the_workspace_roots_index(cli: Cli, tmp_path: Path) -> None:
    results = []
    for who, tool in (("uv", _uv), ("accord", _accord)):
        member = _workspace(tmp_path / who, cli)
        (member / "script.py").write_text(
            f'# /// script\n# dependencies = ["dep-b==1.0"]\n# ///\n{IMPORT}\n'
        )
        results.append(tool(cli, member, "run", "--python", str(cli.python), "script.py"))
    uv, accord = results
    assert (uv.returncode, uv.stdout) == (0, "1.0\n"), uv.stderr
    assert (accord.returncode, accord.stdout) == (0, "1.0\n"), accord.stderr


@pytest.mark.parametrize(
    ("cwd", "args"),
    [("proj", ()), ("proj/sub", ()), (".", ("--project", "proj"))],
    ids=["in-project", "below-project", "project-option"],
)
def test_no_project_warns_about_an_unreadable_tool_uv_as_uv(
    cli: Cli, tmp_path: Path, cwd: str, args: tuple[str, ...]
) -> None:
    results = []
    for who, tool in (("uv", _uv), ("accord", _accord)):
        project = tmp_path / who / "proj"
        (project / "sub").mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "p"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
            "[tool.uv]\nbogus-key = 1\n"
        )
        command = ("run", *args, "--no-project", "--python", str(cli.python))
        results.append(tool(cli, tmp_path / who / cwd, *command, "python", "-c", "print(1)"))
    uv, accord = results
    assert (uv.returncode, uv.stdout) == (0, "1\n"), uv.stderr
    assert "warning: Failed to parse `" in uv.stderr
    assert (accord.returncode, accord.stdout) == (0, "1\n"), accord.stderr
    mine = accord.stderr.replace(str(tmp_path / "accord"), "<root>")
    assert mine == uv.stderr.replace(str(tmp_path / "uv"), "<root>")
