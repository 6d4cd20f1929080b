"""Static sdist metadata, uv's rules (metadata_resolver.rs, source/mod.rs): what a
pyproject.toml or PKG-INFO must say to be trusted instead of running the build backend."""

from __future__ import annotations

import textwrap

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.static_metadata import metadata_from_pkg_info, metadata_from_pyproject

ASDF = canonicalize_name("asdf")
V1 = Version("1.0")
V1_LOCAL = Version("1.0+x")


def _pyproject(body: str, name: NormalizedName = ASDF, version: Version = V1) -> str | None:
    metadata = metadata_from_pyproject(textwrap.dedent(body), name, version)
    return None if metadata is None else metadata.decode()


def _pkg_info(text: str, name: NormalizedName = ASDF, version: Version = V1) -> bytes | None:
    return metadata_from_pkg_info(text.encode(), name, version)


# pyproject.toml ---------------------------------------------------------------------------


def test_metadata_from_pyproject_minimal_project() -> None:
    assert _pyproject('[project]\nname = "asdf"\nversion = "1.0"\n') == (
        "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\n"
    )


def test_metadata_from_pyproject_full_project() -> None:
    body = """
        [project]
        name = "Asdf"
        version = "1.0"
        requires-python = ">=3.6"
        dependencies = ["foo", "bar>=2; python_version < '3.11'"]

        [project.optional-dependencies]
        dotenv = ["bar"]
        Fast_Path = ["baz[x]>1; sys_platform == 'linux' or sys_platform == 'darwin'"]
    """
    assert _pyproject(body) == (
        "Metadata-Version: 2.3\n"
        "Name: Asdf\n"
        "Version: 1.0\n"
        "Requires-Python: >=3.6\n"
        "Requires-Dist: foo\n"
        'Requires-Dist: bar>=2; python_version < "3.11"\n'
        'Requires-Dist: bar; extra == "dotenv"\n'
        'Requires-Dist: baz[x]>1; (sys_platform == "linux" or sys_platform == "darwin")'
        ' and extra == "fast-path"\n'
        "Provides-Extra: dotenv\n"
        "Provides-Extra: fast-path\n"
    )


def test_metadata_from_pyproject_dynamic_version_takes_the_file_names() -> None:
    body = '[project]\nname = "asdf"\ndynamic = ["version", "readme"]\ndependencies = ["foo"]\n'
    assert _pyproject(body, version=Version("2.5")) == (
        "Metadata-Version: 2.3\nName: asdf\nVersion: 2.5\nRequires-Dist: foo\n"
    )


def test_metadata_from_pyproject_missing_version_takes_the_file_names() -> None:
    # uv: "the version is known from the filename and fixed by it".
    assert _pyproject('[project]\nname = "asdf"\n') == (
        "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\n"
    )


def test_metadata_from_pyproject_local_version_matches_its_public_part() -> None:
    metadata = _pyproject('[project]\nname = "asdf"\nversion = "1.0+cpu"\n')
    assert metadata is not None
    assert "Version: 1.0+cpu\n" in metadata


@pytest.mark.parametrize(
    "field", ["dependencies", "optional-dependencies", "requires-python"], ids=str
)
def test_metadata_from_pyproject_refuses_dynamic_dependency_fields(field: str) -> None:
    assert _pyproject(f'[project]\nname = "asdf"\nversion = "1.0"\ndynamic = ["{field}"]\n') is None


def test_metadata_from_pyproject_refuses_poetry_without_project_dependencies() -> None:
    body = """
        [project]
        name = "asdf"
        version = "1.0"

        [tool.poetry.dependencies]
        python = "^3.8"
        foo = "^1"
    """
    assert _pyproject(body) is None


def test_metadata_from_pyproject_accepts_poetry_with_project_dependencies() -> None:
    body = """
        [project]
        name = "asdf"
        version = "1.0"
        dependencies = ["foo"]

        [tool.poetry]
        packages = [{ include = "asdf" }]
    """
    assert _pyproject(body) == (
        "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\nRequires-Dist: foo\n"
    )


