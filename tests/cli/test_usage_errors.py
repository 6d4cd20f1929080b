"""`accord` and uv 0.13.8 side by side on the usage errors of the parser (`reconciler.cli.usage`).

After a usage error uv (clap) prints the error, a tip when one helps, a usage line naming the
arguments given so far, and `For more information, try '--help'.`, then exits 2 before any
work. Each test compares all of stderr, with the tool's name taken out.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment, run_program, tree

_PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = []
"""

_COMMANDS = "run, add, remove, sync, lock, export, why, help"
"""accord's subcommands in the order they are declared (uv lists its own the same way)."""


def _both(
    cli: Cli, tmp_path: Path, *args: str, variables: bool = False
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """`accord ARGS` and `uv ARGS`, each in a project of its own, which neither changes."""
    env = (
        uv_environment(
            cli.index_url, cache_dir=cli.uv_cache, python=cli.python, base=clean_environment()
        )
        if variables
        else clean_environment()
    )
    results = []
    for name, executable in (("accord", cli.accord), ("uv", cli.uv_bin)):
        project = tmp_path / name
        project.mkdir()
        (project / "pyproject.toml").write_text(_PYPROJECT, encoding="utf-8")
        results.append(run_program(executable, project, args, env))
        assert tree(project) == {"pyproject.toml": _PYPROJECT.encode()}
    return results[0], results[1]


def _said(stderr: str) -> list[str]:
    return [line.replace("accord", "uv") for line in stderr.splitlines()]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("add",), id="add"),
        pytest.param(("remove",), id="remove"),
        pytest.param(("add", "--dev", "--frozen", "-p", "3.11"), id="add-given-listed"),
        pytest.param(("--offline", "remove", "--no-sync", "--locked"), id="remove-given-listed"),
        pytest.param(("add", "--dev", "--group", "lint"), id="conflict-before-missing"),
        pytest.param(("snyc",), id="similar-subcommand"),
        pytest.param(("-q", "lok"), id="similar-subcommand-after-option"),
        pytest.param(("sync", "foo"), id="unexpected-positional"),
        pytest.param(("--offline", "lock", "--frozen", "foo", "bar"), id="unexpected-two"),
        pytest.param(("run", "--frozn", "python"), id="unknown-option-suggested"),
        pytest.param(("sync", "--offline", "--xyzzy"), id="unknown-option-given-listed"),
        pytest.param(("sync", "--exact", "--inexac"), id="unknown-option-overrides"),
        pytest.param(("--frozn", "lock"), id="unknown-option-of-a-subcommand"),
        pytest.param(("--frozn", "foo", "add", "x"), id="unknown-option-first-subcommand"),
        pytest.param(("--offline", "--xyzzy", "sync"), id="unknown-option-before-subcommand"),
        pytest.param(("sync", "-qx"), id="unknown-short-option"),
        pytest.param(("sync", "-p", "3", "-p", "4", "--xyzzy"), id="twice-before-unknown"),
        pytest.param(("sync", "--frozen", "--offline=1"), id="flag-with-value"),
        pytest.param(("-q", "-v", "sync", "--frozen", "--locked"), id="subcommand-first"),
        pytest.param(("-q", "-v", "add"), id="missing-before-global-conflict"),
        pytest.param(("add", "foo", "--xyzzy"), id="unknown-option-tip-for-a-value"),
        pytest.param(("remove", "-x", "foo"), id="unknown-short-option-tip-for-a-value"),
        pytest.param(("sync", "-p"), id="missing-value-named-long"),
        pytest.param(("sync", "--color"), id="missing-value-choices"),
        pytest.param(("run", "--max-recursion-depth", "x", "python"), id="not-a-number"),
        pytest.param(("run", "--max-recursion-depth=99999999999", "python"), id="not-a-u32"),
        pytest.param(("sync", "--python", "--offline"), id="value-that-is-an-option"),
        pytest.param(("sync", "--offline", "--extra", "-x"), id="value-that-is-unknown"),
        pytest.param(("lock", "-q", "--index", "--frozn", "x"), id="valueless-before-unknown"),
        pytest.param(("--hepl",), id="unknown-help-suggested"),
    ],
)
def test_usage_errors_match_uv(cli: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    accord, uv = _both(cli, tmp_path, *args)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    assert _said(accord.stderr) == _said(uv.stderr)


def test_usage_missing_argument_lists_the_variables_clap_reads(cli: Cli, tmp_path: Path) -> None:
    accord, uv = _both(cli, tmp_path, "add", "--dev", variables=True)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    assert _said(accord.stderr) == _said(uv.stderr)
    assert "--python <PYTHON>" in accord.stderr


@pytest.mark.parametrize(
    ("args", "tip"),
    [
        pytest.param(("frobnicate",), None, id="nothing-similar"),
        pytest.param(("lok",), "a similar subcommand exists: 'lock'", id="one"),
        pytest.param(("remov", "x"), "a similar subcommand exists: 'remove'", id="remove"),
        pytest.param(("ru",), "a similar subcommand exists: 'run'", id="run"),
        pytest.param(("whi",), "a similar subcommand exists: 'why'", id="accord-own"),
    ],
)
def test_usage_unknown_subcommand_names_a_similar_one_of_accord(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], tip: str | None
) -> None:
    """uv names its own subcommands (`uv frobnicate`: 'format'); accord names its own."""
    result = run_program(cli.accord, tmp_path, args, clean_environment())

    assert result.returncode == 2
    lines = [f"error: unrecognized subcommand '{args[0]}'", ""]
    if tip is not None:
        lines += [f"  tip: {tip}", ""]
    lines += ["Usage: accord [OPTIONS] <COMMAND>", "", "For more information, try '--help'."]
    assert result.stderr.splitlines() == lines


