"""Tests of the wheel and sdist factory (fixtures.wheels) and the catalog."""

from __future__ import annotations

import base64
import csv
import email.parser
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from fixtures.catalog import YANKED, build_catalog, catalog
from fixtures.uvlock import uv_environment
from fixtures.wheels import (
    WheelSpec,
    build_sdist,
    build_wheel,
    expand_tags,
    sdist_filename,
    wheel_filename,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

CLI_TOOL = next(spec for spec in catalog() if spec.name == "cli-tool")
DATAFILES = next(spec for spec in catalog() if spec.name == "datafiles")
FANCY = next(spec for spec in catalog() if spec.name == "fancy")
NATIVE_LINUX = next(spec for spec in catalog() if spec.name == "native" and "manylinux" in spec.tag)


def _dist_info_file(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (member,) = [m for m in archive.namelist() if m.endswith(f".dist-info/{name}")]
        return archive.read(member).decode("utf-8")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(WheelSpec("cli-tool", "1.0"), "cli_tool-1.0-py3-none-any.whl", id="dash"),
        pytest.param(
            WheelSpec("Zope.Interface", "5"), "zope_interface-5-py3-none-any.whl", id="dot-and-case"
        ),
        pytest.param(WheelSpec("a__b", "1.0.post1"), "a_b-1.0.post1-py3-none-any.whl", id="runs"),
        pytest.param(WheelSpec("x", "1.0-1"), "x-1.0.post1-py3-none-any.whl", id="version-norm"),
        pytest.param(
            WheelSpec("native", "1.0", tag="cp311-cp311-win_amd64"),
            "native-1.0-cp311-cp311-win_amd64.whl",
            id="platform",
        ),
    ],
)
def test_wheel_filename_escapes_name_and_version(spec: WheelSpec, expected: str) -> None:
    assert wheel_filename(spec) == expected


def test_expand_tags_expands_compressed_set() -> None:
    assert expand_tags("py2.py3-none-any") == ["py2-none-any", "py3-none-any"]
    assert expand_tags(NATIVE_LINUX.tag) == [
        "cp311-cp311-manylinux_2_17_x86_64",
        "cp311-cp311-manylinux2014_x86_64",
    ]


def test_build_wheel_is_deterministic(tmp_path: Path) -> None:
    first = build_catalog(tmp_path / "one")
    second = build_catalog(tmp_path / "two")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_build_wheel_record_hashes_verify(tmp_path: Path) -> None:
    wheel = build_wheel(DATAFILES, tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record_name = "datafiles-1.0.dist-info/RECORD"
        assert names[-1] == record_name
        rows = list(csv.reader(io.StringIO(archive.read(record_name).decode("utf-8"))))
        assert sorted(row[0] for row in rows) == sorted(names)
        for path, digest, size in rows:
            if path == record_name:
                assert (digest, size) == ("", "")
                continue
            content = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode("ascii")
            assert int(size) == len(content)


def test_build_wheel_zip_members_have_fixed_times_and_modes(tmp_path: Path) -> None:
    wheel = build_wheel(DATAFILES, tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert modes["datafiles-1.0.data/scripts/hello-data"] == 0o755
    assert modes["datafiles/__init__.py"] == 0o644


def test_build_wheel_writes_metadata_fields(tmp_path: Path) -> None:
    wheel = build_wheel(FANCY, tmp_path)
    message = email.parser.Parser().parsestr(_dist_info_file(wheel, "METADATA"))
    assert message["Metadata-Version"] == "2.1"
    assert (message["Name"], message["Version"]) == ("fancy", "1.0")
    assert message.get_all("Requires-Dist") == ['colorful>=1; extra == "color"']
    assert message.get_all("Provides-Extra") == ["color"]
    assert _dist_info_file(wheel, "WHEEL").splitlines() == [
        "Wheel-Version: 1.0",
        "Generator: accord-fixtures (1.0)",
        "Root-Is-Purelib: true",
        "Tag: py3-none-any",
    ]


def test_build_wheel_platform_tag_is_not_purelib(tmp_path: Path) -> None:
    wheel = build_wheel(NATIVE_LINUX, tmp_path)
    lines = _dist_info_file(wheel, "WHEEL").splitlines()
    assert "Root-Is-Purelib: false" in lines
    assert [line for line in lines if line.startswith("Tag: ")] == [
        "Tag: cp311-cp311-manylinux_2_17_x86_64",
        "Tag: cp311-cp311-manylinux2014_x86_64",
    ]


def test_build_wheel_writes_entry_points(tmp_path: Path) -> None:
    wheel = build_wheel(CLI_TOOL, tmp_path)
    assert _dist_info_file(wheel, "entry_points.txt") == (
        "[console_scripts]\ngreet = cli_tool:main\n\n[gui_scripts]\ngreet-gui = cli_tool:main\n"
    )


def test_build_wheel_installs_with_pip_target(tmp_path: Path) -> None:
    wheel = build_wheel(WheelSpec("pkg", "1.1"), tmp_path / "dist")
    target = tmp_path / "target"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            str(wheel),
        ],
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
        check=True,
        capture_output=True,
    )
    found = subprocess.run(
        [sys.executable, "-c", "import pkg; print(pkg.__version__, pkg.__file__)"],
        env={**os.environ, "PYTHONPATH": str(target)},
        check=True,
        capture_output=True,
        text=True,
    )
    assert found.stdout == f"1.1 {target / 'pkg' / '__init__.py'}\n"
    assert (target / "pkg-1.1.dist-info" / "RECORD").is_file()


