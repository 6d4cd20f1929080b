"""Differential tests (issue 11, item 6): the same scenario under uv 0.13.8 and under accord.

Each scenario is data: the files of a project, optional setup commands (run by the same tool
before the one compared), the command's arguments (`uv ARGS` against `accord ARGS`), an
optional environment and stdin, files written between setup and the command, and what to
compare. The scenarios are cases of uv's own tests (`crates/uv/tests/project/run.rs`,
`sync/sync.rs`, `lock/lock.rs`) that need neither the internet nor managed Pythons, rewritten
onto the local fixture index (fixtures/catalog.py).

Compared: the exit codes (always), stdout after normalisation (paths, times, the interpreter),
the key phrases of stderr (each must appear in both), and, where named, files of the project
byte for byte (`uv.lock`). A difference accord keeps on purpose, or has not fixed yet, is an
`xfail(strict=True)` naming it: the comparison is never weakened.

The two tools run side by side in threads: each scenario costs one run of the slower one.
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment

pytestmark = pytest.mark.backends


@dataclass(frozen=True)
class Scenario:
    id: str
    files: Mapping[str, str]
    args: tuple[str, ...]
    setup: tuple[tuple[str, ...], ...] = ()
    """Commands each tool runs first (`("lock",)`); each must succeed."""
    after_setup: Mapping[str, str] = field(default_factory=dict)
    """Files written after the setup commands, before the compared one."""
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str | None = None
    stdout: bool = True
    """Compare stdout after normalisation."""
    stderr: tuple[str, ...] = ()
    """Phrases that must appear in both tools' normalised stderr."""
    same_files: tuple[str, ...] = ()
    """Project files that must be byte-identical after the command (or absent in both)."""
    same_stderr: bool = False
    """Compare the whole stderr after normalisation (timings masked), line for line."""
    xfail: str | None = None
    source: str = ""
    """The uv test this scenario comes from."""


def _pyproject(
    deps: str = "",
    *,
    name: str = "project",
    requires_python: str = ">=3.10",
    extra: str = "",
    build: bool = False,
) -> str:
    """A `pyproject.toml`: `deps` is the inside of `dependencies = [...]`."""
    text = (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
        f'requires-python = "{requires_python}"\ndependencies = [{deps}]\n'
    )
    if extra:
        text += "\n" + textwrap.dedent(extra).strip() + "\n"
    if build:
        text += '\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    return text


def _script(deps: str = "", body: str = "", requires_python: str | None = None) -> str:
    """A PEP 723 script declaring `deps` (the inside of `dependencies = [...]`)."""
    lines = ["# /// script"]
    if requires_python is not None:
        lines.append(f'# requires-python = "{requires_python}"')
    lines += [f"# dependencies = [{deps}]", "# ///", textwrap.dedent(body).strip(), ""]
    return "\n".join(lines)


PKG = _pyproject('"pkg==1.0"')
SIMPLE = _pyproject(
    '"pkg>=1.0", "dep-a"',
    extra="""
    [project.optional-dependencies]
    color = ["fancy[color]"]

    [dependency-groups]
    dev = ["devtool"]
    lint = ["linter"]
    """,
)
VERSION_OF = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"
HAS = (
    "import importlib.util as u, sys; "
    "print(*[n for n in sys.argv[1:] if u.find_spec(n.replace('-', '_'))])"
)
PRINT_ARGV = "import sys; print(sys.argv[1:])"
LOCKED = (("lock",),)
# A built project (`pkg`, `dep-a` → `dep-b`), and a workspace of it with a built member.
BUILT = _pyproject('"pkg==1.0", "dep-a"', build=True)
WORKSPACE = {
    "pyproject.toml": _pyproject(
        '"pkg==1.0", "member"',
        build=True,
        extra="""
        [tool.uv.workspace]
        members = ["packages/*"]

        [tool.uv.sources]
        member = { workspace = true }
        """,
    ),
    "src/project/__init__.py": "",
    "packages/member/pyproject.toml": _pyproject('"dep-a"', name="member", build=True).replace(
        'version = "0.1.0"', 'version = "0.2.0"'
    ),
    "packages/member/src/member/__init__.py": "",
}


