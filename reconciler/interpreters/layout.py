"""Where things are in a virtual environment (interpreters stage): its interpreter, its
``pyvenv.cfg``, its site-packages. Read by discovery, observation and installation alike."""

from __future__ import annotations

import os
from pathlib import Path

from accord.model.interpreter import Interpreter

__all__ = ["is_environment_of", "read_pyvenv_cfg", "site_packages_path", "venv_interpreter_path"]


def venv_interpreter_path(venv: Path) -> Path:
    """The environment's interpreter, ``<venv>/bin/python``."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def is_environment_of(interpreter: Interpreter, venv: Path) -> bool:
    """Whether ``interpreter`` is the one of the environment at ``venv`` (the same directory,
    however either path was spelled)."""
    if not interpreter.is_venv:
        return False
    try:
        return Path(interpreter.prefix).samefile(venv)
    except OSError:
        return False


def read_pyvenv_cfg(venv: Path) -> dict[str, str] | None:
    """``<venv>/pyvenv.cfg`` as a dict (keys lowercased, values stripped); None if unreadable."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    config: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            config[key.strip().lower()] = value.strip()
    return config


def site_packages_path(interpreter: Interpreter) -> str:
    # site.py uses `python3.13t` for free-threaded builds (PEP 703); their ABI tags end in `t`.
    version = f"{interpreter.version.major}.{interpreter.version.minor}"
    abi = f"cp{interpreter.version.major}{interpreter.version.minor}t"
    threaded = "t" if any(tag.split("-")[1] == abi for tag in interpreter.tags[:3]) else ""
    return f"lib/python{version}{threaded}/site-packages"
