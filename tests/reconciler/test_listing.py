"""An unpacked wheel's listing, read once and kept in the cache (install/listing.py)."""

from __future__ import annotations

import os
from pathlib import Path

from accord.reconciler.install.listing import tree_listing


def _tree(root: Path) -> Path:
    tree = root / "unpacked" / "abc123"
    for relative in ("pkg/__init__.py", "pkg/sub/mod.py", "pkg-1.0.dist-info/METADATA"):
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text("x")
    (tree / "pkg-1.0.data" / "purelib").mkdir(parents=True)  # a directory without files
    return tree


def _walked(tree: Path) -> list[tuple[str, list[str]]]:
    top = str(tree)
    return [(d[len(top) + 1 :].replace(os.sep, "/"), f) for d, _, f in os.walk(top)]


def test_listing_is_the_walk_and_is_kept(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    first = tree_listing(tree)
    assert first == _walked(tree)
    assert ("pkg-1.0.data/purelib", []) in first
    assert (tmp_path / "listings" / "abc123").is_file()
    # The tree never changes once unpacked: the kept listing is what is read from now on.
    (tree / "pkg" / "sub" / "mod.py").unlink()
    assert tree_listing(tree) == first


def test_a_damaged_listing_is_made_again(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    tree_listing(tree)
    (tmp_path / "listings" / "abc123").write_bytes(b"\x00garbage")
    assert tree_listing(tree) == _walked(tree)