SCENARIOS: tuple[Scenario, ...] = (
    # ---- uv run (crates/uv/tests/project/run.rs)
    Scenario(
        "run-args",
        {"pyproject.toml": PKG, "main.py": PRINT_ARGV},
        ("run", "main.py", "--flag", "a", "b"),
        stderr=("Installed 1 package",),
        same_files=("uv.lock",),
        source="run_args",
    ),
    Scenario(
        "run-args-after-double-dash",
        {"pyproject.toml": PKG, "main.py": PRINT_ARGV},
        ("run", "--", "python", "main.py", "--", "x"),
        source="run_args",
    ),
    Scenario(
        "run-python-c",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", "import pkg; print(pkg.__version__)"),
        stderr=("Creating virtual environment at: .venv", "Installed 1 package"),
        source="run_with_python_version",
    ),
    Scenario(
        "run-transitive-dependency",
        {"pyproject.toml": _pyproject('"dep-a"')},
        ("run", "python", "-c", VERSION_OF, "dep-b"),
        stderr=("Installed 2 packages",),
        same_files=("uv.lock",),
        source="run_in_workspace",
    ),
    Scenario(
        "run-pep723-script",
        {"script.py": _script('"pkg==1.0"', "import pkg\nprint(pkg.__version__)")},
        ("run", "script.py"),
        stderr=("Installed 1 package",),
        source="run_pep723_script",
    ),
    Scenario(
        "run-pep723-script-empty-dependencies",
        {"script.py": _script("", "print('empty')")},
        ("run", "script.py"),
        source="run_pep723_script_empty_dependency",
    ),
    Scenario(
        "run-pep723-script-in-project-ignores-project",
        {
            "pyproject.toml": _pyproject('"dep-a"'),
            "script.py": _script('"pkg==1.1"', f"import sys\n{HAS.replace('sys; ', '')}"),
        },
        ("run", "script.py", "pkg", "dep_a"),
        source="run_pep723_script",
    ),
    Scenario(
        "run-pep723-script-requires-python-incompatible",
        {"script.py": _script("", "print('no')", requires_python=">=3.99")},
        ("run", "script.py"),
        stdout=True,
        stderr=("3.99",),
        source="run_pep723_script_requires_python",
    ),
    Scenario(
        "run-pep723-script-no-project-flag",
        {"pyproject.toml": PKG, "script.py": _script("", "import sys; print(sys.argv[1:])")},
        ("run", "--no-project", "script.py", "x"),
        source="run_no_project",
    ),
    Scenario(
        "run-script-explicit-without-extension",
        {"script": _script('"pkg==1.0"', "import pkg\nprint('explicit', pkg.__version__)")},
        ("run", "--script", "script"),
        source="run_script_explicit",
    ),
    Scenario(
        "run-script-explicit-no-file",
        {},
        ("run", "--script", "missing.py"),
        stderr=("missing.py",),
        source="run_script_explicit_no_file",
    ),
    Scenario(
        "run-with",
        {"pyproject.toml": PKG},
        ("run", "--with", "dep-a", "python", "-c", HAS, "pkg", "dep_a", "dep_b"),
        source="run_with",
    ),
    Scenario(
        "run-with-overrides-project-version",
        {"pyproject.toml": PKG},
        ("run", "--with", "pkg==1.1", "python", "-c", VERSION_OF, "pkg"),
        source="run_with",
    ),
    Scenario(
        "run-with-requirements-txt",
        {"pyproject.toml": PKG, "requirements.txt": "dep-a\ncolorful==1.0\n"},
        (
            "run",
            "--with-requirements",
            "requirements.txt",
            "python",
            "-c",
            HAS,
            "dep_a",
            "colorful",
        ),
        source="run_requirements_txt",
    ),
    Scenario(
        "run-with-empty-requirements-txt",
        {"pyproject.toml": PKG, "requirements.txt": ""},
        ("run", "--with-requirements", "requirements.txt", "python", "-c", "print('ok')"),
        source="run_empty_requirements_txt",
    ),
    Scenario(
        "run-locked-without-lock",
        {"pyproject.toml": PKG},
        ("run", "--locked", "python", "-c", "print('ran')"),
        stderr=("Unable to find lockfile at `uv.lock`",),
        same_files=("uv.lock",),
        source="run_locked",
    ),
    Scenario(
        "run-locked-stale-lock",
        {"pyproject.toml": PKG},
        ("run", "--locked", "python", "-c", "print('ran')"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        stderr=("--locked",),
        same_files=("uv.lock",),
        source="run_locked",
    ),
    Scenario(
        "run-frozen-without-lock",
        {"pyproject.toml": PKG},
        ("run", "--frozen", "python", "-c", "print('ran')"),
        stderr=("Unable to find lockfile at `uv.lock`",),
        source="run_frozen",
    ),
    Scenario(
        "run-frozen-stale-lock-uses-the-lock",
        {"pyproject.toml": PKG},
        ("run", "--frozen", "python", "-c", VERSION_OF, "pkg"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        same_files=("uv.lock",),
        source="run_frozen",
    ),
    Scenario(
        "run-exit-code",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", "import sys; print('bye'); sys.exit(42)"),
        source="run_exit_code",
    ),
    Scenario(
        "run-module",
        {"pyproject.toml": PKG},
        ("run", "-m", "calendar", "2020", "1"),
        source="run_module",
    ),
    Scenario(
        "run-stdin",
        {"pyproject.toml": PKG},
        ("run", "-"),
        stdin="import pkg\nprint('stdin', pkg.__version__)\n",
        source="run_stdin",
    ),
    Scenario(
        "run-console-script-of-a-dependency",
        {"pyproject.toml": _pyproject('"cli-tool"')},
        ("run", "greet"),
        source="run_editable",
    ),
    Scenario(
        "run-missing-command",
        {"pyproject.toml": PKG},
        ("run", "no-such-command-xyz"),
        stderr=(
            "error: Failed to spawn: no-such-command-xyz",
            "No such file or directory (os error 2)",
        ),
        source="run_exit_code",
    ),
    Scenario(
        "run-a-file-that-is-not-executable",
        {"pyproject.toml": PKG, "notes.txt": "not a program\n"},
        ("run", "./notes.txt"),
        setup=LOCKED,
        stderr=("error: Failed to spawn: ./notes.txt", "Permission denied (os error 13)"),
        source="run_exit_code",
    ),
    Scenario(
        "run-no-project",
        {"pyproject.toml": PKG},
        ("run", "--no-project", "python", "-c", HAS, "pkg"),
        source="run_no_project",
    ),
    Scenario(
        "run-isolated",
        {"pyproject.toml": PKG},
        ("run", "--isolated", "python", "-c", HAS, "pkg"),
        source="run_isolated_python_version",
    ),
    Scenario(
        "run-group",
        {"pyproject.toml": SIMPLE},
        ("run", "--group", "lint", "python", "-c", HAS, "linter", "devtool", "fancy"),
        source="run_group",
    ),
    Scenario(
        "run-no-dev",
        {"pyproject.toml": SIMPLE},
        ("run", "--no-dev", "python", "-c", HAS, "linter", "devtool", "pkg"),
        source="run_group",
    ),
    Scenario(
        "run-only-group",
        {"pyproject.toml": SIMPLE},
        ("run", "--only-group", "lint", "python", "-c", HAS, "linter", "devtool", "pkg"),
        source="run_group",
    ),
    Scenario(
        "run-extra",
        {"pyproject.toml": SIMPLE},
        ("run", "--extra", "color", "python", "-c", HAS, "fancy", "colorful"),
        source="run_with_extra_conflict",
    ),
    Scenario(
        "run-env-file",
        {"pyproject.toml": PKG, ".env": "FOO=bar\nexport BAZ='q u x'\n"},
        (
            "run",
            "--env-file",
            ".env",
            "python",
            "-c",
            "import os; print(os.environ['FOO'], os.environ['BAZ'])",
        ),
        source="run_with_env_file",
    ),
    Scenario(
        "run-env-file-missing",
        {"pyproject.toml": PKG},
        ("run", "--env-file", "missing.env", "python", "-c", "print('ran')"),
        stderr=("missing.env",),
        source="run_with_not_existing_env_file",
    ),
    Scenario(
        "run-from-directory",
        {"sub/pyproject.toml": PKG},
        ("--directory", "sub", "run", "python", "-c", HAS, "pkg"),
        source="run_from_directory",
    ),
    Scenario(
        "run-project-option",
        {"sub/pyproject.toml": PKG},
        ("run", "--project", "sub", "python", "-c", HAS, "pkg"),
        source="run_from_directory",
    ),
    Scenario(
        "run-unknown-option",
        {"pyproject.toml": PKG},
        ("run", "--frozn", "python", "-c", "pass"),
        stderr=("unexpected argument '--frozn'",),
        same_files=("uv.lock",),
        source="issue 11",
    ),
    Scenario(
        "run-no-sync-without-venv",
        {"pyproject.toml": PKG},
        ("run", "--no-sync", "python", "-c", HAS, "pkg"),
        same_files=("uv.lock",),
        source="run_no_sync",
    ),
    Scenario(
        "run-package-in-workspace",
        {
            "pyproject.toml": _pyproject(
                '"member"',
                extra="""
                [tool.uv.workspace]
                members = ["packages/*"]

                [tool.uv.sources]
                member = { workspace = true }
                """,
            ),
            "packages/member/pyproject.toml": _pyproject('"dep-a"', name="member", build=True),
            "packages/member/src/member/__init__.py": "",
        },
        ("run", "--package", "member", "python", "-c", HAS, "member", "dep_a", "dep_b"),
        same_files=("uv.lock",),
        source="run_package",
    ),
    Scenario(
        "run-editable-project",
        {
            "pyproject.toml": _pyproject('"pkg==1.0"', build=True),
            "src/project/__init__.py": "GREETING = 'editable'\n",
        },
        ("run", "python", "-c", "import project; print(project.GREETING)"),
        same_files=("uv.lock",),
        source="run_editable",
    ),
    # ---- uv sync (crates/uv/tests/sync/sync.rs)
    Scenario(
        "sync-fresh-frozen-says-no-resolved",
        {"pyproject.toml": PKG},
        ("sync", "--frozen"),
        setup=LOCKED,
        same_stderr=True,
        source="sync",
    ),
    Scenario(
        "sync-fresh-says-interpreter-first",
        {"pyproject.toml": PKG},
        ("sync",),
        setup=LOCKED,
        same_stderr=True,
        source="sync",
    ),
    Scenario(
        "sync-other-virtual-env-warns",
        {"pyproject.toml": PKG},
        ("sync",),
        setup=(("sync",),),
        env={"VIRTUAL_ENV": "/somewhere/else"},
        same_stderr=True,
        source="sync_active_project_environment",
    ),
    Scenario(
        "run-other-virtual-env-warns",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", "pass"),
        setup=(("sync",),),
        env={"VIRTUAL_ENV": "/somewhere/else"},
        stderr=("`VIRTUAL_ENV=/somewhere/else` does not match the project environment path",),
        source="run_active_project_environment",
    ),
    Scenario(
        "run-other-virtual-env-quiet",
        {"pyproject.toml": PKG},
        ("run", "-q", "python", "-c", "pass"),
        setup=(("sync",),),
        env={"VIRTUAL_ENV": "/somewhere/else"},
        same_stderr=True,
        source="run_active_project_environment",
    ),
    Scenario(
        "sync",
        {"pyproject.toml": SIMPLE},
        ("sync",),
        stderr=("Resolved 8 packages", "Installed 4 packages", "+ devtool==1.0"),
        same_files=("uv.lock",),
        source="sync",
    ),
    Scenario(
        "sync-locked-stale",
        {"pyproject.toml": PKG},
        ("sync", "--locked"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        stderr=("--locked",),
        same_files=("uv.lock",),
        source="locked",
    ),
    Scenario(
        "sync-frozen-without-lock",
        {"pyproject.toml": PKG},
        ("sync", "--frozen"),
        stderr=("Unable to find lockfile at `uv.lock`",),
        source="frozen",
    ),
    Scenario(
        "sync-extra",
        {"pyproject.toml": SIMPLE},
        ("sync", "--extra", "color"),
        stderr=("+ colorful==1.0", "+ fancy==1.0"),
        source="sync",
    ),
    Scenario(
        "sync-non-existent-extra",
        {"pyproject.toml": SIMPLE},
        ("sync", "--extra", "nope"),
        stderr=("Extra `nope` is not defined in the `optional-dependencies` table for `project`",),
        source="sync_non_existent_extra",
    ),
    Scenario(
        "sync-non-existent-group",
        {"pyproject.toml": SIMPLE},
        ("sync", "--group", "nope"),
        stderr=("Group `nope` is not defined in the project's `dependency-groups` table",),
        source="sync_non_existent_group",
    ),
    Scenario(
        "sync-all-groups",
        {"pyproject.toml": SIMPLE},
        ("sync", "--all-groups"),
        stderr=("+ devtool==1.0", "+ linter==1.0"),
        source="sync_group",
    ),
    Scenario(
        "sync-no-dev",
        {"pyproject.toml": SIMPLE},
        ("sync", "--no-dev"),
        stderr=("Installed 3 packages",),
        source="sync_dev",
    ),
    Scenario(
        "sync-only-dev",
        {"pyproject.toml": SIMPLE},
        ("sync", "--only-dev"),
        stderr=("Installed 1 package", "+ devtool==1.0"),
        source="sync_dev",
    ),
    Scenario(
        "sync-no-default-groups",
        {"pyproject.toml": SIMPLE},
        ("sync", "--no-default-groups"),
        stderr=("Installed 3 packages",),
        source="sync_default_groups",
    ),
    Scenario(
        "sync-default-groups-setting",
        {
            "pyproject.toml": SIMPLE.replace(
                "[dependency-groups]", '[tool.uv]\ndefault-groups = ["lint"]\n\n[dependency-groups]'
            )
        },
        ("sync",),
        stderr=("+ linter==1.0",),
        same_files=("uv.lock",),
        source="sync_default_groups",
    ),
    Scenario(
        "sync-outside-a-project",
        {},
        ("sync",),
        stderr=("No `pyproject.toml` found in current directory or any parent directory",),
        source="sync",
    ),
    Scenario(
        "sync-twice-checks",
        {"pyproject.toml": PKG},
        ("sync",),
        setup=(("sync",),),
        stderr=("Resolved 2 packages", "Checked 1 package"),
        source="sync",
    ),
    Scenario(
        "sync-exact-removes-extraneous",
        {"pyproject.toml": _pyproject('"pkg==1.0", "dep-a"')},
        ("sync",),
        setup=(("sync",),),
        after_setup={"pyproject.toml": PKG},
        stderr=("- dep-a==1.0", "- dep-b==2.0", "Uninstalled 2 packages"),
        same_files=("uv.lock",),
        source="sync",
    ),
    Scenario(
        "sync-inexact-keeps-extraneous",
        {"pyproject.toml": _pyproject('"pkg==1.0", "dep-a"')},
        ("sync", "--inexact"),
        setup=(("sync",),),
        after_setup={"pyproject.toml": PKG},
        stderr=("Resolved 2 packages",),
        same_files=("uv.lock",),
        source="sync",
    ),
    Scenario(
        "sync-no-install-project",
        {
            "pyproject.toml": _pyproject('"pkg==1.0"', build=True),
            "src/project/__init__.py": "",
        },
        ("sync", "--no-install-project"),
        stderr=("+ pkg==1.0",),
        same_files=("uv.lock",),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-install-project-removes-it",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--no-install-project"),
        setup=(("sync",),),
        stderr=("Uninstalled 1 package", " - project==0.1.0"),
        same_files=("uv.lock",),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-install-project-inexact-keeps-it",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--no-install-project", "--inexact"),
        setup=(("sync",),),
        stderr=("Checked 3 packages",),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-install-project-frozen",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--frozen", "--no-install-project"),
        setup=LOCKED,
        stderr=("Installed 3 packages", "+ dep-a==1.0"),
        same_files=("uv.lock",),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-install-project-variable",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync",),
        env={"UV_NO_INSTALL_PROJECT": "1"},
        stderr=("Installed 3 packages",),
        source="no_install_project",
    ),
    Scenario(
        "sync-only-install-project",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--only-install-project"),
        setup=(("sync",),),
        stderr=("Uninstalled 3 packages", " - dep-a==1.0", " - pkg==1.0"),
        source="only_install_project",
    ),
    Scenario(
        "sync-no-install-package",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--no-install-package", "Dep_B"),
        stderr=("Installed 3 packages", "+ dep-a==1.0", "+ pkg==1.0"),
        source="no_install_package",
    ),
    Scenario(
        "sync-only-install-package",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--only-install-package", "dep-b", "--only-install-package", "pkg"),
        setup=(("sync",),),
        stderr=("Uninstalled 2 packages", " - dep-a==1.0"),
        source="only_install_package",
    ),
    Scenario(
        "sync-no-install-workspace",
        WORKSPACE,
        ("sync", "--no-install-workspace"),
        setup=(("sync",),),
        stderr=("Uninstalled 2 packages", " - member==0.2.0", " - project==0.1.0"),
        same_files=("uv.lock",),
        source="no_install_workspace",
    ),
    Scenario(
        "sync-only-install-workspace",
        WORKSPACE,
        ("sync", "--only-install-workspace"),
        setup=(("sync",),),
        stderr=("Uninstalled 3 packages", " - dep-b==2.0"),
        source="only_install_workspace",
    ),
    Scenario(
        "sync-package-no-install-project",
        WORKSPACE,
        ("sync", "--package", "member", "--no-install-project"),
        setup=(("sync",),),
        stderr=("Uninstalled 3 packages", " - member==0.2.0", " - project==0.1.0"),
        source="no_install_project",
    ),
    Scenario(
        "sync-all-packages-only-install-project",
        WORKSPACE,
        ("sync", "--all-packages", "--only-install-project"),
        setup=(("sync",),),
        stderr=("Uninstalled 4 packages", " - member==0.2.0"),
        source="only_install_project",
    ),
    Scenario(
        "sync-no-install-local",
        WORKSPACE,
        ("sync", "--no-install-local"),
        stderr=("Installed 3 packages", "+ pkg==1.0"),
        source="no_install_local",
    ),
    Scenario(
        "sync-only-install-local",
        WORKSPACE,
        ("sync", "--only-install-local"),
        stderr=("Installed 2 packages",),
        source="only_install_local",
    ),
    Scenario(
        "sync-no-and-only-install-project",
        {"pyproject.toml": BUILT},
        ("sync", "--only-install-project", "--no-install-project"),
        stderr=(
            "the argument '--only-install-project' cannot be used with '--no-install-project'",
        ),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-and-only-install-package",
        {"pyproject.toml": BUILT},
        ("sync", "--no-install-package", "pkg", "--only-install-package", "pkg"),
        stderr=("the argument '--no-install-package <NO_INSTALL_PACKAGE>' cannot be used with",),
        source="no_install_package",
    ),
    Scenario(
        "sync-no-and-only-install-variables",
        {"pyproject.toml": BUILT},
        ("sync",),
        env={"UV_NO_INSTALL_WORKSPACE": "1", "UV_ONLY_INSTALL_WORKSPACE": "true"},
        stderr=(
            "the argument `UV_NO_INSTALL_WORKSPACE` (environment variable) cannot be used with "
            "`UV_ONLY_INSTALL_WORKSPACE` (environment variable)",
        ),
        source="no_install_workspace",
    ),
    Scenario(
        "sync-install-flag-beats-variables",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("sync", "--no-install-project"),
        setup=(("sync",),),
        env={"UV_ONLY_INSTALL_PROJECT": "1"},
        stderr=("Uninstalled 1 package", " - project==0.1.0"),
        source="no_install_project",
    ),
    Scenario(
        "sync-no-install-package-invalid-name",
        {"pyproject.toml": BUILT},
        ("sync", "--no-install-package", "dep-a,pkg"),
        stderr=("invalid value 'dep-a,pkg' for '--no-install-package <NO_INSTALL_PACKAGE>'",),
        source="no_install_package",
    ),
    Scenario(
        "sync-script-no-install-project",
        {"pyproject.toml": BUILT, "script.py": _script('"pkg"')},
        ("sync", "--script", "script.py", "--no-install-project"),
        stderr=("the argument '--script <SCRIPT>' cannot be used with '--no-install-project'",),
        source="no_install_project",
    ),
    Scenario(
        "sync-script-no-install-variable",
        {"pyproject.toml": BUILT, "script.py": _script('"pkg"')},
        ("sync", "--script", "script.py"),
        env={"UV_NO_INSTALL_LOCAL": "1"},
        stderr=(
            "the argument `UV_NO_INSTALL_LOCAL` (environment variable) cannot be used with "
            "`--script`",
        ),
        source="no_install_local",
    ),
    Scenario(
        "sync-script-ignores-only-install",
        {"pyproject.toml": BUILT, "script.py": _script('"pkg"')},
        ("sync", "--script", "script.py", "--only-install-project"),
        stderr=("Installed 1 package",),
        source="only_install_project",
    ),
    Scenario(
        "run-has-no-install-filters",
        {"pyproject.toml": BUILT},
        ("run", "--no-install-project", "python", "-c", "pass"),
        stderr=("unexpected argument '--no-install-project' found",),
        source="no_install_project",
    ),
    Scenario(
        "add-no-install-project",
        {"pyproject.toml": BUILT, "src/project/__init__.py": ""},
        ("add", "--no-install-project", "dep-c"),
        setup=(("sync",),),
        stderr=("Installed 1 package", "+ dep-c==1.0"),
        # (not pyproject.toml: uv writes the index it was given by UV_DEFAULT_INDEX into it)
        same_files=("uv.lock",),
        source="add_no_install_project",
    ),
    Scenario(
        "add-frozen-no-install-project",
        {"pyproject.toml": BUILT},
        ("add", "--frozen", "--no-install-project", "dep-c"),
        stderr=("the argument '--frozen' cannot be used with '--no-install-project'",),
        same_files=("pyproject.toml",),
        source="add_no_install_project",
    ),
    Scenario(
        "add-no-sync-variable-only-install-package",
        {"pyproject.toml": BUILT},
        ("add", "--only-install-package", "pkg", "dep-c"),
        env={"UV_NO_SYNC": "1"},
        stderr=(
            "the argument `--only-install-package` cannot be used with `UV_NO_SYNC` "
            "(environment variable)",
        ),
        same_files=("pyproject.toml",),
        source="add_no_install_project",
    ),
    Scenario(
        "remove-has-no-install-filters",
        {"pyproject.toml": BUILT},
        ("remove", "--no-install-project", "dep-a"),
        stderr=("unexpected argument '--no-install-project' found",),
        same_files=("pyproject.toml",),
        source="remove",
    ),
    Scenario(
        "sync-virtual-project",
        {"pyproject.toml": _pyproject('"dep-a"')},
        ("sync",),
        stderr=("Resolved 3 packages", "Installed 2 packages"),
        same_files=("uv.lock",),
        source="virtual_no_build",
    ),
    Scenario(
        "sync-root-without-project-groups-only",
        {"pyproject.toml": '[dependency-groups]\ndev = ["dep-a"]\n'},
        ("sync",),
        stderr=("No `requires-python` value found", "Installed 2 packages"),
        same_files=("uv.lock",),
        source="non_project_dependency_groups",
    ),
    Scenario(
        "sync-root-without-project-legacy-dev-dependencies",
        {"pyproject.toml": '[tool.uv]\ndev-dependencies = ["dep-a"]\n'},
        ("sync",),
        stderr=("No `requires-python` value found", "Installed 2 packages"),
        same_files=("uv.lock",),
        source="non_project_dev_dependencies",
    ),
    Scenario(
        "lock-workspace-requires-python-is-the-members-tightest",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["a", "b"]\n',
            "a/pyproject.toml": _pyproject('"dep-a"', name="a", requires_python=">=3.9,<4"),
            "b/pyproject.toml": _pyproject("", name="b", requires_python=">=3.10"),
        },
        ("lock",),
        stderr=("Resolved",),
        same_files=("uv.lock",),
        source="lock_requires_python_workspace",
    ),
    Scenario(
        "sync-member-without-build-system-that-another-requires",
        {
            "pyproject.toml": _pyproject(
                '"lib"',
                name="root",
                extra="""
                [tool.uv.sources]
                lib = { workspace = true }

                [tool.uv.workspace]
                members = ["lib"]
                """,
            ),
            "lib/pyproject.toml": _pyproject('"dep-a"', name="lib"),
        },
        ("sync",),
        stderr=("Installed 3 packages", "+ lib==0.1.0 (from file://"),
        same_files=("uv.lock",),
        source="workspace_member_required_without_build_system",
    ),
    Scenario(
        "sync-refuses-an-interpreter-a-member-excludes",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["a", "b"]\n',
            "a/pyproject.toml": _pyproject('"dep-a"', name="a"),
            "b/pyproject.toml": _pyproject("", name="b", requires_python=">=3.99"),
        },
        ("sync",),
        stderr=(
            "incompatible with the project's Python requirement: `>=3.99` "
            "(from workspace member `b`'s `project.requires-python`).",
        ),
        same_files=("uv.lock", ".venv"),
        source="sync_workspace_requires_python",
    ),
    Scenario(
        "lock-refuses-an-interpreter-a-member-excludes",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["a", "b"]\n',
            "a/pyproject.toml": _pyproject('"dep-a"', name="a"),
            "b/pyproject.toml": _pyproject("", name="b", requires_python=">=3.99"),
        },
        ("lock",),
        stderr=("(from workspace member `b`'s `project.requires-python`).",),
        same_files=("uv.lock",),
        source="lock_workspace_requires_python",
    ),
    Scenario(
        "run-no-sync-refuses-an-interpreter-a-member-excludes",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["a", "b"]\n',
            "a/pyproject.toml": _pyproject('"dep-a"', name="a"),
            "b/pyproject.toml": _pyproject("", name="b", requires_python=">=3.99"),
        },
        ("run", "--no-sync", "python", "-c", "pass"),
        stderr=("(from workspace member `b`'s `project.requires-python`).",),
        same_files=("uv.lock", ".venv"),
        source="run_no_sync_workspace_requires_python",
    ),
    Scenario(
        "sync-package-in-workspace",
        {
            "pyproject.toml": _pyproject(
                '"pkg"',
                extra="""
                [tool.uv.workspace]
                members = ["packages/*"]
                """,
            ),
            "packages/member/pyproject.toml": _pyproject('"dep-a"', name="member"),
        },
        ("sync", "--package", "member"),
        stderr=("+ dep-a==1.0", "+ dep-b==2.0"),
        same_files=("uv.lock",),
        source="package",
    ),
    Scenario(
        "sync-dry-run",
        {"pyproject.toml": PKG},
        ("sync", "--dry-run"),
        stderr=("Using CPython", "Would create", "Would install 1 package"),
        source="sync_dry_json",
    ),
    Scenario(
        "sync-check-outdated",
        {"pyproject.toml": PKG},
        ("sync", "--check"),
        setup=LOCKED,
        stderr=("Would install 1 package",),
        source="check",
    ),
    Scenario(
        "sync-no-python-match",
        {"pyproject.toml": _pyproject('"pkg"', requires_python=">=3.99")},
        ("sync",),
        stderr=(
            "incompatible with the project's Python requirement: `>=3.99` "
            "(from `project.requires-python`)",
        ),
        source="mixed_requires_python",
    ),
    # ---- uv lock (crates/uv/tests/lock/lock.rs)
    Scenario(
        "lock",
        {"pyproject.toml": SIMPLE},
        ("lock",),
        stderr=("Resolved 8 packages",),
        same_files=("uv.lock",),
        source="lock_wheel_registry",
    ),
    Scenario(
        "lock-dependency-extra",
        {"pyproject.toml": _pyproject('"fancy[color]"')},
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_dependency_extra",
    ),
    Scenario(
        "lock-dependency-non-existent-extra",
        {"pyproject.toml": _pyproject('"fancy[nope]"')},
        ("lock",),
        stderr=("does not have an extra named `nope`",),
        same_files=("uv.lock",),
        source="lock_dependency_non_existent_extra",
    ),
    Scenario(
        "lock-conditional-dependency",
        {"pyproject.toml": _pyproject('"winonly; sys_platform == \'win32\'", "pkg"')},
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_conditional_unconditional",
    ),
    Scenario(
        "lock-no-solution",
        {"pyproject.toml": _pyproject('"pkg>=5"')},
        ("lock",),
        stderr=("No solution found when resolving dependencies",),
        same_files=("uv.lock",),
        source="lock_requires_python",
    ),
    Scenario(
        "lock-conflict",
        {"pyproject.toml": _pyproject('"dep-c", "dep-b<2"')},
        ("lock",),
        stderr=("No solution found when resolving dependencies",),
        same_files=("uv.lock",),
        source="lock_conflicting_project_basic1",
    ),
    Scenario(
        "lock-unknown-package",
        {"pyproject.toml": _pyproject('"no-such-package-xyz"')},
        ("lock",),
        stderr=("no-such-package-xyz",),
        same_files=("uv.lock",),
        source="lock_requires_python",
    ),
    Scenario(
        "lock-requires-python-fork",
        {"pyproject.toml": _pyproject('"newpy"', requires_python=">=3.11")},
        ("lock",),
        same_files=("uv.lock",),
        source="lock_requires_python_fork",
    ),
    Scenario(
        "lock-yanked-pin",
        {"pyproject.toml": _pyproject('"pkg==0.9"')},
        ("lock",),
        stderr=("pkg==0.9", "yanked"),
        same_files=("uv.lock",),
        source="lock_project_with_scoped_override_yank",
    ),
    Scenario(
        "lock-check-missing",
        {"pyproject.toml": PKG},
        ("lock", "--check"),
        stderr=("Unable to find lockfile at `uv.lock`",),
        same_files=("uv.lock",),
        source="lock_check",
    ),
    Scenario(
        "lock-check-stale",
        {"pyproject.toml": PKG},
        ("lock", "--check"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        stderr=("The lockfile at `uv.lock` needs to be updated",),
        same_files=("uv.lock",),
        source="lock_check",
    ),
    Scenario(
        "lock-check-current",
        {"pyproject.toml": PKG},
        ("lock", "--check"),
        setup=LOCKED,
        stderr=("Resolved 2 packages",),
        same_files=("uv.lock",),
        source="lock_check",
    ),
    Scenario(
        "lock-relock-update-log",
        {"pyproject.toml": PKG},
        ("lock",),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        stderr=("Updated pkg v1.0 -> v1.1",),
        same_files=("uv.lock",),
        source="lock_upgrade_log",
    ),
    Scenario(
        "lock-upgrade-package",
        {"pyproject.toml": _pyproject('"dep-b"')},
        ("lock", "--upgrade-package", "dep-b"),
        setup=(("lock", "--resolution", "lowest"),),
        stderr=("Updated dep-b v1.0 -> v2.0",),
        same_files=("uv.lock",),
        source="lock_upgrade_log",
    ),
    Scenario(
        "lock-resolution-lowest",
        {"pyproject.toml": _pyproject('"dep-a"')},
        ("lock", "--resolution", "lowest"),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_resolution_mode",
    ),
    Scenario(
        "lock-dev-dependencies-table",
        {"pyproject.toml": _pyproject('"pkg"', extra='[tool.uv]\ndev-dependencies = ["devtool"]')},
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_dev",
    ),
    Scenario(
        "lock-workspace",
        {
            "pyproject.toml": _pyproject(
                '"member"',
                extra="""
                [tool.uv.workspace]
                members = ["packages/*"]

                [tool.uv.sources]
                member = { workspace = true }
                """,
            ),
            "packages/member/pyproject.toml": _pyproject(
                '"fancy[color]"', name="member", build=True
            ),
            "packages/member/src/member/__init__.py": "",
        },
        ("lock",),
        stderr=("Resolved 4 packages",),
        same_files=("uv.lock",),
        source="lock_conflicting_workspace_members",
    ),
    Scenario(
        "lock-dry-run",
        {"pyproject.toml": PKG},
        ("lock", "--dry-run"),
        stderr=("Resolved 2 packages", "Add pkg v1.0"),
        same_files=("uv.lock",),
        source="lock_upgrade_dry_run_multi_version",
    ),
    Scenario(
        "lock-script",
        {"script.py": _script('"dep-a"', "print('x')")},
        ("lock", "--script", "script.py"),
        stderr=("Resolved 2 packages",),
        same_files=("script.py.lock",),
        source="run_pep723_script_lock",
    ),
    Scenario(
        "lock-constraint-dependencies",
        {
            "pyproject.toml": _pyproject(
                '"dep-a"', extra='[tool.uv]\nconstraint-dependencies = ["dep-b<2"]'
            )
        },
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_project_with_constraints",
    ),
    Scenario(
        "lock-override-dependencies",
        {
            "pyproject.toml": _pyproject(
                '"dep-c"', extra='[tool.uv]\noverride-dependencies = ["dep-b==1.0"]'
            )
        },
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_project_with_overrides",
    ),
    # ---- environment variables and more selections
    Scenario(
        "run-uv-locked-env-stale",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", "print('ran')"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        env={"UV_LOCKED": "1"},
        stderr=("The lockfile at `uv.lock` needs to be updated, but `UV_LOCKED=1` was provided",),
        same_files=("uv.lock",),
        source="run_locked",
    ),
    Scenario(
        "run-uv-frozen-env-without-lock",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", "print('ran')"),
        env={"UV_FROZEN": "1"},
        stderr=("Unable to find lockfile at `uv.lock`",),
        source="run_frozen",
    ),
    Scenario(
        "run-uv-no-sync-env",
        {"pyproject.toml": PKG},
        ("run", "python", "-c", HAS, "pkg"),
        env={"UV_NO_SYNC": "1"},
        same_files=("uv.lock",),
        source="run_no_sync_env_var",
    ),
    Scenario(
        "run-uv-env-file-variable",
        {"pyproject.toml": PKG, "vars.env": "GREETING=hi\n"},
        ("run", "python", "-c", "import os; print(os.environ.get('GREETING'))"),
        env={"UV_ENV_FILE": "vars.env"},
        source="run_with_env_file",
    ),
    Scenario(
        "run-no-env-file-wins",
        {"pyproject.toml": PKG, "vars.env": "GREETING=hi\n"},
        ("run", "--no-env-file", "python", "-c", "import os; print(os.environ.get('GREETING'))"),
        env={"UV_ENV_FILE": "vars.env"},
        source="run_with_env_omitted",
    ),
    Scenario(
        "run-with-two-packages",
        {"pyproject.toml": PKG},
        ("run", "--with", "dep-a,colorful", "python", "-c", HAS, "dep_a", "colorful", "pkg"),
        source="run_with",
    ),
    Scenario(
        "run-all-extras",
        {"pyproject.toml": SIMPLE},
        ("run", "--all-extras", "python", "-c", HAS, "fancy", "colorful", "devtool"),
        source="run_with_extra_conflict",
    ),
    Scenario(
        "run-non-existent-group",
        {"pyproject.toml": SIMPLE},
        ("run", "--group", "nope", "python", "-c", "pass"),
        stderr=("Group `nope` is not defined in the project's `dependency-groups` table",),
        source="run_group",
    ),
    Scenario(
        "sync-all-extras",
        {"pyproject.toml": SIMPLE},
        ("sync", "--all-extras"),
        stderr=("Installed 6 packages", "+ colorful==1.0", "+ fancy==1.0"),
        source="sync",
    ),
    Scenario(
        "sync-only-group",
        {"pyproject.toml": SIMPLE},
        ("sync", "--only-group", "lint"),
        stderr=("Installed 1 package", "+ linter==1.0"),
        source="sync_group",
    ),
    Scenario(
        "sync-no-group-dev",
        {"pyproject.toml": SIMPLE},
        ("sync", "--no-group", "dev", "--group", "lint"),
        stderr=("Installed 4 packages", "+ linter==1.0"),
        source="sync_exclude_group",
    ),
    Scenario(
        "sync-include-group",
        {
            "pyproject.toml": _pyproject(
                '"pkg"',
                extra="""
                [dependency-groups]
                dev = ["devtool"]
                all = [{include-group = "dev"}, "linter"]
                """,
            )
        },
        ("sync", "--group", "all"),
        stderr=("+ devtool==1.0", "+ linter==1.0"),
        same_files=("uv.lock",),
        source="sync_include_group",
    ),
    Scenario(
        "sync-uv-frozen-env-stale-lock",
        {"pyproject.toml": PKG},
        ("sync",),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        env={"UV_FROZEN": "1"},
        stderr=("+ pkg==1.0",),
        same_files=("uv.lock",),
        source="frozen",
    ),
    Scenario(
        "lock-locked-stale",
        {"pyproject.toml": PKG},
        ("lock", "--locked"),
        setup=LOCKED,
        after_setup={"pyproject.toml": _pyproject('"pkg==1.1"')},
        stderr=("The lockfile at `uv.lock` needs to be updated",),
        same_files=("uv.lock",),
        source="lock_check",
    ),
    Scenario(
        "lock-invalid-toml",
        {"pyproject.toml": '[project\nname = "x"\n'},
        ("lock",),
        stderr=("pyproject.toml",),
        same_files=("uv.lock",),
        source="run_invalid_project_table",
    ),
    Scenario(
        "lock-platform-wheels-only",
        {"pyproject.toml": _pyproject('"native"')},
        ("lock",),
        stderr=("Resolved 2 packages",),
        same_files=("uv.lock",),
        source="lock_unsupported_tag",
    ),
    Scenario(
        "lock-requires-python-upper-bound",
        {"pyproject.toml": _pyproject('"newpy"', requires_python=">=3.10,<3.13")},
        ("lock",),
        stderr=("Resolved 2 packages",),
        same_files=("uv.lock",),
        source="lock_requires_python_upper",
    ),
    Scenario(
        "lock-upgrade",
        {"pyproject.toml": _pyproject('"dep-a"')},
        ("lock", "--upgrade"),
        setup=(("lock", "--resolution", "lowest"),),
        after_setup={"pyproject.toml": _pyproject('"dep-a"')},
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_upgrade_log",
    ),
    Scenario(
        "lock-extra-of-dependency-conditional",
        {"pyproject.toml": _pyproject('"fancy[color]; sys_platform == \'linux\'", "fancy"')},
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_conditional_dependency_extra",
    ),
    Scenario(
        "lock-dependency-group-only",
        {
            "pyproject.toml": _pyproject(
                "",
                extra="""
                [dependency-groups]
                dev = ["dep-a"]
                """,
            )
        },
        ("lock",),
        stderr=("Resolved 3 packages",),
        same_files=("uv.lock",),
        source="lock_dev",
    ),
)


