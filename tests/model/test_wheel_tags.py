"""Wheel tags as uv reads them: parsing (unknown tags dropped), the requires-python filter
and the markers a wheel implies. Tables port uv's own unit tests (abi_tag.rs,
language_tag.rs, platform_tag.rs, wheel.rs, requires_python.rs,
prioritized_distribution.rs), then add real wheel filenames from PyPI."""

# The marker tables keep uv's expected strings whole, one case a line.
# ruff: noqa: E501

from __future__ import annotations

import itertools

import pytest
from packaging.markers import Marker
from packaging.utils import parse_wheel_filename
from packaging.version import Version

from accord.model.python_range import matches_requires_python
from accord.model.wheel_markers import NEVER_MARKER, implied_markers
from accord.model.wheel_tags import (
    AbiTag,
    InvalidTag,
    LanguageTag,
    PlatformTag,
    WheelTags,
    parse_abi_tag,
    parse_language_tag,
    parse_platform_tag,
)

Bound = tuple[Version, bool] | None


def _tags(filename: str) -> list[str]:
    """The single tags of a wheel file name, as the index client keeps them."""
    return sorted(str(tag) for tag in parse_wheel_filename(filename)[3])


def _bound(version: str | None, inclusive: bool = True) -> Bound:
    return None if version is None else (Version(version), inclusive)


# Language tags (language_tag.rs) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("none", LanguageTag("none"), id="none"),
        pytest.param("py3", LanguageTag("py", 3), id="py3"),
        pytest.param("py39", LanguageTag("py", 3, 9), id="py39"),
        pytest.param("py310", LanguageTag("py", 3, 10), id="py310"),
        pytest.param("cp39", LanguageTag("cp", 3, 9), id="cp39"),
        pytest.param("cp3", LanguageTag("cp", 3), id="cp3-major-only"),
        pytest.param("pp39", LanguageTag("pp", 3, 9), id="pp39"),
        pytest.param("graalpy310", LanguageTag("graalpy", 3, 10), id="graalpy310"),
        pytest.param("pyston38", LanguageTag("pyston", 3, 8), id="pyston38"),
    ],
)
def test_parse_language_tag_round_trips(text: str, expected: LanguageTag) -> None:
    assert parse_language_tag(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("py", "Missing major version in Python language tag: py"),
        ("pyX", "Invalid major version in Python language tag: pyX"),
        ("py3X", "Invalid minor version in Python language tag: py3X"),
        ("cp", "Missing major version in CPython language tag: cp"),
        ("cpX", "Invalid major version in CPython language tag: cpX"),
        ("cp3X", "Invalid minor version in CPython language tag: cp3X"),
        ("pp", "Missing major version in PyPy language tag: pp"),
        ("ppX", "Invalid major version in PyPy language tag: ppX"),
        ("pp3X", "Invalid minor version in PyPy language tag: pp3X"),
        ("graalpy", "Missing major version in GraalPy language tag: graalpy"),
        ("graalpyX", "Invalid major version in GraalPy language tag: graalpyX"),
        ("graalpy3X", "Invalid minor version in GraalPy language tag: graalpy3X"),
        ("pyston", "Missing major version in Pyston language tag: pyston"),
        ("pystonX", "Invalid major version in Pyston language tag: pystonX"),
        ("pyston3X", "Invalid minor version in Pyston language tag: pyston3X"),
        ("unknown", "Unknown language tag format: unknown"),
        ("", "Unknown language tag format: "),
        ("cp3100", "Unknown language tag format: cp3100"),
    ],
    ids=lambda value: value or "empty",
)
def test_parse_language_tag_rejects_with_uvs_message(text: str, message: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        parse_language_tag(text)
    assert str(caught.value) == message


# ABI tags (abi_tag.rs) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("none", AbiTag(kind="none"), id="none"),
        pytest.param("abi3", AbiTag(kind="abi3"), id="abi3"),
        pytest.param("abi3t", AbiTag(kind="abi3t"), id="abi3t"),
        pytest.param("cp39", AbiTag(kind="cpython", python=(3, 9)), id="cp39"),
        pytest.param("cp37m", AbiTag(kind="cpython", python=(3, 7), variants="m"), id="cp37m"),
        pytest.param("cp313t", AbiTag(kind="cpython", python=(3, 13), variants="t"), id="cp313t"),
        pytest.param(
            "cp314td", AbiTag(kind="cpython", python=(3, 14), variants="td"), id="cp314td"
        ),
        pytest.param(
            "pypy39_pp73",
            AbiTag(kind="pypy", python=(3, 9), implementation=(7, 3)),
            id="pypy39_pp73",
        ),
        pytest.param("pypy_73", AbiTag(kind="pypy", implementation=(7, 3)), id="pypy_73"),
        pytest.param(
            "graalpy240_310_native",
            AbiTag(kind="graalpy", python=(3, 10), implementation=(2, 40)),
            id="graalpy",
        ),
        pytest.param(
            "pyston_23_x86_64_linux_gnu",
            AbiTag(kind="pyston", implementation=(2, 3)),
            id="pyston",
        ),
    ],
)
def test_parse_abi_tag_round_trips(text: str, expected: AbiTag) -> None:
    assert parse_abi_tag(text) == expected
    assert str(expected) == text


