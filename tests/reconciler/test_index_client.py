"""The index client against real servers on 127.0.0.1: the fixture index, static HTML, faults."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.reconciler.errors import (
    HashMismatch,
    IndexPageInvalid,
    IndexUnavailable,
    MetadataInvalid,
    MetadataUnavailable,
    PackageNotFound,
)
from accord.reconciler.fetch.index import IndexClient, IndexFile, lock_upload_time, parse_metadata
from fixtures.index import IndexServer, build_index, read_wheel_metadata
from fixtures.wheels import WheelSpec, build_wheel

ROOT = Path(__file__).resolve().parents[2]
HINT = "is the index up? use --offline to work from the cache"


@pytest.fixture
def client(index: IndexServer, tmp_path: Path) -> Iterator[IndexClient]:
    with IndexClient([index.url], cache_dir=tmp_path / "cache") as made:
        yield made


def _by_filename(files: tuple[IndexFile, ...]) -> dict[str, IndexFile]:
    return {file.filename: file for file in files}


def _dists(dists_dir: Path, *projects: str) -> list[Path]:
    prefixes = tuple(f"{project.replace('-', '_')}-" for project in projects)
    return sorted(
        p
        for p in dists_dir.iterdir()
        if p.name.endswith((".whl", ".tar.gz")) and p.name.startswith(prefixes)
    )


class _Static(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.log: list[tuple[str, int]] = []
        threading.Thread(target=self.serve_forever, args=(0.01,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/simple/"


class _HtmlOnly(SimpleHTTPRequestHandler):
    """A plain static file server: directories serve their index.html, whatever Accept says."""

    server: _Static

    def log_message(self, format: str, *args: object) -> None:
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.log.append((self.path, int(code)))


@pytest.fixture
def html_server(index_dir: Path) -> Iterator[_Static]:
    server = _Static(functools.partial(_HtmlOnly, directory=str(index_dir.parent)))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_files_lists_wheels_and_sdist_with_hashes_and_yanks(client: IndexClient) -> None:
    files = _by_filename(client.files("pkg"))
    assert sorted(files) == [
        "pkg-0.9-py3-none-any.whl",
        "pkg-1.0-py3-none-any.whl",
        "pkg-1.1-py3-none-any.whl",
        "pkg-1.1.tar.gz",
    ]
    yanked = files["pkg-0.9-py3-none-any.whl"]
    assert yanked.yanked == "broken"
    assert yanked.version == Version("0.9")
    wheel = files["pkg-1.1-py3-none-any.whl"]
    assert wheel.yanked is None
    assert wheel.is_wheel
    assert wheel.tags == frozenset({"py3-none-any"})
    assert wheel.url == client.indexes[0] + "pkg/pkg-1.1-py3-none-any.whl"
    assert wheel.index == client.indexes[0]
    assert wheel.has_metadata
    assert wheel.upload_time == "2024-01-01T00:00:00Z"
    sdist = files["pkg-1.1.tar.gz"]
    assert not sdist.is_wheel
    assert sdist.tags == frozenset()
    assert not sdist.has_metadata
    assert sdist.version == Version("1.1")
    for file in files.values():
        assert file.name == "pkg"
        assert file.sha256 is not None and re.fullmatch("[0-9a-f]{64}", file.sha256)
        assert file.size is not None and file.size > 0


def test_files_carries_requires_python(client: IndexClient) -> None:
    files = {str(f.version): f for f in client.files("newpy")}
    assert files["2.0"].requires_python == SpecifierSet(">=3.14")
    assert files["1.0"].requires_python is None


def test_files_expands_platform_tags(client: IndexClient) -> None:
    tags = {tag for file in client.files("native") for tag in file.tags}
    assert "cp311-cp311-manylinux2014_x86_64" in tags
    assert "cp311-cp311-win_amd64" in tags


def test_files_normalizes_the_project_name(client: IndexClient) -> None:
    assert client.files("Dep_A") == client.files("dep-a")


def _portable(file: IndexFile) -> IndexFile:
    """The file without what only the server or the JSON form (PEP 700) provides."""
    return attrs.evolve(
        file, url=file.url.removeprefix(file.index), index="", size=None, upload_time=None
    )


@pytest.mark.parametrize("project", ["pkg", "newpy", "native", "dep-a"])
def test_files_json_and_html_pages_agree(
    client: IndexClient, html_server: _Static, tmp_path: Path, project: str
) -> None:
    with IndexClient([html_server.url], cache_dir=tmp_path / "html-cache") as html_client:
        from_html = html_client.files(project)
    assert [path for path, _ in html_server.log] == [f"/simple/{project}/"]
    assert all(f.size is None and f.upload_time is None for f in from_html)
    assert tuple(map(_portable, from_html)) == tuple(map(_portable, client.files(project)))


def test_files_revalidates_a_stale_page_with_if_modified_since(
    html_server: _Static, tmp_path: Path
) -> None:
    # The static server sends Last-Modified and no Cache-Control: stale at once.
    with IndexClient([html_server.url], cache_dir=tmp_path) as first:
        expected = first.files("pkg")
    with IndexClient([html_server.url], cache_dir=tmp_path) as second:
        assert second.files("pkg") == expected
    assert html_server.log == [("/simple/pkg/", 200), ("/simple/pkg/", 304)]


def test_files_from_a_fresh_cache_makes_no_request(index: IndexServer, tmp_path: Path) -> None:
    with IndexClient([index.url], cache_dir=tmp_path) as first:
        expected = first.files("dep-b")
    before = index.requests["/simple/dep-b/"]
    with IndexClient([index.url], cache_dir=tmp_path) as second:
        assert second.files("dep-b") == expected
    assert index.requests["/simple/dep-b/"] == before


def test_files_refresh_revalidates_a_fresh_page(index: IndexServer, tmp_path: Path) -> None:
    with IndexClient([index.url], cache_dir=tmp_path) as first:
        expected = first.files("dep-b")
    before = index.requests["/simple/dep-b/"]
    with IndexClient([index.url], cache_dir=tmp_path, refresh=True) as second:
        assert second.files("dep-b") == expected
        assert second.files("dep-b") == expected  # in memory after the first
    assert index.requests["/simple/dep-b/"] == before + 1


def test_files_offline_serves_a_warm_cache(index: IndexServer, tmp_path: Path) -> None:
    with IndexClient([index.url], cache_dir=tmp_path) as online:
        expected = online.files("dep-a")
        metadata = online.metadata(expected[0])
    elsewhere = "http://127.0.0.1:9/simple/"
    with (
        IndexClient([elsewhere], cache_dir=tmp_path, offline=True) as cold,
        pytest.raises(PackageNotFound),
    ):
        cold.files("dep-a")  # the cache is per URL: another index has no entry
    with IndexClient([index.url], cache_dir=tmp_path, offline=True) as offline:
        assert offline.files("dep-a") == expected
        assert offline.metadata(expected[0]) == metadata


def test_files_offline_with_a_cold_cache_raises(index: IndexServer, tmp_path: Path) -> None:
    with (
        IndexClient([index.url], cache_dir=tmp_path, offline=True) as offline,
        pytest.raises(PackageNotFound) as caught,
    ):
        offline.files("pkg")
    assert caught.value.message == "Package `pkg` was not found in the cache"
    assert caught.value.hint == (
        f"--offline was given, so `{index.url}` was not consulted; "
        "run once without --offline to fill the cache"
    )


def test_files_unknown_package_is_not_found(index: IndexServer, client: IndexClient) -> None:
    with pytest.raises(PackageNotFound) as caught:
        client.files("nope")
    assert caught.value.message == "Package `nope` was not found in the package registry"
    assert caught.value.hint == f"searched `{index.url}`"


def test_files_takes_the_first_index_that_knows_the_project(
    index: IndexServer, dists_dir: Path, tmp_path: Path
) -> None:
    only_dep_b = build_index(_dists(dists_dir, "dep-b"), tmp_path / "first")
    with IndexServer(only_dep_b) as first:
        urls = [first.url, index.url]
        with IndexClient(urls, cache_dir=tmp_path / "cache") as both:
            assert {f.index for f in both.files("dep-b")} == {first.url}
            assert {f.index for f in both.files("pkg")} == {index.url}
            with pytest.raises(PackageNotFound) as caught:
                both.files("nope")
    assert caught.value.hint == f"searched `{first.url}`, `{index.url}`"


def test_files_nothing_listening_is_index_unavailable(free_port: int, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port}/simple/"
    with (
        IndexClient([url], cache_dir=tmp_path, backoff=0.001) as client,
        pytest.raises(IndexUnavailable) as caught,
    ):
        client.files("nope")
    assert caught.value.message == (
        f"Failed to fetch `{url}nope/` after 3 retries: Connection refused"
    )
    assert caught.value.hint == HINT


class _Failing(BaseHTTPRequestHandler):
    server: _Static

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.log.append((self.path, 503))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_files_server_error_is_retried_then_index_unavailable(tmp_path: Path) -> None:
    server = _Static(_Failing)
    try:
        with (
            IndexClient([server.url], cache_dir=tmp_path, backoff=0.001) as client,
            pytest.raises(IndexUnavailable) as caught,
        ):
            client.files("pkg")
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.message == (
        f"Failed to fetch `{server.url}pkg/` after 3 retries: HTTP 503 Service Unavailable"
    )
    assert server.log == [("/simple/pkg/", 503)] * 4  # uv's UV_HTTP_RETRIES default: 3


def test_files_from_eight_threads_fetch_the_page_once(index: IndexServer, tmp_path: Path) -> None:
    projects = ["pkg", "dep-a", "dep-b", "newpy"] * 8
    before = {p: index.requests[f"/simple/{p}/"] for p in set(projects)}
    with IndexClient([index.url], cache_dir=tmp_path) as client:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(client.files, projects))
        with ThreadPoolExecutor(max_workers=8) as pool:
            dep_a = client.files("dep-a")[0]
            metadata = set(pool.map(client.metadata, [dep_a] * 16))
    for project, files in zip(projects, results, strict=True):
        assert files == results[projects.index(project)]
        assert files and all(f.name == project for f in files)
    assert {p: index.requests[f"/simple/{p}/"] - before[p] for p in before} == dict.fromkeys(
        before, 1
    )
    assert len(metadata) == 1


def test_metadata_uses_the_metadata_file(index: IndexServer, client: IndexClient) -> None:
    (wheel,) = client.files("dep-a")
    before = index.requests.copy()
    parsed = parse_metadata(client.metadata(wheel))
    assert parsed.name == "dep-a"
    assert parsed.version == Version("1.0")
    assert parsed.requires_dist == (Requirement("dep-b>=1.0"),)
    path = f"/simple/dep-a/{wheel.filename}"
    assert index.requests[path + ".metadata"] == before[path + ".metadata"] + 1
    assert index.requests[path] == before[path]


def test_metadata_is_cached_on_disk(index: IndexServer, tmp_path: Path) -> None:
    with IndexClient([index.url], cache_dir=tmp_path) as first:
        (wheel,) = first.files("fancy")
        raw = first.metadata(wheel)
    before = index.requests.copy()
    with IndexClient([index.url], cache_dir=tmp_path) as second:
        assert second.metadata(wheel) == raw
    assert index.requests == before
    digest = hashlib.sha256(wheel.url.encode()).hexdigest()
    assert (tmp_path / "metadata" / digest).read_bytes() == raw
    parsed = parse_metadata(raw)
    assert parsed.provides_extras == ("color",)
    assert parsed.requires_dist == (Requirement('colorful>=1; extra == "color"'),)


def test_metadata_of_an_sdist_is_unavailable(client: IndexClient) -> None:
    sdist = _by_filename(client.files("pkg"))["pkg-1.1.tar.gz"]
    with pytest.raises(MetadataUnavailable) as caught:
        client.metadata(sdist)
    assert caught.value.message == (
        "The metadata of `pkg-1.1.tar.gz` is only available by building it"
    )


def _strip_metadata(simple: Path) -> None:
    """Delete the PEP 658 files and stop the pages advertising them."""
    for metadata in simple.glob("*/*.metadata"):
        metadata.unlink()
    for page in simple.glob("*/index.json"):
        data = json.loads(page.read_text(encoding="utf-8"))
        for entry in data["files"]:
            entry["core-metadata"] = entry["dist-info-metadata"] = False
        page.write_text(json.dumps(data), encoding="utf-8")
    for page in simple.glob("*/index.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r' data-[a-z-]*metadata="[^"]*"', "", text), encoding="utf-8")


@pytest.mark.parametrize("advertised", [False, True], ids=["not-advertised", "advertised-404"])
def test_metadata_falls_back_to_the_wheel_without_ranges(
    dists_dir: Path, tmp_path: Path, advertised: bool
) -> None:
    simple = build_index(_dists(dists_dir, "dep-a"), tmp_path / "index")
    if advertised:
        for metadata in simple.glob("*/*.metadata"):
            metadata.unlink()
    else:
        _strip_metadata(simple)
    with (
        IndexServer(simple, ranges=False) as server,
        IndexClient([server.url], cache_dir=tmp_path) as client,
    ):
        (wheel,) = client.files("dep-a")
        assert wheel.has_metadata is advertised
        raw = client.metadata(wheel)
        # The Range request got a 200, whose body was not read; then the one download.
        assert server.requests[f"/simple/dep-a/{wheel.filename}"] == 2
        assert server.partial[f"/simple/dep-a/{wheel.filename}"] == 0
    assert parse_metadata(raw).requires_dist == (Requirement("dep-b>=1.0"),)
    assert wheel.sha256 is not None
    kept = tmp_path / "wheels" / wheel.sha256 / wheel.filename
    assert kept.read_bytes() == (simple / "dep-a" / wheel.filename).read_bytes()


def test_metadata_offline_reads_a_cached_wheel(dists_dir: Path, tmp_path: Path) -> None:
    simple = build_index(_dists(dists_dir, "dep-a"), tmp_path / "index")
    _strip_metadata(simple)
    with IndexServer(simple, ranges=False) as server:
        with IndexClient([server.url], cache_dir=tmp_path / "cache") as client:
            (wheel,) = client.files("dep-a")
            client.metadata(wheel)
        shutil.rmtree(tmp_path / "cache" / "metadata")
        with IndexClient([server.url], cache_dir=tmp_path / "cache", offline=True) as offline:
            assert parse_metadata(offline.metadata(wheel)).name == "dep-a"
        with (
            IndexClient([server.url], cache_dir=tmp_path / "cold", offline=True) as cold,
            pytest.raises(IndexUnavailable) as caught,
        ):
            cold.metadata(wheel)
    assert caught.value.message == f"`{wheel.url}` is not in the cache and --offline was given"


def test_metadata_file_with_a_wrong_hash_is_refused(dists_dir: Path, tmp_path: Path) -> None:
    simple = build_index(_dists(dists_dir, "dep-a"), tmp_path / "index")
    (metadata,) = simple.glob("dep-a/*.metadata")
    metadata.write_bytes(metadata.read_bytes() + b"Requires-Dist: evil\n")
    with (
        IndexServer(simple) as server,
        IndexClient([server.url], cache_dir=tmp_path) as client,
        pytest.raises(HashMismatch) as caught,
    ):
        client.metadata(client.files("dep-a")[0])
    assert caught.value.message.startswith(
        "Hash mismatch for `dep_a-1.0-py3-none-any.whl.metadata`: the index says sha256:"
    )


def test_parse_metadata_names_a_bad_requirement() -> None:
    raw = b"Metadata-Version: 2.1\nName: Broken_Pkg\nVersion: 1.0\nRequires-Dist: dep-b >=\n"
    with pytest.raises(MetadataInvalid) as caught:
        parse_metadata(raw)
    assert caught.value.message.startswith(
        "`broken-pkg` 1.0 has an invalid Requires-Dist: `dep-b >=`"
    )


def test_parse_metadata_reads_headers_only() -> None:
    raw = (
        b"Metadata-Version: 2.1\nName: thing\nVersion: 2.0\nRequires-Python: >=3.9\n"
        b"Provides-Extra: Fast_Mode\n\nRequires-Dist: not-a-header\n"
    )
    parsed = parse_metadata(raw)
    assert parsed.requires_python == SpecifierSet(">=3.9")
    assert parsed.requires_dist == ()
    assert parsed.provides_extras == ("fast-mode",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00Z", id="zeros"),
        pytest.param("2026-03-19T14:22:25.026431Z", "2026-03-19T14:22:25.026Z", id="millis"),
        pytest.param("2026-03-19T14:22:25.1Z", "2026-03-19T14:22:25.1Z", id="tenths"),
        pytest.param("2026-03-19T14:22:25Z", "2026-03-19T14:22:25Z", id="no-fraction"),
        pytest.param("2026-03-19T16:22:25.500+02:00", "2026-03-19T14:22:25.5Z", id="offset"),
        pytest.param("2026-03-19T14:22:25.280000Z", "2026-03-19T14:22:25.28Z", id="trailing"),
        pytest.param("2026-03-19T14:22:25.000900Z", "2026-03-19T14:22:25Z", id="sub-milli"),
        pytest.param("2026-13-19T14:22:25.000000Z", None, id="no-13th-month"),
        pytest.param("yesterday", None, id="garbage"),
    ],
)
def test_lock_upload_time(value: str, expected: str | None) -> None:
    assert lock_upload_time(value) == expected


def test_files_broken_json_page_is_invalid_and_not_kept(dists_dir: Path, tmp_path: Path) -> None:
    simple = build_index(_dists(dists_dir, "dep-b"), tmp_path / "index")
    (simple / "dep-b" / "index.json").write_text('{"files": 3}', encoding="utf-8")
    with (
        IndexServer(simple) as server,
        IndexClient([server.url], cache_dir=tmp_path / "cache") as client,
        pytest.raises(IndexPageInvalid) as caught,
    ):
        client.files("dep-b")
    assert caught.value.message.startswith(
        f"The project page `{server.url}dep-b/` is not a valid simple-API page: "
    )
    assert list((tmp_path / "cache" / "http").glob("*")) == []  # nothing kept


def test_index_module_imports_no_network_stack() -> None:
    code = (
        "import sys, accord.reconciler.fetch.index; "
        "print(*(name in sys.modules for name in "
        "('accord.reconciler.fetch.wire', 'accord.reconciler.fetch.answer', 'socket', 'ssl')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["False"] * 4


def _range_only_index(dists: list[Path], root: Path) -> Path:
    return build_index(dists, root, core_metadata=False)


def test_metadata_without_pep_658_is_read_with_ranges(dists_dir: Path, tmp_path: Path) -> None:
    simple = _range_only_index(_dists(dists_dir, "dep-a"), tmp_path / "index")
    assert not list(simple.glob("*/*.metadata"))
    with IndexServer(simple) as server:
        with IndexClient([server.url], cache_dir=tmp_path / "cache") as client:
            (wheel,) = client.files("dep-a")
            assert not wheel.has_metadata
            raw = client.metadata(wheel)
        path = f"/simple/dep-a/{wheel.filename}"
        whole = read_wheel_metadata(simple / "dep-a" / wheel.filename)
        assert raw.startswith(b"Accord-Fields: 1 ")  # kept condensed
        assert parse_metadata(raw) == parse_metadata(whole)
        assert server.requests[path] == server.partial[path] == 1  # the tail holds it all
        assert server.requests[path + ".metadata"] == 0
        assert wheel.sha256 is not None
        assert not (tmp_path / "cache" / "wheels" / wheel.sha256).exists()
        digest = hashlib.sha256(wheel.url.encode()).hexdigest()
        assert (tmp_path / "cache" / "metadata" / digest).read_bytes() == raw
        before = server.requests.copy()
        with IndexClient([server.url], cache_dir=tmp_path / "cache") as again:
            assert again.metadata(wheel) == raw
        assert server.requests == before


def test_metadata_of_a_large_wheel_reads_a_fraction_of_it(tmp_path: Path) -> None:
    payload = random.Random(0).randbytes(2 << 20)  # incompressible, and stored anyway
    spec = WheelSpec(
        name="big", version="1.0", requires_dist=("dep-a>=1",), files={"big/blob.bin": payload}
    )
    built = build_wheel(spec, tmp_path / "dists")
    simple = _range_only_index([built], tmp_path / "index")
    with (
        IndexServer(simple) as server,
        IndexClient([server.url], cache_dir=tmp_path / "cache") as client,
    ):
        (wheel,) = client.files("big")
        raw = client.metadata(wheel)
        path = f"/simple/big/{wheel.filename}"
        assert server.requests[path] == server.partial[path]
        sent = server.bytes_sent[path]
    assert parse_metadata(raw) == parse_metadata(read_wheel_metadata(built))
    assert parse_metadata(raw).requires_dist == (Requirement("dep-a>=1"),)
    assert wheel.size == built.stat().st_size
    assert sent <= 65536 < wheel.size // 30


def test_files_page_is_kept_parsed_and_follows_the_page(dists_dir: Path, tmp_path: Path) -> None:
    # A project page is kept parsed (never as it came) and read back equal to a fresh parse;
    # when the page changes (one more release), it is parsed again; a damaged entry is
    # ignored.
    old = [p for p in _dists(dists_dir, "pkg") if "-1.1" not in p.name]
    simple = build_index(old, tmp_path / "index")
    cache = tmp_path / "cache"
    with IndexServer(simple) as server:
        with IndexClient([server.url], cache_dir=cache) as first:
            parsed = first.files("pkg")
        kept = list((cache / "http").iterdir())
        assert [path.suffix for path in kept] == [".page"]
        with IndexClient([server.url], cache_dir=cache, refresh=True) as second:
            assert second.files("pkg") == parsed
        build_index(_dists(dists_dir, "pkg"), tmp_path / "index")  # pkg 1.1 is released
        with IndexClient([server.url], cache_dir=cache, refresh=True) as third:
            newer = third.files("pkg")
        assert {str(f.version) for f in newer} == {str(f.version) for f in parsed} | {"1.1"}
        kept[0].write_bytes(kept[0].read_bytes()[:200])
        with IndexClient([server.url], cache_dir=cache, refresh=True) as fourth:
            assert fourth.files("pkg") == newer
        kept[0].write_bytes(b"")
        with IndexClient([server.url], cache_dir=cache, refresh=True) as fifth:
            assert fifth.files("pkg") == newer


def test_files_reads_a_page_an_older_accord_kept(
    index: IndexServer, index_dir: Path, tmp_path: Path
) -> None:
    # Older accords kept a project page as it came (http/<sha256 of url>: a JSON line of
    # its policy, then the body): offline it still serves, and is kept parsed from then on.
    with IndexClient([index.url], cache_dir=tmp_path / "fresh") as online:
        expected = online.files("dep-a")
    page_url = f"{index.url}dep-a/"
    header = {
        "url": page_url,
        "content_type": "application/vnd.pypi.simple.v1+json",
        "etag": None,
        "last_modified": None,
        "max_age": 0.0,
        "stored_at": 0.0,
    }
    old = tmp_path / "old" / "http" / hashlib.sha256(page_url.encode()).hexdigest()
    old.parent.mkdir(parents=True)
    body = (index_dir / "dep-a" / "index.json").read_bytes()
    old.write_bytes(json.dumps(header).encode() + b"\n" + body)
    with IndexClient([index.url], cache_dir=tmp_path / "old", offline=True) as offline:
        assert offline.files("dep-a") == expected
    assert old.with_name(old.name + ".page").is_file()
    old.unlink()
    with IndexClient([index.url], cache_dir=tmp_path / "old", offline=True) as offline:
        assert offline.files("dep-a") == expected


def test_pages_and_metadata_come_gzip_compressed_from_an_index_that_offers_it(
    index_dir: Path, client: IndexClient, tmp_path: Path
) -> None:
    """Pages and metadata files are asked for with gzip (PyPI sends a JSON page at a fifth of
    its size or less), and read as the plain ones are."""
    expected = client.files("fancy")
    raw = client.metadata(expected[0])
    with (
        IndexServer(index_dir, gzip=True) as compressing,
        IndexClient([compressing.url], cache_dir=tmp_path / "gzip-cache") as gzip_client,
    ):
        files = gzip_client.files("fancy")
        assert tuple(map(_portable, files)) == tuple(map(_portable, expected))
        assert gzip_client.metadata(files[0]) == raw
        page = index_dir / "fancy" / "index.json"
        sent = compressing.bytes_sent
        assert 0 < sent["/simple/fancy/"] < page.stat().st_size
        path = f"/simple/fancy/{files[0].filename}.metadata"
        assert sent[path] > 0 and sent[path] != len(raw)
