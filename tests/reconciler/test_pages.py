"""Project pages read into links (reconciler/fetch/pages.py), without a server."""

from __future__ import annotations

import pytest

from accord.reconciler.fetch.pages import json_links


def test_json_links_let_go_of_each_entry_once_read() -> None:
    """A large JSON page decodes into tens of MiB: each file's entry is dropped as soon as
    its link is made, not when the whole page is done."""
    document = {
        "files": [
            {"filename": f"demo-{n}.tar.gz", "url": f"https://files.invalid/demo-{n}.tar.gz"}
            for n in (1, 2)
        ]
    }
    entries = document["files"]
    links = json_links(document, "https://index.invalid/simple/demo/")
    assert next(links).filename == "demo-1.tar.gz"
    assert entries[0] is None and entries[1] is not None
    assert [link.filename for link in links] == ["demo-2.tar.gz"]
    assert entries == [None, None]


@pytest.mark.parametrize("files", [{"a": {}}, "a", None])
def test_json_links_refuse_files_that_are_not_a_list(files: object) -> None:
    with pytest.raises(TypeError):
        list(json_links({"files": files}, "https://index.invalid/simple/demo/"))