@pytest.mark.parametrize("args", [("--offline",), ("-q", "-v"), ("--color", "never", "-n")])
def test_usage_options_without_a_subcommand(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """As uv: the subcommands listed (accord's, in the order accord declares them), exit 2."""
    accord, uv = _both(cli, tmp_path, *args)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    ours, theirs = _said(accord.stderr), _said(uv.stderr)
    assert ours[1] == f"  [subcommands: {_COMMANDS}]"
    assert theirs[1].startswith("  [subcommands: auth, run, init, add, remove, version, sync")
    assert ours[:1] + ours[2:] == theirs[:1] + theirs[2:]


def test_usage_bare_accord_prints_its_help_as_uv_does(cli: Cli, tmp_path: Path) -> None:
    """Nothing at all given: the help, on stderr, exit 2 (options alone are an error)."""
    accord, uv = _both(cli, tmp_path)

    assert (accord.returncode, uv.returncode) == (2, 2)
    assert accord.stdout == uv.stdout == ""
    for executable, result in ((cli.accord, accord), (cli.uv_bin, uv)):
        shown = run_program(executable, tmp_path, ("--help",), clean_environment())
        assert result.stderr.strip() == shown.stdout.strip()


def _skeleton(text: str, name: str) -> dict[str, object]:
    """The layout of a `--help`: its usage and closing lines, its headings, and each section's
    entries (a command's name; an option's spelling, with the column its help starts at, or
    None when the help is on the lines below, indented)."""
    lines = text.rstrip("\n").split("\n")
    sections: dict[str, list[tuple[str, int | None]]] = {}
    entries: list[tuple[str, int | None]] = []
    for line in lines[4:-2]:
        if line and not line.startswith(" ") and line.endswith(":"):
            entries = sections.setdefault(line[:-1], [])
        elif line.startswith("  ") and (line[2] != " " or line[2:7] == "    -"):
            spec, *help_text = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            entries.append((spec, line.index(help_text[0]) if help_text else None))
    commands = [entry for entry, _ in sections.pop("Commands")]
    return {
        "about": lines[1] == "" and lines[3] == "",
        "usage": lines[2].replace(name, "<name>"),
        "last": lines[-2:] == ["", f"Use `{name} help` for more details."],
        "headings": list(sections),
        "sections": sections,
        "commands": commands,
    }


def test_usage_help_is_laid_out_as_uvs(cli: Cli, tmp_path: Path) -> None:
    """`--help` (and bare `accord`, the same on stderr, exit 2) as `uv --help`: the about line,
    the usage, the commands (accord's own: those uv has in uv's order), the options under uv's
    headings, each section laid out by clap's rule, and the closing line."""
    accord, uv = _both(cli, tmp_path, "--help")
    assert accord.returncode == uv.returncode == 0, accord.stderr + uv.stderr
    ours, theirs = _skeleton(accord.stdout, "accord"), _skeleton(uv.stdout, "uv")
    assert ours["usage"] == theirs["usage"] == "Usage: <name> [OPTIONS] <COMMAND>"
    assert ours["about"] and theirs["about"] and ours["last"] and theirs["last"]
    assert ours["headings"] == theirs["headings"]
    assert ours["sections"] == theirs["sections"]
    commands, uv_commands = ours["commands"], theirs["commands"]
    assert isinstance(commands, list) and isinstance(uv_commands, list)
    assert commands == _COMMANDS.split(", ")
    shared = [command for command in commands if command in uv_commands]
    assert shared == [command for command in uv_commands if command in commands]
    (tmp_path / "bare").mkdir()
    bare, _ = _both(cli, tmp_path / "bare")
    assert (bare.returncode, bare.stdout, bare.stderr) == (2, "", accord.stdout)
