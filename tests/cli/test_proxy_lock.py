"""A lock through an HTTP proxy (``HTTP_PROXY``), side by side with uv through the same one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from fixtures import MakeProject
from fixtures.proxy import ForwardProxy
from tests.cli.support import Cli


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    made = ForwardProxy()
    yield made
    made.close()


def _pages(proxy: ForwardProxy) -> set[str]:
    return {head.split(" ")[1] for head in proxy.heads if "/simple/" in head.split("\r\n")[0]}


def test_proxies_a_lock_goes_through_the_proxy_as_uv_does(
    cli: Cli, make_project: MakeProject, proxy: ForwardProxy
) -> None:
    """The index on 127.0.0.1, ``HTTP_PROXY`` set and ``NO_PROXY`` empty: accord and uv
    (each with a cache of its own, empty) both ask the proxy for every page, and make the
    same lock."""
    project = make_project("simple")
    uv_project = shutil.copytree(project, project.parent / "simple-uv")
    through = {"HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}
    for locked in (project, uv_project):
        (locked / "uv.lock").unlink(missing_ok=True)
    own_cache = {"ACCORD_CACHE_DIR": str(project.parent / "accord-cache"), "ACCORD_WARM": "0"}
    done = cli.invoke(project, "lock", env={**through, **own_cache}, pinned=True)
    assert done.returncode == 0, done.stderr
    accord_pages = _pages(proxy)
    assert accord_pages and all(page.startswith("http://127.0.0.1:") for page in accord_pages)
    proxy.heads.clear()
    uv_done = cli.uv(uv_project, "lock", env=through, cache=uv_project.parent / "uv-cache")
    assert uv_done.returncode == 0, uv_done.stderr
    uv_pages = _pages(proxy)
    assert uv_pages == accord_pages
    assert (project / "uv.lock").read_text() == (uv_project / "uv.lock").read_text()


def test_a_proxy_accord_cannot_go_through_is_refused_before_anything_is_done(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    refused = cli.invoke(
        project, "sync", env={"HTTPS_PROXY": "socks5://me:secret@proxy:1080"}, pinned=True
    )
    assert refused.returncode == 2
    assert refused.stderr == (
        "error: `HTTPS_PROXY` names a socks5:// proxy (`socks5://proxy:1080`): accord goes "
        "through http:// proxies only\n\nhint: unset `HTTPS_PROXY`, or name an http:// proxy\n"
    )
    assert not (project / ".venv").exists()