def test_build_wheel_installs_with_uv_scripts_and_data(
    tmp_path: Path, uv_bin: Path, uv_cache: Path, base_python: Path
) -> None:
    wheels = [build_wheel(CLI_TOOL, tmp_path / "dist"), build_wheel(DATAFILES, tmp_path / "dist")]
    venv = tmp_path / "venv"
    env = uv_environment("http://127.0.0.1:9/simple/", cache_dir=uv_cache, python=base_python)
    subprocess.run(
        [str(uv_bin), "venv", "--quiet", str(venv)], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [
            str(uv_bin),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            *map(str, wheels),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    greet = subprocess.run(
        [str(venv / "bin" / "greet")], check=True, capture_output=True, text=True
    )
    assert greet.stdout == "hello from cli-tool\n"
    assert (venv / "bin" / "greet-gui").is_file()
    hello = subprocess.run(
        [str(venv / "bin" / "hello-data")], check=True, capture_output=True, text=True
    )
    assert hello.stdout == "data script\n"
    assert (venv / "share" / "datafiles" / "readme.txt").read_text() == "datafiles readme\n"


def test_build_sdist_is_deterministic(tmp_path: Path) -> None:
    spec = WheelSpec("pkg", "1.1")
    first = build_sdist(spec, tmp_path / "one")
    second = build_sdist(spec, tmp_path / "two")
    assert first.name == sdist_filename(spec) == "pkg-1.1.tar.gz"
    assert first.read_bytes() == second.read_bytes()


def test_build_sdist_contains_pkg_info_pyproject_and_sources(tmp_path: Path) -> None:
    sdist = build_sdist(FANCY, tmp_path)
    with tarfile.open(sdist) as archive:
        assert sorted(archive.getnames()) == [
            "fancy-1.0/PKG-INFO",
            "fancy-1.0/fancy/__init__.py",
            "fancy-1.0/pyproject.toml",
        ]
        pyproject_file = archive.extractfile("fancy-1.0/pyproject.toml")
        assert pyproject_file is not None
        pyproject = tomllib.loads(pyproject_file.read().decode("utf-8"))
        assert {m.mtime for m in archive.getmembers()} == {1704067200}
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert pyproject["project"]["name"] == "fancy"
    assert pyproject["project"]["dependencies"] == []
    assert pyproject["project"]["optional-dependencies"] == {"color": ["colorful>=1"]}


def test_build_sdist_dynamic_fields_and_pkg_info_version(tmp_path: Path) -> None:
    sdist = build_sdist(
        FANCY,
        tmp_path,
        dynamic=("version", "optional-dependencies"),
        metadata_version="2.2",
        pkg_info_dynamic=("Provides-Extra",),
        pyproject_extra="\n[tool.hatch.metadata.hooks.custom]\n",
        extra_members={"hatch_build.py": "# a hook\n"},
        omit_members=("fancy/__init__.py",),
    )
    with tarfile.open(sdist) as archive:
        assert sorted(archive.getnames()) == [
            "fancy-1.0/PKG-INFO",
            "fancy-1.0/hatch_build.py",
            "fancy-1.0/pyproject.toml",
        ]
        pyproject_file = archive.extractfile("fancy-1.0/pyproject.toml")
        pkg_info_file = archive.extractfile("fancy-1.0/PKG-INFO")
        assert pyproject_file is not None and pkg_info_file is not None
        pyproject = tomllib.loads(pyproject_file.read().decode("utf-8"))
        pkg_info = email.parser.BytesParser().parsebytes(pkg_info_file.read())
    project = pyproject["project"]
    assert project["dynamic"] == ["version", "optional-dependencies"]
    assert "version" not in project and "optional-dependencies" not in project
    assert pyproject["tool"]["hatch"]["metadata"]["hooks"] == {"custom": {}}
    assert pkg_info["Metadata-Version"] == "2.2"
    assert pkg_info.get_all("Dynamic") == ["Provides-Extra"]


def test_build_sdist_zip_holds_the_same_members(tmp_path: Path) -> None:
    tar = build_sdist(FANCY, tmp_path / "tar")
    zipped = build_sdist(FANCY, tmp_path / "zip", archive_format="zip")
    assert zipped.name == "fancy-1.0.zip"
    with tarfile.open(tar) as archive:
        members = {
            info.name: archive.extractfile(info).read()  # type: ignore[union-attr]
            for info in archive.getmembers()
        }
    with zipfile.ZipFile(zipped) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == members


def test_build_catalog_names_every_file_once(tmp_path: Path) -> None:
    names = [p.name for p in build_catalog(tmp_path)]
    assert len(names) == len(set(names))
    assert set(YANKED) <= set(names)
    assert "pkg-1.1.tar.gz" in names
    assert [n for n in names if n.startswith("native-")] == [
        "native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "native-1.0-cp311-cp311-win_amd64.whl",
    ]