def test_parse_abi_tag_stable_abis() -> None:
    assert parse_abi_tag("abi3").is_stable_abi
    assert parse_abi_tag("abi3t").is_stable_abi
    assert not parse_abi_tag("cp313t").is_stable_abi


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cpXY", "Missing major version in CPython ABI tag: cpXY"),
        ("cp39y", "Unknown suffix `y` in CPython ABI tag: cp39y"),
        ("cp39dd", "Duplicate suffix `d` in CPython ABI tag: cp39dd"),
        ("cp3", "Invalid minor version in CPython ABI tag: cp3"),
        ("pypy39", "Invalid PyPy ABI tag format: pypy39"),
        ("pypy39_73", "Invalid PyPy ABI tag format: pypy39_73"),
        ("pypy39_ppXY", "Invalid implementation major version in PyPy ABI tag: pypy39_ppXY"),
        ("graalpy310", "Invalid GraalPy ABI tag format: graalpy310"),
        ("graalpy310_240", "Invalid GraalPy ABI tag format: graalpy310_240"),
        ("graalpy310_graalpyXY", "Invalid GraalPy ABI tag format: graalpy310_graalpyXY"),
        ("graalpy240_310_wrong", "Invalid GraalPy ABI tag format: graalpy240_310_wrong"),
        (
            "graalpy240_310_native_extra",
            "Invalid GraalPy ABI tag format: graalpy240_310_native_extra",
        ),
        ("pyston23_x86_64_linux_gnu", "Invalid Pyston ABI tag format: pyston23_x86_64_linux_gnu"),
        (
            "pyston_XY_x86_64_linux_gnu",
            "Invalid implementation major version in Pyston ABI tag: pyston_XY_x86_64_linux_gnu",
        ),
        ("unknown", "Unknown ABI tag format: unknown"),
        ("", "Unknown ABI tag format: "),
    ],
    ids=lambda value: value or "empty",
)
def test_parse_abi_tag_rejects_with_uvs_message(text: str, message: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        parse_abi_tag(text)
    assert str(caught.value) == message


# Platform tags (platform_tag.rs) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("any", PlatformTag(kind="any")),
        (
            "manylinux_2_24_x86_64",
            PlatformTag(kind="manylinux", version=(2, 24), arch="x86_64"),
        ),
        ("manylinux1_x86_64", PlatformTag(kind="manylinux1", arch="x86_64")),
        ("manylinux2010_x86_64", PlatformTag(kind="manylinux2010", arch="x86_64")),
        ("manylinux2014_x86_64", PlatformTag(kind="manylinux2014", arch="x86_64")),
        ("linux_x86_64", PlatformTag(kind="linux", arch="x86_64")),
        ("musllinux_1_2_x86_64", PlatformTag(kind="musllinux", version=(1, 2), arch="x86_64")),
        (
            "macosx_11_0_universal2",
            PlatformTag(kind="macosx", version=(11, 0), arch="universal2"),
        ),
        ("win32", PlatformTag(kind="win32")),
        ("win_amd64", PlatformTag(kind="win_amd64")),
        ("win_arm64", PlatformTag(kind="win_arm64")),
        ("freebsd_13_14_x86_64", PlatformTag(kind="freebsd", arch="13_14_x86_64")),
        ("illumos_5_11_x86_64", PlatformTag(kind="illumos", arch="5_11_x86_64")),
        ("solaris_11_4_x86_64_64bit", PlatformTag(kind="solaris", arch="11_4_x86_64")),
        ("pyodide_2024_0_wasm32", PlatformTag(kind="pyodide", version=(2024, 0))),
        ("pyemscripten_2026_0_wasm32", PlatformTag(kind="pyemscripten", version=(2026, 0))),
        ("android_21_arm64_v8a", PlatformTag(kind="android", version=(21,), arch="arm64_v8a")),
        (
            "ios_13_0_arm64_iphoneos",
            PlatformTag(kind="ios", version=(13, 0), arch="arm64_iphoneos"),
        ),
    ],
    ids=str,
)
def test_parse_platform_tag_round_trips(text: str, expected: PlatformTag) -> None:
    assert parse_platform_tag(text) == expected
    assert str(expected) == text


