"""Tests of the local index (fixtures.index), the sample projects and `uv lock` against them."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fixtures import MakeProject
from fixtures.index import JSON_TYPE, IndexServer, wants_json
from fixtures.uvlock import UvLockError, uv_lock

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

UV_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
PKG_09 = "pkg-0.9-py3-none-any.whl"
PKG_11 = "pkg-1.1-py3-none-any.whl"


def _get(
    server: IndexServer, path: str, *, accept: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers={"Accept": accept} if accept else {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def _lock(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return data


def _packages(lock: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The lock's `[[package]]` tables by name (several when uv forked)."""
    found: dict[str, list[dict[str, Any]]] = {}
    packages = lock["package"]
    assert isinstance(packages, list)
    for package in packages:
        found.setdefault(package["name"], []).append(package)
    return found


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        pytest.param(None, False, id="none"),
        pytest.param("*/*", False, id="wildcard"),
        pytest.param("text/html", False, id="html"),
        pytest.param(JSON_TYPE, True, id="json"),
        pytest.param(UV_ACCEPT, True, id="uv"),
        pytest.param(f"text/html, {JSON_TYPE};q=0.5", False, id="html-preferred"),
        pytest.param(f"{JSON_TYPE};q=0, text/html", False, id="json-refused"),
    ],
)
def test_wants_json_follows_accept_preference(accept: str | None, expected: bool) -> None:
    assert wants_json(accept) is expected


def test_build_index_writes_pages_files_and_metadata(index_dir: Path, dists_dir: Path) -> None:
    assert (index_dir / "index.html").is_file()
    assert json.loads((index_dir / "index.json").read_text())["projects"][0] == {"name": "cli-tool"}
    assert (index_dir / "pkg" / PKG_11).read_bytes() == (dists_dir / PKG_11).read_bytes()
    with zipfile.ZipFile(dists_dir / PKG_11) as archive:
        metadata = archive.read("pkg-1.1.dist-info/METADATA")
    assert (index_dir / "pkg" / f"{PKG_11}.metadata").read_bytes() == metadata
    assert not (index_dir / "pkg" / "pkg-1.1.tar.gz.metadata").exists()


