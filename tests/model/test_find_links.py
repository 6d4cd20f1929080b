"""`find-links` entries read as the flat sources uv records in uv.lock."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from accord.model.find_links import FlatSource, flat_sources, read_find_links

ROOT = PurePosixPath("/work/proj")


@pytest.mark.parametrize(
    ("entry", "base", "location"),
    [
        pytest.param("../flat", ROOT, "../flat", id="relative"),
        pytest.param("./../flat/", ROOT, "../flat", id="relative-spelt-otherwise"),
        pytest.param("wheels", ROOT / "sub", "sub/wheels", id="relative-to-cwd"),
        pytest.param("/srv/flat", ROOT, "/srv/flat", id="absolute"),
        pytest.param("file:///srv/flat/", ROOT, "/srv/flat", id="file-url"),
    ],
)
def test_read_find_links_directory(entry: str, base: PurePosixPath, location: str) -> None:
    source = read_find_links(entry, base, ROOT)
    assert (source.location, source.url) == (location, None)


def test_read_find_links_url_keeps_its_spelling_without_the_login() -> None:
    source = read_find_links("https://user:pw@example.org/wheels/", ROOT, ROOT)
    assert source == FlatSource(
        "https://example.org/wheels/", url="https://user:pw@example.org/wheels/"
    )


def test_read_find_links_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="neither a path"):
        read_find_links("ftp://example.org/wheels", ROOT, ROOT)


def test_flat_sources_keeps_the_first_of_one_location() -> None:
    sources = flat_sources([("../flat", ROOT), ("./../flat/", ROOT), ("x", ROOT)], ROOT)
    assert [s.location for s in sources] == ["../flat", "x"]