def test_parse_platform_tag_armv8l_is_armv7l() -> None:
    assert parse_platform_tag("linux_armv8l") == PlatformTag(kind="linux", arch="armv7l")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("manylinux_x_24_x86_64", "Invalid major version in manylinux platform tag"),
        ("manylinux_2_x_x86_64", "Invalid minor version in manylinux platform tag"),
        ("manylinux_2_24_invalid", "Invalid architecture in manylinux platform tag"),
        ("manylinux_2_24", "Invalid format for manylinux platform tag"),
        ("manylinux1_invalid", "Invalid architecture in manylinux1 platform tag"),
        ("manylinux2010_invalid", "Invalid architecture in manylinux2010 platform tag"),
        ("manylinux2014_invalid", "Invalid architecture in manylinux2014 platform tag"),
        ("linux_invalid", "Invalid architecture in linux platform tag"),
        ("linux_i386", "Invalid architecture in linux platform tag"),
        ("musllinux_x_2_x86_64", "Invalid major version in musllinux platform tag"),
        ("musllinux_1_x_x86_64", "Invalid minor version in musllinux platform tag"),
        ("musllinux_1_2_invalid", "Invalid architecture in musllinux platform tag"),
        ("macosx_x_0_universal2", "Invalid major version in macosx platform tag"),
        ("macosx_11_x_universal2", "Invalid minor version in macosx platform tag"),
        ("macosx_11_0_invalid", "Invalid architecture in macosx platform tag"),
        ("solaris_11_4_x86_64", "Invalid architecture in solaris platform tag"),
        ("pyodide_2024_0_wasm64", "Invalid architecture in pyodide platform tag"),
        ("pyemscripten_2026_0_wasm64", "Invalid architecture in pyemscripten platform tag"),
        ("android_X_arm64_v8a", "Invalid API level in android platform tag"),
        ("android_21_aarch64", "Invalid architecture in android platform tag"),
        ("ios_x_0_arm64_iphoneos", "Invalid major version in ios platform tag"),
        ("ios_13_x_arm64_iphoneos", "Invalid minor version in ios platform tag"),
        ("ios_13_0_invalid_iphoneos", "Invalid architecture in ios platform tag"),
    ],
    ids=lambda value: value if "_" in value else "",
)
def test_parse_platform_tag_rejects_with_uvs_message(text: str, message: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        parse_platform_tag(text)
    assert str(caught.value) == f"{message}: {text}"


@pytest.mark.parametrize(
    "text",
    [
        "freebsd_13_x86/64",
        "netbsd_9_x86\\64",
        "solaris_11_4_x86:64_64bit",
        "freebsd_13.14_x86_64",
        "freebsd_13 x86_64",
        "freebsd_13_x86\u00e9",
    ],
)
def test_parse_platform_tag_rejects_odd_characters(text: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        parse_platform_tag(text)
    assert str(caught.value) == (
        f"Platform tag must contain only ASCII letters, digits, and underscores: {text}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [("unknown", "Unknown platform tag format: unknown"), ("", "Unknown platform tag format: ")],
)
def test_parse_platform_tag_unknown(text: str, message: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        parse_platform_tag(text)
    assert str(caught.value) == message


# A wheel's tag set (wheel.rs) -------------------------------------------------------------


def test_wheel_tags_drop_what_does_not_parse() -> None:
    tags = WheelTags.parse(["py3-none-any", "py3-none-freebsd_13_x86/64", "xx9-zz-any"])
    assert tags == WheelTags(
        python=(LanguageTag("py", 3),),
        abi=(AbiTag(kind="none"),),
        platform=(PlatformTag(kind="any"),),
    )


def test_wheel_tags_read_compressed_sets_and_single_tags_alike() -> None:
    compressed = WheelTags.parse(["cp315-abi3.abi3t-manylinux_2_17_x86_64"])
    single = WheelTags.parse(_tags("foo-1.2.3-cp315-abi3.abi3t-manylinux_2_17_x86_64.whl"))
    assert compressed == single
    assert compressed.abi == (AbiTag(kind="abi3"), AbiTag(kind="abi3t"))


def test_wheel_tags_do_not_depend_on_order() -> None:
    tags = _tags("numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert WheelTags.parse(tags) == WheelTags.parse(reversed(tags))


@pytest.mark.parametrize(
    "abi", ["cp314t", "cp314d", "cp314td"], ids=["free-threaded", "debug", "free-threaded-debug"]
)
def test_wheel_tags_keep_cpython_abi_variants(abi: str) -> None:
    tags = WheelTags.parse(_tags(f"correctionlib-2.8.0-cp314-{abi}-macosx_26_0_arm64.whl"))
    assert [str(tag) for tag in tags.abi] == [abi]


# matches_requires_python (requires_python.rs) ---------------------------------------------

EQ_310_STAR = (_bound("3.10"), _bound("3.11", inclusive=False))  # ==3.10.*
GE_3123 = (_bound("3.12.3"), None)  # >=3.12.3
EQ_3126 = (_bound("3.12.6"), _bound("3.12.6"))  # ==3.12.6
EQ_312 = (_bound("3.12"), _bound("3.12"))  # ==3.12


@pytest.mark.parametrize(
    ("bounds", "filename"),
    [
        *(
            pytest.param(EQ_310_STAR, name, id=f"==3.10.*-{name}")
            for name in (
                "bcrypt-4.1.3-cp37-abi3-macosx_10_12_universal2.whl",
                "black-24.4.2-cp310-cp310-win_amd64.whl",
                "black-24.4.2-cp310-none-win_amd64.whl",
                "cbor2-5.6.4-py3-none-any.whl",
                "solace_pubsubplus-1.8.0-py36-none-manylinux_2_12_x86_64.whl",
                "torch-1.10.0-py310-none-macosx_10_9_x86_64.whl",
                "torch-1.10.0-py37-none-macosx_10_9_x86_64.whl",
                "watchfiles-0.22.0-pp310-pypy310_pp73-macosx_11_0_arm64.whl",
            )
        ),
        pytest.param(GE_3123, "dearpygui-1.11.1-cp312-cp312-win_amd64.whl", id=">=3.12.3"),
        pytest.param(EQ_3126, "lxml-5.3.0-cp312-cp312-musllinux_1_2_aarch64.whl", id="==3.12.6"),
        pytest.param(EQ_312, "lxml-5.3.0-cp312-cp312-musllinux_1_2_x86_64.whl", id="==3.12"),
    ],
)
def test_matches_requires_python_included(bounds: tuple[Bound, Bound], filename: str) -> None:
    assert matches_requires_python(_tags(filename), *bounds)


@pytest.mark.parametrize(
    ("bounds", "filename"),
    [
        *(
            pytest.param(EQ_310_STAR, name, id=f"==3.10.*-{name}")
            for name in (
                "PySocks-1.7.1-py27-none-any.whl",
                "black-24.4.2-cp39-cp39-win_amd64.whl",
                "dearpygui-1.11.1-cp312-cp312-win_amd64.whl",
                "psutil-6.0.0-cp27-none-win32.whl",
                "psutil-6.0.0-cp36-cp36m-win32.whl",
                "pydantic_core-2.20.1-pp39-pypy39_pp73-win_amd64.whl",
                "torch-1.10.0-cp311-none-macosx_10_9_x86_64.whl",
                "torch-1.10.0-cp36-none-macosx_10_9_x86_64.whl",
                "torch-1.10.0-py311-none-macosx_10_9_x86_64.whl",
            )
        ),
        pytest.param(GE_3123, "dearpygui-1.11.1-cp310-cp310-win_amd64.whl", id=">=3.12.3"),
    ],
)
def test_matches_requires_python_dropped(bounds: tuple[Bound, Bound], filename: str) -> None:
    assert not matches_requires_python(_tags(filename), *bounds)


@pytest.mark.parametrize(
    ("upper", "fits"),
    [
        pytest.param(_bound("3.10", inclusive=False), False, id="<3.10"),
        pytest.param(_bound("3.10.0", inclusive=False), False, id="<3.10.0"),
        pytest.param(_bound("3.10.1", inclusive=False), True, id="<3.10.1-admits-3.10.0"),
        pytest.param(_bound("3.10"), True, id="<=3.10"),
        pytest.param(_bound("3.9.7"), False, id="<=3.9.7"),
        pytest.param(None, True, id="unbounded"),
    ],
)
def test_matches_requires_python_upper_bound_counts_major_minor(upper: Bound, fits: bool) -> None:
    assert matches_requires_python(["cp310-cp310-win_amd64"], _bound("3.8"), upper) is fits


@pytest.mark.parametrize(
    ("lower", "fits"),
    [
        pytest.param(_bound("3.10.5"), True, id=">=3.10.5"),
        pytest.param(_bound("3.10.5", inclusive=False), True, id=">3.10.5"),
        pytest.param(_bound("3.10", inclusive=False), True, id=">3.10"),
        pytest.param(_bound("3.11"), False, id=">=3.11"),
        pytest.param(None, True, id="unbounded"),
    ],
)
def test_matches_requires_python_lower_bound_counts_major_minor(lower: Bound, fits: bool) -> None:
    assert matches_requires_python(["cp310-cp310-win_amd64"], lower, None) is fits


@pytest.mark.parametrize(
    ("tags", "fits"),
    [
        pytest.param(["py2-none-any"], False, id="py2"),
        pytest.param(["py2-none-any", "py3-none-any"], True, id="py2.py3"),
        pytest.param(["cp27-cp27mu-manylinux1_x86_64"], False, id="cp27mu"),
        pytest.param(["pp27-pypy_73-manylinux1_x86_64"], False, id="pypy-without-python"),
        pytest.param(["cp2-none-any"], True, id="cp2-is-not-in-uvs-python2-list"),
        pytest.param(["py4-none-any"], True, id="py4-unknown-allowed"),
        pytest.param(["py312-none-any"], False, id="py312-above-upper"),
        pytest.param(["py36-none-any"], True, id="py36-is-a-minimum"),
        pytest.param(["pyston38-none-any"], False, id="pyston38-below-lower"),
        pytest.param(
            ["pyston38-pyston_23_x86_64_linux_gnu-linux_x86_64"], True, id="pyston-abi-allowed"
        ),
        pytest.param(["graalpy311-graalpy242_311_native-any"], True, id="graalpy311"),
        pytest.param(["graalpy312-graalpy242_312_native-any"], False, id="graalpy312"),
        pytest.param(["cp39-abi3-any", "cp39-abi3t-any"], True, id="abi3"),
        pytest.param(["py3-zz9-any"], False, id="no-abi-tag-uv-knows"),
        pytest.param([], False, id="no-tags"),
    ],
)
def test_matches_requires_python_tag_kinds(tags: list[str], fits: bool) -> None:
    # requires-python >=3.10,<3.12
    lower, upper = _bound("3.10"), _bound("3.12", inclusive=False)
    assert matches_requires_python(tags, lower, upper) is fits


REAL_WHEELS_310_312 = [
    ("numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", False),
    ("numpy-2.1.3-cp311-cp311-macosx_14_0_arm64.whl", True),
    ("numpy-2.1.3-cp313-cp313t-musllinux_1_2_x86_64.whl", False),
    ("numpy-2.1.3-pp310-pypy310_pp73-win_amd64.whl", True),
    ("pydantic_core-2.27.1-cp310-cp310-win32.whl", True),
    ("pydantic_core-2.27.1-cp38-cp38-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", False),
    ("pydantic_core-2.27.1-pp39-pypy39_pp73-musllinux_1_1_aarch64.whl", False),
    ("cryptography-44.0.0-cp37-abi3-macosx_10_9_universal2.whl", True),
    ("cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl", True),
    ("cryptography-44.0.0-pp310-pypy310_pp73-manylinux_2_28_aarch64.whl", True),
    ("torch-2.5.1-cp311-none-macosx_11_0_arm64.whl", True),
    ("torch-2.5.1-cp313-none-macosx_11_0_arm64.whl", False),
    ("torch-2.5.1+cu121-cp310-cp310-linux_x86_64.whl", True),
    ("pywin32-308-cp313-cp313-win32.whl", False),
    ("pywin32-308-cp310-cp310-win_amd64.whl", True),
    ("six-1.16.0-py2.py3-none-any.whl", True),
    ("futures-3.0.5-py2-none-any.whl", False),
    ("pycparser-2.22-py3-none-any.whl", True),
    ("kiwisolver-1.4.7-graalpy311-graalpy242_311_native-manylinux_2_17_x86_64.whl", True),
    ("psycopg_binary-3.2.3-cp313-cp313t-win_amd64.whl", False),
]


@pytest.mark.parametrize(("filename", "fits"), REAL_WHEELS_310_312, ids=lambda v: str(v))
def test_matches_requires_python_real_wheels(filename: str, fits: bool) -> None:
    lower, upper = _bound("3.10"), _bound("3.12", inclusive=False)
    assert matches_requires_python(_tags(filename), lower, upper) is fits


# implied_markers (prioritized_distribution.rs) --------------------------------------------

_PYTHONS = ["2.7.18", "3.0.1", "3.7.9", "3.9.0", "3.10.4", "3.11.0", "3.12.7", "3.13.1"]
_PYTHONS += ["3.14.0", "3.15.2", "4.0.0"]
_IMPLEMENTATIONS = ["CPython", "PyPy", "GraalPy", "Pyston"]
_PLATFORMS = ["linux", "darwin", "win32", "freebsd14"]
_MACHINES = ["x86_64", "aarch64", "arm64", "AMD64", "ARM64", "x86", "i386", "i686", "ppc"]
_MACHINES += ["ppc64", "ppc64le", "intel", "armv7l", "s390x"]


def _environments() -> list[dict[str, str]]:
    return [
        {
            "python_full_version": python,
            "python_version": ".".join(python.split(".")[:2]),
            "platform_python_implementation": implementation,
            "implementation_name": implementation.lower(),
            "sys_platform": platform,
            "platform_machine": machine,
            "platform_system": "",
            "platform_release": "",
            "platform_version": "",
            "os_name": "posix",
            "implementation_version": python,
            "extra": "",
        }
        for python, implementation, platform, machine in itertools.product(
            _PYTHONS, _IMPLEMENTATIONS, _PLATFORMS, _MACHINES
        )
    ]


ENVIRONMENTS = _environments()


def _truth_table(marker: str | None) -> list[bool]:
    if marker is None:
        return [True] * len(ENVIRONMENTS)
    parsed = Marker(marker)
    return [parsed.evaluate(environment) for environment in ENVIRONMENTS]


def _assert_same_environments(actual: str | None, expected: str | None) -> None:
    if actual is not None:
        Marker(actual)  # valid PEP 508
    assert _truth_table(actual) == _truth_table(expected), (actual, expected)


CPYTHON = "platform_python_implementation == 'CPython'"


@pytest.mark.parametrize(
    ("filename", "platform"),
    [
        ("example-1.0-py3-none-any.whl", None),
        ("example-1.0-cp310-cp310-win32.whl", "sys_platform == 'win32' and platform_machine == 'x86'"),
        ("numpy-2.2.1-cp313-cp313t-win_amd64.whl", "sys_platform == 'win32' and platform_machine == 'AMD64'"),
        ("numpy-2.2.1-cp313-cp313t-win_arm64.whl", "sys_platform == 'win32' and platform_machine == 'ARM64'"),
        (
            "numpy-2.2.1-cp313-cp313t-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "sys_platform == 'linux' and platform_machine == 'aarch64'",
        ),
        (
            "numpy-2.2.1-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
        ("numpy-2.2.1-cp312-cp312-musllinux_1_2_aarch64.whl", "sys_platform == 'linux' and platform_machine == 'aarch64'"),
        ("numpy-2.2.1-cp310-cp310-macosx_14_0_x86_64.whl", "sys_platform == 'darwin' and platform_machine == 'x86_64'"),
        ("numpy-2.2.1-cp310-cp310-macosx_10_9_x86_64.whl", "sys_platform == 'darwin' and platform_machine == 'x86_64'"),
        ("numpy-2.2.1-cp310-cp310-macosx_11_0_arm64.whl", "sys_platform == 'darwin' and platform_machine == 'arm64'"),
    ],
    ids=lambda value: str(value),
)  # fmt: skip
def test_implied_markers_platform_part(filename: str, platform: str | None) -> None:
    # uv's test_implied_platform_markers; the Python part is the file's own language tag.
    python_tag = filename.split("-")[2]
    python = (
        "python_full_version >= '3' and python_full_version < '4'"
        if python_tag == "py3"
        else f"python_full_version == '3.{python_tag[3:]}.*' and {CPYTHON}"
    )
    expected = python if platform is None else f"({python}) and ({platform})"
    _assert_same_environments(implied_markers(_tags(filename)), expected)


@pytest.mark.parametrize(
    ("filename", "python"),
    [
        ("example-1.0-none-none-any.whl", None),
        ("example-1.0-cp310-cp310-any.whl", f"python_full_version == '3.10.*' and {CPYTHON}"),
        ("example-1.0-cp311-cp311-any.whl", f"python_full_version == '3.11.*' and {CPYTHON}"),
        ("example-1.0-cp312-cp312-any.whl", f"python_full_version == '3.12.*' and {CPYTHON}"),
        ("example-1.0-cp313-cp313-any.whl", f"python_full_version == '3.13.*' and {CPYTHON}"),
        ("example-1.0-cp313-cp313t-any.whl", f"python_full_version == '3.13.*' and {CPYTHON}"),
        (
            "example-1.0-pp310-pypy310_pp73-any.whl",
            "python_full_version == '3.10.*' and platform_python_implementation == 'PyPy'",
        ),
        (
            "example-1.0-py310-none-any.whl",
            "python_full_version >= '3.10' and python_full_version < '3.11'",
        ),
        (
            "example-1.0-py3-none-any.whl",
            "python_full_version >= '3' and python_full_version < '4'",
        ),
        (
            "example-1.0-py311.py312-none-any.whl",
            "python_full_version >= '3.11' and python_full_version < '3.13'",
        ),
        ("example-1.0-cp39-abi3-any.whl", f"python_full_version >= '3.9' and {CPYTHON}"),
        ("example-1.0-cp312-abi3-any.whl", f"python_full_version >= '3.12' and {CPYTHON}"),
        ("example-1.0-cp315-abi3t-any.whl", f"python_full_version >= '3.15' and {CPYTHON}"),
        ("example-1.0-cp3-abi3-any.whl", f"python_full_version >= '3' and {CPYTHON}"),
    ],
    ids=lambda value: str(value),
)
def test_implied_markers_python_part(filename: str, python: str | None) -> None:
    # uv's test_implied_python_markers (the platform is `any`).
    _assert_same_environments(implied_markers(_tags(filename)), python)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "numpy-1.0-cp310-cp310-win32.whl",
            "python_full_version == '3.10.*' and platform_python_implementation == 'CPython' and sys_platform == 'win32' and platform_machine == 'x86'",
        ),
        (
            "pywin32-311-cp314-cp314-win_arm64.whl",
            "python_full_version == '3.14.*' and platform_python_implementation == 'CPython' and sys_platform == 'win32' and platform_machine == 'ARM64'",
        ),
        (
            "numpy-1.0-cp311-cp311-macosx_10_9_x86_64.whl",
            "python_full_version == '3.11.*' and platform_python_implementation == 'CPython' and sys_platform == 'darwin' and platform_machine == 'x86_64'",
        ),
        (
            "numpy-1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "python_full_version == '3.12.*' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and platform_machine == 'aarch64'",
        ),
        ("example-1.0-py3-none-any.whl", "python_full_version >= '3' and python_full_version < '4'"),
        (
            "example-1.0-cp39-abi3-manylinux_2_28_x86_64.whl",
            "python_full_version >= '3.9' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
        (
            "example-1.0-cp315-abi3t-manylinux_2_28_x86_64.whl",
            "python_full_version >= '3.15' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
    ],
    ids=lambda value: str(value),
)  # fmt: skip
def test_implied_markers_uv_cases(filename: str, expected: str) -> None:
    _assert_same_environments(implied_markers(_tags(filename)), expected)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("six-1.16.0-py2.py3-none-any.whl", "python_full_version == '2.*' or python_full_version == '3.*'"),
        ("example-1.0-none-none-any.whl", None),
        (
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            f"python_full_version == '3.12.*' and {CPYTHON} and sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
        (
            "numpy-2.1.3-cp313-cp313t-macosx_14_0_arm64.whl",
            f"python_full_version == '3.13.*' and {CPYTHON} and sys_platform == 'darwin' and platform_machine == 'arm64'",
        ),
        (
            "cryptography-44.0.0-cp37-abi3-macosx_10_9_universal2.whl",
            f"python_full_version >= '3.7' and {CPYTHON} and sys_platform == 'darwin' and (platform_machine == 'arm64' or platform_machine == 'x86_64')",
        ),
        (
            "pydantic_core-2.27.1-pp310-pypy310_pp73-musllinux_1_1_aarch64.whl",
            "python_full_version == '3.10.*' and platform_python_implementation == 'PyPy' and sys_platform == 'linux' and platform_machine == 'aarch64'",
        ),
        (
            "kiwisolver-1.4.7-graalpy311-graalpy242_311_native-manylinux_2_17_x86_64.whl",
            "python_full_version == '3.11.*' and platform_python_implementation == 'GraalPy' and sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
        (
            "torch-2.5.1+cu121-cp310-cp310-linux_x86_64.whl",
            f"python_full_version == '3.10.*' and {CPYTHON} and sys_platform == 'linux' and platform_machine == 'x86_64'",
        ),
        (
            "pywin32-308-cp313-cp313-win32.whl",
            f"python_full_version == '3.13.*' and {CPYTHON} and sys_platform == 'win32' and platform_machine == 'x86'",
        ),
        (
            "example-1.0-py3-none-macosx_10_9_x86_64.manylinux1_x86_64.win_amd64.whl",
            "python_full_version == '3.*' and ((sys_platform == 'darwin' and platform_machine == 'x86_64') or (sys_platform == 'linux' and platform_machine == 'x86_64') or (sys_platform == 'win32' and platform_machine == 'AMD64'))",
        ),
        (
            "example-1.0-py3.cp310-none-any.whl",
            f"python_full_version == '3.*' or (python_full_version == '3.10.*' and {CPYTHON})",
        ),
        (
            "example-1.0-cp310-cp310-macosx_10_9_intel.whl",
            f"python_full_version == '3.10.*' and {CPYTHON} and sys_platform == 'darwin' and (platform_machine == 'i386' or platform_machine == 'x86_64')",
        ),
    ],
    ids=lambda value: str(value),
)  # fmt: skip
def test_implied_markers_text(filename: str, expected: str | None) -> None:
    assert implied_markers(_tags(filename)) == expected


@pytest.mark.parametrize(
    "filename",
    [
        "example-1.0-cp312-cp312-freebsd_14_0_x86_64.whl",
        "example-1.0-cp312-cp312-android_21_arm64_v8a.whl",
        "example-1.0-cp312-cp312-win_ia64.whl",
        "example-1.0-xx3-cp312-any.whl",
    ],
)
def test_implied_markers_never_when_no_tag_maps(filename: str) -> None:
    # uv's implied markers are `false` when no platform (or no Python) tag is one it maps.
    assert implied_markers(_tags(filename)) == NEVER_MARKER
    assert not any(_truth_table(NEVER_MARKER))


def test_implied_markers_do_not_depend_on_tag_order() -> None:
    tags = _tags("example-1.0-py2.py3-none-macosx_10_9_x86_64.manylinux1_x86_64.win_amd64.whl")
    assert implied_markers(tags) == implied_markers(list(reversed(tags)))


def test_lock_platform_markers_are_uvs_fixed_platform_sets() -> None:
    from accord.model.marker_tree import MarkerTree
    from accord.model.wheel_markers import lock_platform_markers

    def kept(tag: str, reach: str) -> bool:
        checks = lock_platform_markers([tag])
        return not any(MarkerTree.parse(reach).is_disjoint(MarkerTree.parse(c)) for c in checks)

    # hf-xet is reached where platform_machine is one of these spellings; uv keeps its
    # win_arm64 wheel (its ARM set holds both `arm64` and `ARM64`).
    hf = "platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'arm64'"
    assert kept("cp38-abi3-win_arm64", hf)
    assert kept("cp38-abi3-manylinux_2_17_aarch64", hf)
    assert not kept("cp38-abi3-win32", hf)
    assert not kept("cp38-abi3-win_amd64", "sys_platform == 'linux'")
    assert kept("py3-none-any", "sys_platform == 'linux'")
    assert lock_platform_markers(["py3-none-any"]) == ()
    assert lock_platform_markers(["cp312-cp312-macosx_11_0_arm64"]) == (
        "os_name == 'posix' and sys_platform == 'darwin' and (platform_machine == 'aarch64'"
        " or platform_machine == 'arm64' or platform_machine == 'ARM64')",
        "platform_machine == 'aarch64' or platform_machine == 'arm64' or platform_machine == 'ARM64'",
    )