def test_index_serves_html_by_default(index: IndexServer) -> None:
    status, headers, body = _get(index, "/simple/pkg/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert int(headers["content-length"]) == len(body)
    text = body.decode("utf-8")
    assert f'href="{PKG_09}#sha256=' in text
    assert 'data-yanked="broken"' in text
    assert text.count("data-yanked") == 1


def test_index_serves_json_when_preferred(index: IndexServer, dists_dir: Path) -> None:
    status, headers, body = _get(index, "/simple/pkg/", accept=UV_ACCEPT)
    assert status == 200
    assert headers["content-type"] == JSON_TYPE
    page = json.loads(body)
    assert page["meta"] == {"api-version": "1.1"}
    assert page["versions"] == ["0.9", "1.0", "1.1"]
    files = {entry["filename"]: entry for entry in page["files"]}
    assert set(files) == {PKG_09, "pkg-1.0-py3-none-any.whl", PKG_11, "pkg-1.1.tar.gz"}
    assert files[PKG_09]["yanked"] == "broken"
    assert files[PKG_11]["yanked"] is False
    assert files["pkg-1.1.tar.gz"]["core-metadata"] is False
    assert files[PKG_11]["upload-time"] == "2024-01-01T00:00:00.000000Z"
    data = (dists_dir / PKG_11).read_bytes()
    assert files[PKG_11]["hashes"] == {"sha256": hashlib.sha256(data).hexdigest()}
    assert files[PKG_11]["size"] == len(data)


def test_index_json_hashes_match_served_files(index: IndexServer) -> None:
    _, _, body = _get(index, "/simple/native/", accept=JSON_TYPE)
    for entry in json.loads(body)["files"]:
        status, headers, data = _get(index, f"/simple/native/{entry['url']}")
        assert status == 200
        assert int(headers["content-length"]) == len(data) == entry["size"]
        assert hashlib.sha256(data).hexdigest() == entry["hashes"]["sha256"]
        _, _, metadata = _get(index, f"/simple/native/{entry['url']}.metadata")
        assert hashlib.sha256(metadata).hexdigest() == entry["core-metadata"]["sha256"]
        assert entry["dist-info-metadata"] == entry["core-metadata"]


def test_index_html_carries_requires_python_escaped(index: IndexServer) -> None:
    _, _, body = _get(index, "/simple/newpy/")
    assert 'data-requires-python="&gt;=3.14"' in body.decode("utf-8")
    match = re.search(
        r'href="newpy-2.0-py3-none-any.whl#sha256=\w+" [^>]*'
        r'data-core-metadata="sha256=(\w+)"',
        body.decode("utf-8"),
    )
    assert match is not None
    _, _, metadata = _get(index, "/simple/newpy/newpy-2.0-py3-none-any.whl.metadata")
    assert hashlib.sha256(metadata).hexdigest() == match.group(1)


def test_index_project_list_negotiates(index: IndexServer) -> None:
    _, _, body = _get(index, "/simple/", accept=JSON_TYPE)
    names = [project["name"] for project in json.loads(body)["projects"]]
    assert "dep-a" in names
    assert "winonly" in names
    _, headers, html = _get(index, "/simple/")
    assert headers["content-type"].startswith("text/html")
    assert b'<a href="dep-a/">dep-a</a>' in html


@pytest.mark.parametrize(
    ("path", "location"),
    [
        pytest.param("/simple/pkg", "/simple/pkg/", id="no-slash"),
        pytest.param("/simple/Dep_A/", "/simple/dep-a/", id="not-normalized"),
        pytest.param("/simple", "/simple/", id="root"),
    ],
)
def test_index_redirects_to_canonical_project_url(
    index: IndexServer, path: str, location: str
) -> None:
    status, headers, _ = _get(index, path)
    assert (status, headers["location"]) == (301, location)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/simple/nosuch/", id="project"),
        pytest.param("/simple/nosuch", id="project-no-slash"),
        pytest.param("/simple/pkg/pkg-9.9-py3-none-any.whl", id="file"),
        pytest.param("/elsewhere/", id="outside"),
    ],
)
def test_index_answers_404_for_unknown(index: IndexServer, path: str) -> None:
    assert _get(index, path)[0] == 404


def test_index_head_sends_length_without_body(index: IndexServer, dists_dir: Path) -> None:
    status, headers, body = _get(index, f"/simple/pkg/{PKG_11}", method="HEAD")
    assert status == 200
    assert int(headers["content-length"]) == (dists_dir / PKG_11).stat().st_size
    assert body == b""


def _get_range(server: IndexServer, path: str, spec: str) -> tuple[int, str | None, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Range": spec})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Range"), response.read()
    finally:
        connection.close()


def test_index_server_answers_single_ranges(index_dir: Path, dists_dir: Path) -> None:
    data = (dists_dir / PKG_11).read_bytes()
    size = len(data)
    path = f"/simple/pkg/{PKG_11}"
    with IndexServer(index_dir) as server:
        assert _get_range(server, path, "bytes=10-19") == (206, f"bytes 10-19/{size}", data[10:20])
        assert _get_range(server, path, "bytes=-5") == (
            206,
            f"bytes {size - 5}-{size - 1}/{size}",
            data[-5:],
        )
        assert _get_range(server, path, f"bytes={size - 3}-") == (
            206,
            f"bytes {size - 3}-{size - 1}/{size}",
            data[-3:],
        )
        assert _get_range(server, path, "bytes=0-1,5-6") == (200, None, data)  # multi: all
        assert _get_range(server, path, f"bytes={size}-") == (416, f"bytes */{size}", b"")
        assert server.requests[path] == 5
        assert server.partial[path] == 3
        assert server.bytes_sent[path] == 10 + 5 + 3 + size
    with IndexServer(index_dir, ranges=False) as plain:
        assert _get_range(plain, path, "bytes=10-19") == (200, None, data)
        assert plain.partial[path] == 0


