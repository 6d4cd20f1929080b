"""Every value read from a uv.lock is checked before use; an unreadable lock is never replaced.

Hashes name cache entries and URLs are fetched, so a lock that says `sha256:../../dir` or
`url = "not a url"` is refused while it is read, naming the line and column of the value (uv
0.13.8 refuses the same locks with the same position).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from accord.reconciler.errors import LockfileInvalid
from accord.reconciler.lock.memo import read_existing_lock
from accord.reconciler.lock.read import parse_lock, read_lock_text
from accord.reconciler.lock.write import write_lock

DATA = Path(__file__).parent / "data"
LOCK = Path("uv.lock")
ATTRS_WHEEL_HASH = "sha256:c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309"
ATTRS_WHEEL_URL = (
    "https://example.invalid/files/64/b4/17d4b0b2a2dc85a6df63d1157e028ed19f90d4cd97c36717afef2bc2f395"
    "/attrs-26.1.0-py3-none-any.whl"
)


def example() -> str:
    return (DATA / "editable-project.lock").read_text(encoding="utf-8")


def refused(text: str) -> LockfileInvalid:
    with pytest.raises(LockfileInvalid) as raised:
        parse_lock(text, LOCK)
    return raised.value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(
            "sha256:../../some/dir",
            "invalid sha256 digest `../../some/dir` (expected 64 hexadecimal characters)",
            id="path-as-digest",
        ),
        pytest.param(
            "sha256:" + "0" * 63,
            f"invalid sha256 digest `{'0' * 63}` (expected 64 hexadecimal characters)",
            id="short",
        ),
        pytest.param(
            "sha256:" + "g" * 64,
            f"invalid sha256 digest `{'g' * 64}` (expected 64 hexadecimal characters)",
            id="not-hex",
        ),
        pytest.param(
            "md5:" + "0" * 64,
            f"invalid md5 digest `{'0' * 64}` (expected 32 hexadecimal characters)",
            id="md5-length",
        ),
        pytest.param(
            "rot13:abcd",
            "`rot13:abcd` is not `<algorithm>:<hex digest>` with one of `md5`, `sha256`, "
            "`sha384`, `sha512`, `blake2b`",
            id="unknown-algorithm",
        ),
        pytest.param(
            "0" * 64,
            f"`{'0' * 64}` is not `<algorithm>:<hex digest>` with one of `md5`, `sha256`, "
            "`sha384`, `sha512`, `blake2b`",
            id="no-algorithm",
        ),
    ],
)
def test_a_malformed_hash_is_refused_at_its_line_and_column(value: str, problem: str) -> None:
    text = example().replace(ATTRS_WHEEL_HASH, value)
    error = refused(text)
    line = text.split("\n")[10]
    column = line.index(f'"{value}"') + 1
    pad = " " * 9
    assert str(error) == (
        "Failed to parse `uv.lock`\n"
        f"  cause: TOML parse error at line 11, column {column}\n"
        f"{pad}   |\n{pad}11 | {line}\n{pad}   | {' ' * (column - 1)}{'^' * (len(value) + 2)}\n"
        f"{pad}{problem} @ $.package[0].wheels[0].hash"
    )
    assert (error.line, error.column) == (11, column)
    assert error.hint is None  # uv gives none


@pytest.mark.parametrize("algorithm", ["md5", "sha256", "sha384", "sha512"], ids=lambda name: name)
def test_every_known_algorithm_with_its_length_is_accepted(algorithm: str) -> None:
    digest = hashlib.new(algorithm, b"wheel").hexdigest()
    lock = parse_lock(example().replace(ATTRS_WHEEL_HASH, f"{algorithm}:{digest}"), LOCK)
    (attrs,) = lock.packages_named("attrs")
    assert attrs.wheels[0].hash == f"{algorithm}:{digest}"


@pytest.mark.parametrize(
    ("old", "new", "problem", "where"),
    [
        pytest.param(
            ATTRS_WHEEL_URL,
            "not a url",
            "`not a url` is not a valid URL",
            "$.package[0].wheels[0].url",
            id="wheel-url",
        ),
        pytest.param(
            ATTRS_WHEEL_URL,
            "ftp://example.invalid/attrs-26.1.0-py3-none-any.whl",
            "`ftp://example.invalid/attrs-26.1.0-py3-none-any.whl` is not a valid URL",
            "$.package[0].wheels[0].url",
            id="wheel-url-scheme",
        ),
        pytest.param(
            ATTRS_WHEEL_URL,
            "https://example.invalid:port/attrs-26.1.0-py3-none-any.whl",
            "`https://example.invalid:port/attrs-26.1.0-py3-none-any.whl` is not a valid URL "
            "(Port could not be cast to integer value as 'port')",
            "$.package[0].wheels[0].url",
            id="wheel-url-port",
        ),
        pytest.param(
            'registry = "https://example.invalid/simple"',
            'registry = "https://exa mple.invalid/simple"',
            "`https://exa mple.invalid/simple` is not a valid URL (it holds white space)",
            "$.package[0].source",
            id="registry-url",
        ),
    ],
)
def test_a_malformed_url_is_refused(old: str, new: str, problem: str, where: str) -> None:
    error = refused(example().replace(old, new, 1))
    last = str(error).rsplit("\n", 1)[-1]
    assert last == f"         {problem} @ {where}", last
    assert error.line is not None and error.column is not None


@pytest.mark.parametrize(
    ("artifact", "problem"),
    [
        pytest.param('filename = "../evil.whl"', "`../evil.whl` is not a file name", id="filename"),
        pytest.param(
            'path = "../../etc/evil.whl"',
            "`../../etc/evil.whl` must be a path inside the index directory",
            id="relative-path",
        ),
        pytest.param(
            'path = "/etc/evil.whl"',
            "`/etc/evil.whl` must be a path inside the index directory",
            id="absolute-path",
        ),
    ],
)
def test_artifact_names_and_paths_stay_where_they_belong(artifact: str, problem: str) -> None:
    text = example().replace(f'url = "{ATTRS_WHEEL_URL}"', artifact, 1)
    last = str(refused(text)).rsplit("\n", 1)[-1]
    assert last.endswith(f" {problem} @ $.package[0].wheels[0]." + artifact.split(" ")[0])


def test_a_negative_size_is_refused() -> None:
    text = example().replace(
        f'hash = "{ATTRS_WHEEL_HASH}"', f'hash = "{ATTRS_WHEEL_HASH}", size = -1', 1
    )
    last = str(refused(text)).rsplit("\n", 1)[-1]
    assert last.endswith(" a size must be a whole number >= 0 @ $.package[0].wheels[0].size")


# Unreadable locks -------------------------------------------------------------------------------


def test_read_lock_text_tells_missing_from_unreadable(tmp_path: Path) -> None:
    assert read_lock_text(tmp_path / "uv.lock") is None
    assert read_existing_lock(tmp_path / "uv.lock") == (None, None)
    (tmp_path / "uv.lock").mkdir()
    with pytest.raises(LockfileInvalid) as raised:
        read_existing_lock(tmp_path / "uv.lock")
    assert str(raised.value) == (
        f"Failed to read `{tmp_path / 'uv.lock'}`: it is a directory, not a lockfile"
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(example().encode()[:300], id="truncated"),
        pytest.param(b"<html>hello</html>\n", id="not-toml"),
        pytest.param(example().replace("version = 1", "version = 2", 1).encode(), id="version-2"),
        pytest.param(example().replace("revision = ", "revision = 99 #", 1).encode(), id="rev-99"),
        pytest.param(example().encode() + b"# \xff\n", id="not-utf8"),
        pytest.param(example().replace(ATTRS_WHEEL_HASH, "sha256:../x").encode(), id="bad-hash"),
    ],
)
def test_write_lock_never_replaces_a_lock_it_cannot_read(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(content)
    good = parse_lock(example(), path)

    with pytest.raises(LockfileInvalid) as raised:
        write_lock(good, path)

    assert str(raised.value).startswith(("Failed to parse", "The lockfile at"))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uv.lock"]


def test_write_lock_replaces_a_readable_lock(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(example().replace("version = 1", "version = 1\n", 1), encoding="utf-8")
    assert write_lock(parse_lock(example(), path), path) is True
    assert write_lock(parse_lock(example(), path), path) is False
