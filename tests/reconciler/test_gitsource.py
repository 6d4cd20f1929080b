"""Git sources against real local repositories (`git init` in tmp_path, `file://` URLs)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest

from accord.model.git import (
    GitReference,
    lock_url,
    parse_git_source,
    parse_lock_url,
    requirement_url,
)
from accord.reconciler.errors import ExitCode, GitFailed
from accord.reconciler.fetch.git import checkout, resolve_commit

SHA = "751a56845853108dc955e917be7f8e9198753631"


@attrs.frozen(kw_only=True)
class Origin:
    """A repository with `main` (c1 tagged `v1`, then c2) and a branch `dev` at c2."""

    path: Path
    url: str
    first: str
    second: str

    def git(self, *args: str) -> str:
        return _git("-C", str(self.path), *args)

    def commit(self, name: str, text: str) -> str:
        (self.path / name).parent.mkdir(parents=True, exist_ok=True)
        (self.path / name).write_text(text)
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", f"write {name}")
        return self.git("rev-parse", "HEAD")


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    return proc.stdout.strip()


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, and a fixed identity for the commits tests make."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "accord tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@accord.invalid")


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    path = tmp_path / "origin"
    _git("init", "--quiet", "-b", "main", str(path))
    repo = Origin(path=path, url=path.as_uri(), first="", second="")
    first = repo.commit("pkg/version.txt", "1\n")
    repo.git("tag", "-a", "v1", "-m", "release 1")  # annotated: the tag object is not the commit
    second = repo.commit("pkg/version.txt", "2\n")
    repo.git("branch", "dev")
    return attrs.evolve(repo, first=first, second=second)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _ref(
    origin: Origin, kind: str, value: str | None, subdirectory: str | None = None
) -> GitReference:
    return GitReference(url=origin.url, kind=kind, value=value, subdirectory=subdirectory)  # type: ignore[arg-type]


# --- resolve_commit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        pytest.param("tag", "v1", "first", id="tag"),
        pytest.param("branch", "dev", "second", id="branch"),
        pytest.param("default", None, "second", id="default-branch"),
        pytest.param("rev", "v1", "first", id="rev-tag-name"),
        pytest.param("rev", "dev", "second", id="rev-branch-name"),
    ],
)
def test_resolve_commit_follows_the_reference(
    origin: Origin, cache: Path, kind: str, value: str | None, expected: str
) -> None:
    assert resolve_commit(_ref(origin, kind, value), cache) == getattr(origin, expected)


def test_resolve_commit_accepts_a_short_rev(origin: Origin, cache: Path) -> None:
    assert resolve_commit(_ref(origin, "rev", origin.first[:10]), cache) == origin.first


def test_resolve_commit_keeps_a_bare_mirror(origin: Origin, cache: Path) -> None:
    resolve_commit(_ref(origin, "tag", "v1"), cache)
    (mirror,) = (cache / "git" / "db").iterdir()
    assert len(mirror.name) == 16
    assert _git("--git-dir", str(mirror), "rev-parse", "--is-bare-repository") == "true"


def test_resolve_commit_sees_a_moved_branch_after_fetch(origin: Origin, cache: Path) -> None:
    ref = _ref(origin, "branch", "dev")
    assert resolve_commit(ref, cache) == origin.second
    origin.git("checkout", "--quiet", "dev")
    third = origin.commit("pkg/version.txt", "3\n")

    assert resolve_commit(ref, cache, offline=True) == origin.second  # no fetch offline
    assert resolve_commit(ref, cache) == third


def test_resolve_commit_unknown_tag_fails(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitFailed) as info:
        resolve_commit(_ref(origin, "tag", "v9"), cache)
    mirror = next((cache / "git" / "db").iterdir())
    assert info.value.message == (
        f"Git tag `v9` not found in `{origin.url}`\n\n"
        f"`git --git-dir {mirror} rev-parse --verify --quiet --end-of-options "
        "'refs/tags/v9^{commit}'` exited with code 1"
    )
    assert info.value.hint == "is the branch/tag name right?"
    assert info.value.exit_code == ExitCode.FAILURE


def test_resolve_commit_offline_without_mirror_fails(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitFailed) as info:
        resolve_commit(_ref(origin, "tag", "v1"), cache, offline=True)
    assert info.value.message == (
        f"Git repository `{origin.url}` is not in the cache, and network access is disabled"
    )
    assert info.value.hint == "run once without --offline to fetch it"
    assert not (cache / "git" / "db").exists()


def test_resolve_commit_missing_repository_fails(tmp_path: Path, cache: Path) -> None:
    url = (tmp_path / "nowhere").as_uri()
    ref = GitReference(url=url, kind="default", value=None)
    with pytest.raises(GitFailed) as info:
        resolve_commit(ref, cache)
    first, _, rest = info.value.message.partition("\n\n`git clone --mirror --quiet -- ")
    assert first == f"Failed to clone `{url}`"
    assert " exited with code 128\n[git stderr]\n" in rest
    assert "fatal:" in info.value.stderr
    assert info.value.returncode == 128
    assert info.value.hint == "is the repository URL right, and reachable?"
    assert list((cache / "git" / "db").iterdir()) == []  # the staging directory is gone


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_holds_exactly_the_commit(origin: Origin, cache: Path) -> None:
    ref = _ref(origin, "tag", "v1")
    tree = checkout(ref, resolve_commit(ref, cache), cache)
    assert tree.parent.parent == cache / "git" / "checkouts"
    assert tree.name == origin.first
    assert (tree / "pkg" / "version.txt").read_text() == "1\n"
    assert _git("-C", str(tree), "rev-parse", "HEAD") == origin.first
    assert [p.name for p in tree.parent.iterdir()] == [origin.first]  # no staging leftovers


def test_checkout_is_made_once(
    origin: Origin, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = _ref(origin, "branch", "dev")
    tree = checkout(ref, resolve_commit(ref, cache), cache)
    stamp = tree.stat().st_mtime_ns
    shutil.rmtree(cache / "git" / "db")
    monkeypatch.setenv("PATH", "")  # any git process would now fail to start

    assert checkout(ref, origin.second, cache) == tree
    assert tree.stat().st_mtime_ns == stamp
    assert (tree / "pkg" / "version.txt").read_text() == "2\n"


def test_checkout_clones_when_no_mirror(origin: Origin, cache: Path) -> None:
    tree = checkout(_ref(origin, "default", None), origin.first, cache)
    assert (tree / "pkg" / "version.txt").read_text() == "1\n"


def test_checkout_fetches_a_missing_commit(origin: Origin, cache: Path) -> None:
    ref = _ref(origin, "branch", "dev")
    resolve_commit(ref, cache)
    origin.git("checkout", "--quiet", "dev")
    third = origin.commit("pkg/version.txt", "3\n")

    tree = checkout(ref, third, cache)
    assert (tree / "pkg" / "version.txt").read_text() == "3\n"


def test_checkout_offline_missing_commit_fails(origin: Origin, cache: Path) -> None:
    ref = _ref(origin, "branch", "dev")
    resolve_commit(ref, cache)
    origin.git("checkout", "--quiet", "dev")
    third = origin.commit("pkg/version.txt", "3\n")
    with pytest.raises(GitFailed) as info:
        checkout(ref, third, cache, offline=True)
    assert info.value.message == f"Git commit {third} not found in `{origin.url}`"
    assert info.value.hint == "run once without --offline to fetch it"


def test_checkout_unknown_commit_fails(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitFailed) as info:
        checkout(_ref(origin, "default", None), "0" * 40, cache)
    assert info.value.message.startswith(f"Git commit {'0' * 40} not found in `{origin.url}`")
    assert info.value.hint == (
        "was it removed from the repository (a force-push)? lock again to pick a current one"
    )
    assert not (cache / "git" / "checkouts").exists()


def test_checkout_returns_the_subdirectory(origin: Origin, cache: Path) -> None:
    tree = checkout(_ref(origin, "tag", "v1", subdirectory="pkg"), origin.first, cache)
    assert tree == cache / "git" / "checkouts" / tree.parent.parent.name / origin.first / "pkg"
    assert (tree / "version.txt").read_text() == "1\n"


def test_checkout_missing_subdirectory_fails(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitFailed) as info:
        checkout(_ref(origin, "tag", "v1", subdirectory="lib"), origin.first, cache)
    assert info.value.message == (
        f"Git repository `{origin.url}` has no directory `lib` at commit {origin.first}"
    )
    assert info.value.hint == "is the `subdirectory` right?"


def test_checkout_rejects_a_short_commit(origin: Origin, cache: Path) -> None:
    with pytest.raises(ValueError, match="not a full commit sha"):
        checkout(_ref(origin, "default", None), origin.first[:12], cache)


# --- URL forms --------------------------------------------------------------------------------

ROUND_TRIPS = [
    pytest.param(
        GitReference(url="file:///abs/gitrepo", kind="rev", value="v0.2.0"),
        f"file:///abs/gitrepo?rev=v0.2.0#{SHA}",
        id="uv-doc-example",
    ),
    pytest.param(
        GitReference(url="https://github.com/o/r", kind="default", value=None),
        f"https://github.com/o/r#{SHA}",
        id="default-branch",
    ),
    pytest.param(
        GitReference(url="https://github.com/o/r.git", kind="tag", value="v1"),
        f"https://github.com/o/r.git?tag=v1#{SHA}",
        id="tag",
    ),
    pytest.param(
        GitReference(url="https://github.com/o/r", kind="branch", value="feature/x y"),
        f"https://github.com/o/r?branch=feature%2Fx+y#{SHA}",
        id="branch-form-encoded",
    ),
    pytest.param(
        GitReference(url="https://github.com/o/r", kind="tag", value="v1", subdirectory="libs/a"),
        f"https://github.com/o/r?subdirectory=libs%2Fa&tag=v1#{SHA}",
        id="subdirectory-first",
    ),
    pytest.param(
        GitReference(url="file:///r", kind="default", value=None, subdirectory="pkg"),
        f"file:///r?subdirectory=pkg#{SHA}",
        id="subdirectory-default-branch",
    ),
    pytest.param(
        GitReference(url="https://github.com/o/r", kind="rev", value=SHA),
        f"https://github.com/o/r?rev={SHA}#{SHA}",
        id="full-sha-rev",
    ),
]


@pytest.mark.parametrize(("ref", "text"), ROUND_TRIPS)
def test_lock_url_round_trips(ref: GitReference, text: str) -> None:
    assert lock_url(ref, SHA) == text
    assert parse_lock_url(text) == (ref, SHA)


@pytest.mark.parametrize(("ref", "text"), ROUND_TRIPS)
def test_requirement_url_drops_the_commit(ref: GitReference, text: str) -> None:
    assert requirement_url(ref) == text.partition("#")[0]


def test_lock_url_removes_credentials() -> None:
    https = GitReference(url="https://user:tok@host/r", kind="tag", value="v1")
    ssh = GitReference(url="ssh://git@github.com/o/r", kind="default", value=None)
    assert lock_url(https, SHA) == f"https://host/r?tag=v1#{SHA}"
    assert requirement_url(ssh) == "ssh://git@github.com/o/r"


def test_parse_lock_url_accepts_git_plus() -> None:
    ref, commit = parse_lock_url(f"git+file:///abs/gitrepo?rev=v0.2.0#{SHA}")
    assert ref == GitReference(url="file:///abs/gitrepo", kind="rev", value="v0.2.0")
    assert commit == SHA


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("file:///r?tag=v1", "must end in `#<40-hex commit>`", id="no-fragment"),
        pytest.param("file:///r?tag=v1#751a568", "must end in `#<40-hex commit>`", id="short"),
        pytest.param(f"file:///r?path=a.tar.gz#{SHA}", "unsupported or repeated", id="path-key"),
        pytest.param(f"file:///r?tag=v1&branch=b#{SHA}", "unsupported or repeated", id="two-refs"),
        pytest.param(f"file:///r?rev={'0' * 40}#{SHA}", "differs from the locked", id="rev-sha"),
        pytest.param(f"file:///r?subdirectory=..%2Fx#{SHA}", "relative path", id="escape"),
    ],
)
def test_parse_lock_url_rejects(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_lock_url(text)


def test_lock_url_rejects_a_short_commit() -> None:
    with pytest.raises(ValueError, match="not a full commit sha"):
        lock_url(GitReference(url="file:///r", kind="default", value=None), "abc123")


# --- parse_git_source -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(
            {"git": "https://github.com/o/r"},
            GitReference(url="https://github.com/o/r", kind="default", value=None),
            id="default",
        ),
        pytest.param(
            {"git": "https://github.com/o/r", "tag": "v1", "subdirectory": "libs/a/"},
            GitReference(
                url="https://github.com/o/r", kind="tag", value="v1", subdirectory="libs/a"
            ),
            id="tag-subdirectory",
        ),
        pytest.param(
            {"git": "git+ssh://git@github.com/o/r", "branch": "dev", "marker": "os_name == 'nt'"},
            GitReference(url="ssh://git@github.com/o/r", kind="branch", value="dev"),
            id="branch-git-plus",
        ),
        pytest.param(
            {"git": "file:///r", "rev": "abc123", "subdirectory": "."},
            GitReference(url="file:///r", kind="rev", value="abc123"),
            id="rev-dot-subdirectory",
        ),
    ],
)
def test_parse_git_source_reads_the_entry(table: dict[str, object], expected: GitReference) -> None:
    assert parse_git_source(table) == expected


@pytest.mark.parametrize(
    ("table", "error"),
    [
        pytest.param({"path": "x"}, "`git` must be a non-empty URL string", id="no-git"),
        pytest.param({"git": "file:///r", "tag": "a", "rev": "b"}, "at most one", id="two-refs"),
        pytest.param({"git": "file:///r", "branch": 3}, "`branch` must be", id="not-a-string"),
        pytest.param({"git": "file:///r?x=1"}, "without a query", id="query"),
        pytest.param({"git": "file:///r", "subdirectory": "/abs"}, "relative path", id="absolute"),
    ],
)
def test_parse_git_source_rejects(table: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_git_source(table)