def test_index_server_counts_requests_and_stops(index_dir: Path) -> None:
    with IndexServer(index_dir) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/simple/"
        _get(server, "/simple/pkg/")
        _get(server, "/simple/pkg/")
        _get(server, "/simple/nosuch/")
        assert server.requests == {"/simple/pkg/": 2, "/simple/nosuch/": 1}
    with pytest.raises(OSError):
        _get(server, "/simple/")


def test_uv_lock_simple_project(make_project: MakeProject, index: IndexServer) -> None:
    project = make_project("simple")
    lock = _lock(project / "uv.lock")
    packages = _packages(lock)
    versions = {name: [p["version"] for p in entries] for name, entries in packages.items()}
    assert versions == {
        "cli-tool": ["1.0"],
        "colorful": ["1.0"],
        "datafiles": ["1.0"],
        "dep-a": ["1.0"],
        "dep-b": ["2.0"],
        "devtool": ["1.0"],
        "fancy": ["1.0"],
        "linter": ["1.0"],
        "pkg": ["1.1"],
        "simple": ["0.1.0"],
        "winonly": ["1.0"],
    }
    (root,) = packages["simple"]
    assert {"name": "winonly", "marker": "sys_platform == 'win32'"} in root["dependencies"]
    (pkg,) = packages["pkg"]
    assert pkg["source"] == {"registry": index.url}
    assert pkg["sdist"]["url"] == f"{index.url}pkg/pkg-1.1.tar.gz"
    assert PKG_09 not in (project / "uv.lock").read_text()


def test_make_project_reuses_lock_text(
    make_project: MakeProject, _lock_texts: dict[str, str]
) -> None:
    first = make_project("minimal")
    text = (first / "uv.lock").read_text()
    assert _packages(tomllib.loads(text))["pkg"][0]["version"] == "1.0"
    assert _lock_texts["minimal"] == text
    first.rename(first.with_name("minimal-1"))
    _lock_texts["minimal"] = text + "# from the session cache\n"
    try:
        second = make_project("minimal")
    finally:
        _lock_texts["minimal"] = text
    assert (second / "uv.lock").read_text() == text + "# from the session cache\n"


def test_make_project_without_lock(make_project: MakeProject) -> None:
    project = make_project("minimal", lock=False)
    assert (project / "pyproject.toml").is_file()
    assert not (project / "uv.lock").exists()


def test_uv_lock_native_keeps_both_platform_wheels(make_project: MakeProject) -> None:
    packages = _packages(_lock(make_project("native") / "uv.lock"))
    (native,) = packages["native"]
    assert [Path(w["url"]).name for w in native["wheels"]] == [
        "native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "native-1.0-cp311-cp311-win_amd64.whl",
    ]
    assert "sdist" not in native


def _adhoc_project(root: Path, dependency: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "adhoc"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{json.dumps(dependency)}]\n"
    )
    return root


def test_uv_lock_forks_newpy_on_requires_python(
    tmp_path: Path, index: IndexServer, uv_bin: Path, uv_cache: Path, base_python: Path
) -> None:
    project = _adhoc_project(tmp_path / "adhoc", "newpy")
    lock = _lock(uv_lock(project, index.url, uv=uv_bin, cache_dir=uv_cache, python=base_python))
    newpy = {p["version"]: p["resolution-markers"] for p in _packages(lock)["newpy"]}
    assert newpy == {
        "1.0": ["python_full_version < '3.14'"],
        "2.0": ["python_full_version >= '3.14'"],
    }


def test_uv_lock_refuses_yanked_pkg_with_reason(
    tmp_path: Path, index: IndexServer, uv_bin: Path, uv_cache: Path, base_python: Path
) -> None:
    project = _adhoc_project(tmp_path / "adhoc", "pkg<1.0")
    with pytest.raises(UvLockError) as error:
        uv_lock(project, index.url, uv=uv_bin, cache_dir=uv_cache, python=base_python)
    assert "pkg==0.9 was yanked (reason: broken)" in error.value.stderr