@pytest.mark.parametrize(
    ("body", "name", "version"),
    [
        pytest.param('[project]\nname = "other"\nversion = "1.0"\n', ASDF, V1, id="other-name"),
        pytest.param('[project]\nname = "asdf"\nversion = "1.1"\n', ASDF, V1, id="other-version"),
        pytest.param('[project]\nname = "asdf"\nversion = "1.0"\n', ASDF, V1_LOCAL, id="local"),
    ],
)  # fmt: skip
def test_metadata_from_pyproject_refuses_another_name_or_version(
    body: str, name: NormalizedName, version: Version
) -> None:
    assert _pyproject(body, name, version) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('[tool.setuptools]\npackages = ["asdf"]\n', id="no-project-table"),
        pytest.param('[project\nname = "asdf"\n', id="not-toml"),
        pytest.param('[project]\nversion = "1.0"\n', id="no-name"),
        pytest.param('[project]\nname = "asdf"\nversion = "one"\n', id="bad-version"),
        pytest.param('[project]\nname = "asdf"\ndependencies = ["foo >>> 1"]\n', id="bad-dep"),
        pytest.param('[project]\nname = "asdf"\ndependencies = "foo"\n', id="deps-not-a-list"),
        pytest.param('[project]\nname = "asdf"\nrequires-python = "3.*.*"\n', id="bad-python"),
        pytest.param(
            '[project]\nname = "asdf"\n[project.optional-dependencies]\nx = ["foo; nope"]\n',
            id="bad-extra-dep",
        ),
        pytest.param('[project]\nname = "asdf"\ndynamic = "version"\n', id="dynamic-not-a-list"),
    ],
)
def test_metadata_from_pyproject_refuses_what_it_cannot_read(body: str) -> None:
    assert _pyproject(body) is None


# PKG-INFO ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Metadata-Version: 2.2\nName: asdf\nVersion: 1.0\n", id="2.2"),
        pytest.param("Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\n", id="2.3"),
        pytest.param(
            "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\nRequires-Dist: foo\n", id="deps"
        ),
        pytest.param(
            "Metadata-Version: 2.4\nName: ASDF\nVersion: 1.0\nDynamic: Version\nDynamic: Summary\n"
            "Requires-Python: >=3.8\nRequires-Dist: foo; extra == 'x'\nProvides-Extra: x\n\n"
            "A long description.\n",
            id="dynamic-version-and-body",
        ),
    ],
)
def test_metadata_from_pkg_info_is_the_file_itself(text: str) -> None:
    assert _pkg_info(text) == text.encode()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Metadata-Version: 2.1\nName: asdf\nVersion: 1.0\n", id="2.1"),
        pytest.param("Metadata-Version: 1.0\nName: asdf\nVersion: 1.0\n", id="1.0"),
        pytest.param("Metadata-Version: 3.0\nName: asdf\nVersion: 1.0\n", id="3.0"),
        pytest.param("Metadata-Version: two\nName: asdf\nVersion: 1.0\n", id="not-a-version"),
        pytest.param("Name: asdf\nVersion: 1.0\n", id="no-metadata-version"),
        pytest.param("Metadata-Version: 2.2\nName: asdf\n", id="no-version"),
        pytest.param("Metadata-Version: 2.2\nVersion: 1.0\n", id="no-name"),
        *(
            pytest.param(
                f"Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\nDynamic: {field}\n", id=field
            )
            for field in ("Requires-Dist", "Requires-Python", "Provides-Extra", "requires-dist")
        ),
        pytest.param(
            "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\nRequires-Dist: foo >>> 1\n",
            id="bad-requirement",
        ),
        pytest.param(
            "Metadata-Version: 2.3\nName: asdf\nVersion: 1.0\nRequires-Python: 3.*.*\n",
            id="bad-requires-python",
        ),
        pytest.param("Metadata-Version: 2.3\nName: other\nVersion: 1.0\n", id="other-name"),
        pytest.param("Metadata-Version: 2.3\nName: asdf\nVersion: 1.1\n", id="other-version"),
    ],
)
def test_metadata_from_pkg_info_refuses(text: str) -> None:
    assert _pkg_info(text) is None
