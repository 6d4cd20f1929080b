"""Git sources: a mirror cache and commit checkouts (shell side).

Touches only ``<cache>/git/`` and runs the ``git`` executable. A repository is kept once as a bare
mirror in ``git/db/<key>`` (cloned the first time, ``git fetch --prune``-ed on later resolves unless
offline); each commit a build needs is checked out once into ``git/checkouts/<key>/<commit>/`` and
never touched again, so a second ``checkout`` of the same commit runs no git at all. ``<key>`` is
the first 16 hex digits of the SHA-256 of the repository URL. Both directories are filled in a
temporary sibling and renamed into place, so a crash never leaves a half-made one behind.

The references and their URL forms are pure values: ``accord.model.git``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from accord.model.git import FULL_SHA, GitReference, remove_credentials
from accord.reconciler.console import step_started
from accord.reconciler.errors import GitFailed

__all__ = ["checkout", "resolve_commit"]

# Variables that would point our git commands at some other repository (e.g. when accord runs
# from inside a git hook).
_REPO_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
)
_STDERR_TAIL = 20


# --- the cache (I/O) ----------------------------------------------------------------------------


def resolve_commit(ref: GitReference, cache: Path, *, offline: bool = False) -> str:
    """The full commit sha ``ref`` points at now.

    Clones the repository into the mirror on first use, else fetches it (``--prune``) unless
    ``offline``; then resolves ``refs/heads/<branch>``, ``refs/tags/<tag>^{commit}``, the rev, or
    ``HEAD`` for the default branch. Raises ``GitFailed`` when git fails, the ref is unknown, or
    ``offline`` and the repository was never fetched.
    """
    shown = remove_credentials(ref.url)
    if not offline:  # uv's lines, as it fetches
        step_started(f"   Updating {shown} ({ref.value if ref.kind != 'default' else 'HEAD'})")
    mirror = _ensure_mirror(ref.url, cache, offline=offline, fetch=True)
    spec = {
        "branch": f"refs/heads/{ref.value}",
        "tag": f"refs/tags/{ref.value}",
        "rev": ref.value,
        "default": "HEAD",
    }[ref.kind]
    command = [*_git_dir(mirror), "rev-parse", "--verify", "--quiet", "--end-of-options"]
    proc = _run([*command, f"{spec}^{{commit}}"])
    if proc.returncode != 0:
        what = "default branch" if ref.kind == "default" else f"{ref.kind} `{ref.value}`"
        hint = (
            "is the branch/tag name right?"
            if ref.kind != "rev"
            else "is the branch, tag or commit right?"
        )
        raise _failure(f"Git {what} not found in {_display(ref.url)}", proc, ref.url, hint=hint)
    commit = proc.stdout.strip()
    if not offline:
        sys.stderr.write(f"    Updated {shown} ({commit})\n")
    return commit


def checkout(ref: GitReference, commit: str, cache: Path, *, offline: bool = False) -> Path:
    """The working tree of exactly ``commit`` (or its ``subdirectory``), made once under
    ``<cache>/git/checkouts/<key>/<commit>/`` and shared read-only afterwards: callers must not
    write into it (builds copy it or build out of tree).

    When the tree exists, returns it without running git. Otherwise takes the commit from the
    mirror, fetching into (or cloning) the mirror first if the commit is not there (never when
    ``offline``). Raises ``GitFailed`` when git fails, the commit cannot be found, or the
    subdirectory does not exist at that commit; ``ValueError`` if ``commit`` is not 40-hex.
    """
    if not FULL_SHA.fullmatch(commit):
        raise ValueError(f"not a full commit sha: {commit!r}")
    dest = cache / "git" / "checkouts" / _key(ref.url) / commit
    if not dest.is_dir():
        mirror = _ensure_mirror(ref.url, cache, offline=offline, fetch=False)
        _ensure_commit(ref.url, mirror, commit, offline=offline)
        _make_checkout(ref.url, mirror, commit, dest)
    if ref.subdirectory is None:
        return dest
    tree = dest / ref.subdirectory
    if not tree.is_dir():
        raise GitFailed(
            f"Git repository {_display(ref.url)} has no directory `{ref.subdirectory}` "
            f"at commit {commit}",
            hint="is the `subdirectory` right?",
        )
    return tree


def _key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _ensure_mirror(url: str, cache: Path, *, offline: bool, fetch: bool) -> Path:
    """The bare mirror of ``url``: cloned if absent, else fetched when ``fetch`` and online."""
    mirror = cache / "git" / "db" / _key(url)
    if mirror.is_dir():
        if fetch and not offline:
            proc = _run([*_git_dir(mirror), "fetch", "--prune", "--quiet", "origin"])
            if proc.returncode != 0:
                raise _failure(
                    f"Failed to fetch {_display(url)}",
                    proc,
                    url,
                    hint="is the repository reachable? --offline uses the cached copy",
                )
        return mirror
    if offline:
        raise GitFailed(
            f"Git repository {_display(url)} is not in the cache, and network access is disabled",
            hint="run once without --offline to fetch it",
        )
    mirror.parent.mkdir(parents=True, exist_ok=True)
    with _staging(mirror) as tmp:
        proc = _run(["git", "clone", "--mirror", "--quiet", "--", url, str(tmp)])
        if proc.returncode != 0:
            raise _failure(
                f"Failed to clone {_display(url)}",
                proc,
                url,
                hint="is the repository URL right, and reachable?",
            )
        _publish(tmp, mirror)
    return mirror


def _ensure_commit(url: str, mirror: Path, commit: str, *, offline: bool) -> None:
    """Make sure ``commit`` is in the mirror: if missing, fetch every ref, then the sha itself
    (a commit no ref reaches any more, e.g. after a force-push, may still be served)."""

    def present() -> bool:
        return _run([*_git_dir(mirror), "cat-file", "-e", f"{commit}^{{commit}}"]).returncode == 0

    if present():
        return
    message = f"Git commit {commit} not found in {_display(url)}"
    if offline:
        raise GitFailed(message, hint="run once without --offline to fetch it")
    proc = _run([*_git_dir(mirror), "fetch", "--prune", "--quiet", "origin"])
    if proc.returncode == 0 and present():
        return
    if proc.returncode == 0:
        proc = _run([*_git_dir(mirror), "fetch", "--quiet", "origin", commit])
        if proc.returncode == 0 and present():
            return
    hint = "was it removed from the repository (a force-push)? lock again to pick a current one"
    if proc.returncode == 0:
        raise GitFailed(message, hint=hint)
    raise _failure(message, proc, url, hint=hint)


def _make_checkout(url: str, mirror: Path, commit: str, dest: Path) -> None:
    # A real clone (objects hard-linked from the mirror) rather than `git archive`: build
    # backends such as setuptools-scm and hatch-vcs read `.git` for the version, as with uv.
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _staging(dest) as tmp:
        steps = (
            ["git", "clone", "--local", "--no-checkout", "--quiet", "--", str(mirror), str(tmp)],
            ["git", "-C", str(tmp), "checkout", "--quiet", "--detach", commit],
        )
        for command in steps:
            proc = _run(command)
            if proc.returncode != 0:
                raise _failure(f"Failed to check out {commit} of {_display(url)}", proc, url)
        _publish(tmp, dest)


class _staging:
    """A temporary sibling directory of ``dest``, removed on exit unless it was renamed away."""

    def __init__(self, dest: Path) -> None:
        self._dest = dest
        self._tmp: Path | None = None

    def __enter__(self) -> Path:
        self._tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{self._dest.name}-", dir=self._dest.parent))
        return self._tmp

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None and self._tmp.exists():
            shutil.rmtree(self._tmp, ignore_errors=True)


def _publish(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``; if another process got there first, keep theirs."""
    try:
        os.rename(tmp, dest)
    except OSError as exc:
        if not dest.is_dir():
            raise GitFailed(f"Cannot create {dest}: {exc.strerror}", path=dest) from exc


def _git_dir(mirror: Path) -> list[str]:
    return ["git", "--git-dir", str(mirror)]


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _REPO_ENV}
    # Never stop for a password prompt, and leave LFS pointers alone (uv does not fetch LFS
    # objects unless asked to, and accord does not support `lfs = true`).
    env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="echo", GIT_LFS_SKIP_SMUDGE="1")
    return env


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(command), capture_output=True, text=True, env=_environment(), check=False
        )
    except FileNotFoundError as exc:
        raise GitFailed(
            "git is not installed (or not on PATH)", hint="git sources need the `git` executable"
        ) from exc


def _display(url: str) -> str:
    return f"`{remove_credentials(url)}`"


def _failure(
    message: str, proc: subprocess.CompletedProcess[str], url: str, *, hint: str | None = None
) -> GitFailed:
    """A ``GitFailed`` naming the command, its exit code and stderr's tail, credentials removed."""
    safe = remove_credentials(url)
    command = [safe if arg == url else arg for arg in proc.args]
    lines = proc.stderr.replace(url, safe).rstrip("\n").splitlines()[-_STDERR_TAIL:]
    return GitFailed(
        message, command=command, returncode=proc.returncode, stderr="\n".join(lines), hint=hint
    )