_TIME = re.compile(r"\b\d+(\.\d+)?(ms|s)\b")


def _normalise(text: str, replacements: Mapping[str, str]) -> str:
    for old, new in sorted(replacements.items(), key=lambda item: -len(item[0])):
        text = text.replace(old, new)
    return _TIME.sub("[TIME]", text)


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


Run = Callable[[tuple[str, ...], Mapping[str, str], str | None], subprocess.CompletedProcess[str]]


def _runner(cli: Cli, tool: str, project: Path, settings: bool) -> Run:
    def run(
        args: tuple[str, ...], env: Mapping[str, str], stdin: str | None
    ) -> subprocess.CompletedProcess[str]:
        if tool == "uv":
            base = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
            argv = [str(cli.uv_bin), *args]
        else:
            base = clean_environment(
                {"ACCORD_INDEX_URL": cli.index_url, "UV_PYTHON": str(cli.python)}
            )
            argv = [str(cli.accord), *args]
        base.update({"UV_NO_CONFIG": "1", "UV_NO_PROGRESS": "1"})
        if settings:
            del base["UV_NO_CONFIG"]
            base["XDG_CONFIG_HOME"] = str(project.parent / "no-user-config")
        base.update(env)
        return subprocess.run(
            argv,
            cwd=project,
            env=base,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    return run


def _play(
    cli: Cli, scenario: Scenario, tool: str, project: Path
) -> subprocess.CompletedProcess[str]:
    _write(project, scenario.files)
    # `[tool.uv]` settings are part of some scenarios: both tools read them.
    run = _runner(cli, tool, project, settings="[tool.uv" in str(scenario.files))
    for step in scenario.setup:  # without `scenario.env`, which is for the compared command
        done = run(step, {}, None)
        assert done.returncode == 0, f"{tool} {' '.join(step)} (setup) failed:\n{done.stderr}"
    _write(project, scenario.after_setup)
    return run(scenario.args, scenario.env, scenario.stdin)


def _params() -> list[object]:
    params: list[object] = []
    for scenario in SCENARIOS:
        marks = []
        if scenario.xfail is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=scenario.xfail))
        params.append(pytest.param(scenario, id=scenario.id, marks=marks))
    return params


