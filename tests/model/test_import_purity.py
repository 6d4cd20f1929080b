"""The pure core stays pure: what ``model`` imports, and what its source never calls (STYLE 2.1)."""

from __future__ import annotations

import io
import json
import pkgutil
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import accord.model

MODEL_DIR = Path(accord.model.__file__).parent
MODULES = sorted(f"accord.model.{info.name}" for info in pkgutil.iter_modules([str(MODEL_DIR)]))
FORBIDDEN_PACKAGES = ("click", "tomlkit", "cattrs", "resolvelib", "urllib3", "rich")
FORBIDDEN_CALLS = (
    "open(",
    "read_text",
    "os.environ",
    "subprocess",
    "sys.executable",
    "default_environment",
    "sys_tags",
)


def test_model_modules_are_discovered() -> None:
    assert {f"accord.model.{name}" for name in ("desired", "lock", "plan", "render")} <= set(
        MODULES
    )


def test_model_import_loads_no_shell_or_heavy_packages() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {['accord.model', *MODULES]!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    # -I (isolated mode): no PYTHON* variable or user site can pre-import anything, and the
    # working directory is not on sys.path, so the repository root is put there explicitly.
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(MODEL_DIR.parent.parent)!r})\n" + code,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert set(MODULES) <= set(loaded)
    offending = sorted(
        name
        for name in loaded
        if name.split(".", 1)[0] in FORBIDDEN_PACKAGES or name.startswith("accord.reconciler")
    )
    assert offending == []


def _code_lines(source: str) -> dict[int, str]:
    """Source lines with comments and string literals (docstrings) blanked out."""
    lines: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING):
            continue
        lines.setdefault(token.start[0], []).append(token.string)
    return {number: " ".join(parts) for number, parts in lines.items()}


def _violations(source: str) -> list[str]:
    return [
        f"{number}: {needle}"
        for number, line in sorted(_code_lines(source).items())
        for needle in FORBIDDEN_CALLS
        # tokens are joined with spaces, so `open (` and `os . environ` must match too
        if re.search(r"(?<!\w)" + r"\s*".join(map(re.escape, needle)), line)
    ]


def test_violations_ignore_docstrings_and_comments() -> None:
    source = '"""Touches no subprocess, never calls open()."""\nx = 1  # sys.executable\n'
    assert _violations(source) == []


def test_violations_find_planted_calls() -> None:
    source = (
        "import os\n"
        "a = Path('x').read_text()\n"
        "b = os.environ['HOME']\n"
        "with path.open() as f: pass\n"
        "reopen(1)\n"
    )
    assert _violations(source) == ["2: read_text", "3: os.environ", "4: open("]


@pytest.mark.parametrize("path", sorted(MODEL_DIR.glob("*.py")), ids=lambda path: path.name)
def test_model_source_uses_no_io_or_running_interpreter(path: Path) -> None:
    assert _violations(path.read_text(encoding="utf-8")) == []
