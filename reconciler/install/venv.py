"""Virtual environments: create an environment ourselves, remove one.

Shell side; touches only the environment directory given (and a temporary sibling of it).
Creation writes the layout directly instead of running ``python -m venv`` (as uv does, for
speed): ``pyvenv.cfg``, ``bin/python*`` symlinks to the real base interpreter, an empty
``site-packages``, ``lib64 -> lib``, ``bin/activate``, ``.gitignore``, ``CACHEDIR.TAG`` and
``.lock`` (the file ``reconciler.install.envlock`` locks, as uv names it).
The result is a standard PEP 405 environment that CPython's ``site`` and uv both accept.
POSIX only for now (no ``Scripts\\`` layout).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import EnvironmentNotRecreatable
from accord.reconciler.interpreters.layout import site_packages_path, venv_interpreter_path

__all__ = [
    "check_replaceable",
    "create_venv",
    "remove_venv",
]

# uv writes exactly these bytes (no trailing newline); see https://bford.info/cachedir/
_CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55"


def _has_venv_layout(path: Path) -> bool:
    """``bin/python`` and a ``lib/python*/site-packages``: an environment, even one whose
    ``pyvenv.cfg`` was deleted (uv and ``python -m venv`` both write this layout)."""
    if not os.path.lexists(venv_interpreter_path(path)):
        return False
    try:
        return any(
            (path / "lib" / entry / "site-packages").is_dir()
            for entry in os.listdir(path / "lib")
            if entry.startswith("python")
        )
    except OSError:
        return False


def check_replaceable(path: Path) -> None:
    """Raise ``EnvironmentNotRecreatable`` unless accord may replace what is at ``path``.

    Replaceable: nothing, an empty directory, a directory with ``pyvenv.cfg`` (whatever its
    contents), or one with an environment's layout whose ``pyvenv.cfg`` is gone. Anything else
    (a file, a directory of someone's files) is left alone, in uv's words.
    """
    path = Path(os.path.abspath(path))
    if not os.path.lexists(path):
        return
    if path.is_symlink() and not path.is_dir():
        reason = "it is a symbolic link to nothing"
    elif not path.is_dir():
        reason = "expected directory but found a file"
    elif (path / "pyvenv.cfg").is_file() or _has_venv_layout(path):
        return
    else:
        try:
            if not any(path.iterdir()):
                return
        except OSError as exc:
            raise EnvironmentNotRecreatable(
                f"Project virtual environment directory `{path}` cannot be used because it "
                f"cannot be read: {exc.strerror or exc}",
                path=path,
            ) from exc
        reason = "it is not a valid Python environment (no Python executable was found)"
    raise EnvironmentNotRecreatable(
        f"Project virtual environment directory `{path}` cannot be used because {reason}",
        hint="remove it yourself, or point the project environment elsewhere",
        path=path,
    )


def create_venv(path: Path, interpreter: Interpreter, *, prompt: str | None = None) -> None:
    """Create a virtual environment at ``path`` for ``interpreter``'s base installation.

    ``path`` must be absent or an empty directory (call ``remove_venv`` first to replace an
    environment). The environment is assembled in a temporary sibling and renamed into place,
    so an interruption never leaves a half-made environment at ``path``. Raises
    ``EnvironmentNotRecreatable`` when ``path`` holds something else or cannot be written.
    """
    path = Path(os.path.abspath(path))
    if path.is_symlink() or (path.exists() and (not path.is_dir() or any(path.iterdir()))):
        raise EnvironmentNotRecreatable(
            f"`{_display(path)}` cannot be created because the path already exists and is not"
            " an empty directory",
            hint="remove it yourself, or point the project environment elsewhere",
            path=path,
        )
    from accord.reconciler.filelocks import scratch_directory, sweep_scratch

    # An environment a killed process was removing (renamed aside, see remove_venv).
    sweep_scratch(path.parent, f".{path.name}.removing-")
    try:
        # The scratch directory is private (0700); the environment itself is made inside it
        # with the caller's umask. Held while it exists: one a killed process left is removed.
        with scratch_directory(path.parent, f".{path.name}.tmp-") as staging:
            (staging / path.name).mkdir()
            _populate(staging / path.name, path, interpreter, prompt)
            # rename(2) replaces an empty directory atomically.
            os.rename(staging / path.name, path)
    except OSError as exc:
        raise EnvironmentNotRecreatable(
            f"`{_display(path)}` could not be created: {exc.strerror or exc}",
            hint="check that the directory is writable",
            path=path,
        ) from exc


def remove_venv(path: Path) -> None:
    """Remove the environment at ``path`` if it is one (has ``pyvenv.cfg``, or an environment's
    layout without it) or is empty.

    Anything else is a user's directory and is left alone: ``EnvironmentNotRecreatable``.
    The directory is first renamed aside, so an interrupted removal leaves no broken
    environment behind at ``path``.
    """
    path = Path(os.path.abspath(path))
    if not os.path.lexists(path):
        return
    is_dir = path.is_dir() and not path.is_symlink()
    if not is_dir or not (
        (path / "pyvenv.cfg").is_file() or _has_venv_layout(path) or not any(path.iterdir())
    ):
        raise EnvironmentNotRecreatable(
            f"`{_display(path)}` is not a compatible environment but cannot be recreated"
            " because it is not a virtual environment",
            hint="remove it yourself, or point the project environment elsewhere",
            path=path,
        )
    from accord.reconciler.filelocks import scratch_directory

    try:
        # Held while it is removed: what a killed removal leaves, a later one removes.
        with scratch_directory(path.parent, f".{path.name}.removing-") as aside:
            os.rename(path, aside / path.name)
            shutil.rmtree(aside / path.name)
    except OSError as exc:
        raise EnvironmentNotRecreatable(
            f"`{_display(path)}` could not be removed: {exc.strerror or exc}",
            hint="remove it yourself, or point the project environment elsewhere",
            path=path,
        ) from exc


def _populate(root: Path, final: Path, interpreter: Interpreter, prompt: str | None) -> None:
    base = Path(os.path.realpath(interpreter.base_executable))
    version = interpreter.version
    lines = [
        f"home = {base.parent}",
        f"implementation = {_implementation_display(interpreter.implementation)}",
        f"accord = {_accord_version()}",
        f"version_info = {version}",
        "include-system-site-packages = false",
    ]
    if prompt is not None:
        lines.append(f"prompt = {prompt}")
    (root / "pyvenv.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")

    bin_dir = root / "bin"
    bin_dir.mkdir()
    # CPython finds pyvenv.cfg next to the *unresolved* executable's directory, then `home`.
    (bin_dir / "python").symlink_to(base)
    for alias in (f"python{version.major}", f"python{version.major}.{version.minor}"):
        (bin_dir / alias).symlink_to("python")
    (root / site_packages_path(interpreter)).mkdir(parents=True)
    # venv's own rule for the lib64 alias (Lib/venv/__init__.py).
    if sys.maxsize > 2**32 and os.name == "posix" and sys.platform != "darwin":
        (root / "lib64").symlink_to("lib")
    (bin_dir / "activate").write_text(_activate_script(final, prompt or final.name), "utf-8")
    (root / ".gitignore").write_text("*", encoding="utf-8")
    (root / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")
    # The file syncs lock (reconciler.install.envlock), uv's name for it: made with the environment,
    # so the first sync that locks it changes nothing in the environment's listing.
    (root / ".lock").write_bytes(b"")


def _implementation_display(name: str) -> str:
    return {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(name, name)


def _accord_version() -> str:
    from accord.reconciler import __version__

    return __version__


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _activate_script(venv: Path, prompt: str) -> str:
    import shlex

    return _ACTIVATE.replace("@VIRTUAL_ENV@", shlex.quote(str(venv))).replace(
        "@PROMPT@", shlex.quote(prompt)
    )


_ACTIVATE = """\
# This file must be used with "source bin/activate" *from bash or zsh*.
# You cannot run it directly.

deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH:-}" ] ; then
        PATH="${_OLD_VIRTUAL_PATH}"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME:-}" ] ; then
        PYTHONHOME="${_OLD_VIRTUAL_PYTHONHOME}"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1+set}" ] ; then
        PS1="${_OLD_VIRTUAL_PS1}"
        export PS1
        unset _OLD_VIRTUAL_PS1
    fi
    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
    hash -r 2> /dev/null
    if [ ! "${1:-}" = "nondestructive" ] ; then
        unset -f deactivate
    fi
}

deactivate nondestructive

VIRTUAL_ENV=@VIRTUAL_ENV@
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH

VIRTUAL_ENV_PROMPT=@PROMPT@
export VIRTUAL_ENV_PROMPT

if [ -n "${PYTHONHOME:-}" ] ; then
    _OLD_VIRTUAL_PYTHONHOME="${PYTHONHOME}"
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT:-}" ] ; then
    _OLD_VIRTUAL_PS1="${PS1:-}"
    PS1="(${VIRTUAL_ENV_PROMPT}) ${PS1:-}"
    export PS1
fi

hash -r 2> /dev/null
"""
