"""`lock_changes`: the lines uv 0.13.8 prints after a lock changes (``LockEvent`` in uv's
crates/uv/src/commands/project/lock.rs): each name's set of versions before and after."""

from __future__ import annotations

from accord.model.lock import Source, SourceKind, lock_changes
from tests.model.factories import lock, locked

REPO = "https://example.invalid/repo.git?branch=main"
FIRST, SECOND = "0123abcd" * 5, "fedcba98" * 5


def _git(commit: str) -> Source:
    return Source(SourceKind.GIT, f"{REPO}#{commit}")


def test_lock_changes_a_new_version_is_an_update() -> None:
    before, after = lock(locked("pkg", "1.0")), lock(locked("pkg", "1.1"))
    assert lock_changes(before, after) == ["Updated pkg v1.0 -> v1.1"]
    assert lock_changes(before, after, planned=True) == ["Update pkg v1.0 -> v1.1"]


def test_lock_changes_added_and_removed_with_every_version() -> None:
    before = lock(locked("gone", "1.0"), locked("gone", "2.0"))
    after = lock(locked("new", "3.0"))
    # By name, as uv orders them.
    assert lock_changes(before, after) == ["Removed gone v1.0, v2.0", "Added new v3.0"]


def test_lock_changes_a_second_version_updates_the_whole_set() -> None:
    before = lock(locked("pkg", "1.0"))
    after = lock(locked("pkg", "2.0"), locked("pkg", "1.0"))
    assert lock_changes(before, after) == ["Updated pkg v1.0 -> v1.0, v2.0"]


def test_lock_changes_a_moved_git_commit_is_shown_by_its_first_8_digits() -> None:
    before = lock(locked("gitpkg", "0.1", source=_git(FIRST)))
    after = lock(locked("gitpkg", "0.1", source=_git(SECOND)))
    assert lock_changes(before, after) == ["Updated gitpkg v0.1 (0123abcd) -> v0.1 (fedcba98)"]


def test_lock_changes_a_dynamic_version_reads_dynamic() -> None:
    tree = Source(SourceKind.EDITABLE, "../lib")
    static, dynamic = locked("lib", "1.0", source=tree), locked("lib", None, source=tree)
    assert lock_changes(lock(static), lock(dynamic)) == ["Updated lib v1.0 -> (dynamic)"]
    assert lock_changes(lock(dynamic), lock(static)) == ["Updated lib (dynamic) -> v1.0"]
    assert lock_changes(lock(dynamic), lock(dynamic)) == []


def test_lock_changes_a_first_lock_reports_nothing_unless_planned() -> None:
    after = lock(locked("pkg", "1.0"))
    assert lock_changes(None, after) == []
    assert lock_changes(None, after, planned=True) == ["Add pkg v1.0"]