def test_scenario_ids_are_unique() -> None:
    ids = [scenario.id for scenario in SCENARIOS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("scenario", _params())
def test_differential(cli: Cli, scenario: Scenario, tmp_path: Path) -> None:
    projects = {tool: tmp_path / tool / "project" for tool in ("uv", "accord")}
    for project in projects.values():
        project.mkdir(parents=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            tool: pool.submit(_play, cli, scenario, tool, project)
            for tool, project in projects.items()
        }
        results = {tool: future.result() for tool, future in futures.items()}

    def normalised(tool: str, text: str) -> str:
        project = projects[tool]
        return _normalise(
            text,
            {
                str(project.resolve()): "[PROJECT]",
                str(project): "[PROJECT]",
                str(tmp_path.resolve()): "[TEMP]",
                str(cli.python): "[PYTHON]",
            },
        )

    uv, accord = results["uv"], results["accord"]
    report = (
        f"\n--- uv (exit {uv.returncode}) stdout:\n{uv.stdout}--- stderr:\n{uv.stderr}"
        f"--- accord (exit {accord.returncode}) stdout:\n{accord.stdout}"
        f"--- stderr:\n{accord.stderr}"
    )
    assert accord.returncode == uv.returncode, report
    if scenario.stdout:
        assert normalised("accord", accord.stdout) == normalised("uv", uv.stdout), report
    if scenario.same_stderr:
        # `Prepared …` depends on what each tool's session cache holds already
        # (tests/cli/test_output.py compares it on empty caches).
        def lines(tool: str, text: str) -> list[str]:
            shown = normalised(tool, text).splitlines()
            return [line for line in shown if not line.startswith("Prepared ")]

        assert lines("accord", accord.stderr) == lines("uv", uv.stderr), report
    for phrase in scenario.stderr:
        assert phrase in normalised("uv", uv.stderr), f"uv lacks {phrase!r}{report}"
        assert phrase in normalised("accord", accord.stderr), f"accord lacks {phrase!r}{report}"
    for relative in scenario.same_files:
        theirs, ours = projects["uv"] / relative, projects["accord"] / relative
        expected = theirs.read_bytes() if theirs.exists() else None
        actual = ours.read_bytes() if ours.exists() else None
        assert actual == expected, f"{relative} differs{report}"
