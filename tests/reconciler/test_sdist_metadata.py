"""Reading an sdist's static metadata from the archive itself (tar.gz and zip, made by the
fixtures' factory in tmp_path): which file is trusted, in uv's order, and what is refused."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from accord.reconciler.build.sdist_metadata import MAX_MEMBER_SIZE, static_sdist_metadata
from accord.reconciler.fetch.index import parse_metadata
from fixtures.wheels import WheelSpec, build_sdist, metadata_text

SPEC = WheelSpec(
    "Static.Pkg",
    "1.2",
    requires_dist=("dep-a>=1", "dep-b; extra == 'fancy'"),
    requires_python=">=3.8",
    provides_extras=("fancy",),
)
NAME = canonicalize_name(SPEC.name)
VERSION = Version(SPEC.version)

FROM_PYPROJECT = (
    b"Metadata-Version: 2.3\n"
    b"Name: Static.Pkg\n"
    b"Version: 1.2\n"
    b"Requires-Python: >=3.8\n"
    b"Requires-Dist: dep-a>=1\n"
    b'Requires-Dist: dep-b; extra == "fancy"\n'
    b"Provides-Extra: fancy\n"
)


def _pkg_info(metadata_version: str, dynamic: tuple[str, ...] = ()) -> bytes:
    return metadata_text(SPEC, metadata_version, dynamic=dynamic).encode()


@pytest.mark.parametrize("archive_format", ["tar.gz", "zip"])
def test_static_sdist_metadata_reads_pyproject_first(tmp_path: Path, archive_format: str) -> None:
    sdist = build_sdist(SPEC, tmp_path, metadata_version="2.2", archive_format=archive_format)
    assert sdist.name == f"static_pkg-1.2.{archive_format}"
    assert static_sdist_metadata(sdist, NAME, VERSION) == FROM_PYPROJECT
    parsed = parse_metadata(FROM_PYPROJECT)
    assert [str(r) for r in parsed.requires_dist] == ["dep-a>=1", 'dep-b; extra == "fancy"']
    assert parsed.provides_extras == ("fancy",)


def test_static_sdist_metadata_dynamic_version_comes_from_the_file_name(tmp_path: Path) -> None:
    sdist = build_sdist(SPEC, tmp_path, dynamic=("version",))
    assert static_sdist_metadata(sdist, NAME, VERSION) == FROM_PYPROJECT


@pytest.mark.parametrize("archive_format", ["tar.gz", "zip"])
def test_static_sdist_metadata_falls_back_to_pkg_info_2_2(
    tmp_path: Path, archive_format: str
) -> None:
    sdist = build_sdist(
        SPEC,
        tmp_path,
        dynamic=("dependencies",),
        metadata_version="2.2",
        archive_format=archive_format,
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) == _pkg_info("2.2")


def test_static_sdist_metadata_reads_pkg_info_without_pyproject(tmp_path: Path) -> None:
    sdist = build_sdist(
        SPEC,
        tmp_path,
        metadata_version="2.4",
        pkg_info_dynamic=("Version", "Summary"),
        omit_members=("pyproject.toml",),
        extra_members={"setup.py": "from setuptools import setup\nsetup()\n"},
    )
    expected = _pkg_info("2.4", ("Version", "Summary"))
    assert static_sdist_metadata(sdist, NAME, VERSION) == expected


@pytest.mark.parametrize(
    ("dynamic", "metadata_version", "pkg_info_dynamic"),
    [
        pytest.param(("dependencies",), "2.1", (), id="pkg-info-2.1"),
        pytest.param(("optional-dependencies",), "2.2", ("Requires-Dist",), id="dynamic-deps"),
        pytest.param(("requires-python",), "2.3", ("Requires-Python",), id="dynamic-python"),
        pytest.param(("dependencies",), "2.3", ("Provides-Extra",), id="dynamic-extras"),
    ],
)
def test_static_sdist_metadata_none_when_nothing_is_static(
    tmp_path: Path,
    dynamic: tuple[str, ...],
    metadata_version: str,
    pkg_info_dynamic: tuple[str, ...],
) -> None:
    sdist = build_sdist(
        SPEC,
        tmp_path,
        dynamic=dynamic,
        metadata_version=metadata_version,
        pkg_info_dynamic=pkg_info_dynamic,
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) is None


def test_static_sdist_metadata_poetry_project_uses_pkg_info(tmp_path: Path) -> None:
    # `[tool.poetry]` and no `project.dependencies`: Poetry declares them elsewhere.
    pyproject = (
        '[project]\nname = "static-pkg"\nversion = "1.2"\n\n'
        '[tool.poetry.dependencies]\ndep-a = ">=1"\n'
    )
    sdist = build_sdist(
        SPEC, tmp_path, metadata_version="2.2", extra_members={"pyproject.toml": pyproject}
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) == _pkg_info("2.2")


@pytest.mark.parametrize(
    ("name", "version"),
    [
        pytest.param(canonicalize_name("other"), VERSION, id="name"),
        pytest.param(NAME, Version("1.3"), id="version"),
    ],
)
def test_static_sdist_metadata_must_match_the_file_name(
    tmp_path: Path, name: str, version: Version
) -> None:
    sdist = build_sdist(SPEC, tmp_path, metadata_version="2.2")
    assert static_sdist_metadata(sdist, canonicalize_name(name), version) is None


def _tar(path: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


PYPROJECT = b'[project]\nname = "static-pkg"\nversion = "1.2"\ndependencies = ["dep-a"]\n'
FROM_PLAIN = b"Metadata-Version: 2.3\nName: static-pkg\nVersion: 1.2\nRequires-Dist: dep-a\n"


def test_static_sdist_metadata_without_a_top_level_directory(tmp_path: Path) -> None:
    # Like `unpack_sdist`: with no single top-level directory, the archive root is the tree.
    sdist = _tar(
        tmp_path / "static_pkg-1.2.tar.gz",
        {"pyproject.toml": PYPROJECT, "a/pyproject.toml": b"not toml", "b/x.py": b""},
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) == FROM_PLAIN


def test_static_sdist_metadata_ignores_nested_and_escaping_members(tmp_path: Path) -> None:
    sdist = _tar(
        tmp_path / "static_pkg-1.2.tar.gz",
        {
            "./static_pkg-1.2/src/pyproject.toml": b"[project]\nname = 'nested'\n",
            "../pyproject.toml": b"[project]\nname = 'outside'\n",
            "./static_pkg-1.2/pyproject.toml": PYPROJECT,
        },
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) == FROM_PLAIN


def test_static_sdist_metadata_refuses_a_linked_pyproject(tmp_path: Path) -> None:
    sdist = _tar(
        tmp_path / "static_pkg-1.2.tar.gz",
        {"pkg/real.toml": PYPROJECT},
        links={"pkg/pyproject.toml": "real.toml"},
    )
    assert static_sdist_metadata(sdist, NAME, VERSION) is None


def test_static_sdist_metadata_refuses_an_oversized_member(tmp_path: Path) -> None:
    padding = b"#" * MAX_MEMBER_SIZE + b"\n"
    sdist = _tar(tmp_path / "static_pkg-1.2.tar.gz", {"pkg/pyproject.toml": PYPROJECT + padding})
    assert static_sdist_metadata(sdist, NAME, VERSION) is None


def test_static_sdist_metadata_refuses_an_oversized_zip_member(tmp_path: Path) -> None:
    sdist = tmp_path / "static_pkg-1.2.zip"
    with zipfile.ZipFile(sdist, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/PKG-INFO", _pkg_info("2.2") + b"#" * MAX_MEMBER_SIZE)
    assert static_sdist_metadata(sdist, NAME, VERSION) is None


@pytest.mark.parametrize(
    "content", [b"", b"not an archive", b"\x1f\x8b\x08\x00garbage"], ids=["empty", "text", "gzip"]
)
@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_static_sdist_metadata_unreadable_archive(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    sdist = tmp_path / f"static_pkg-1.2{suffix}"
    sdist.write_bytes(content)
    assert static_sdist_metadata(sdist, NAME, VERSION) is None
