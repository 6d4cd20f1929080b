"""``parse_metadata`` reads each Requires-Dist line as ``packaging``'s ``Requirement`` does,
whether or not its marker was met before (markers are parsed once per text)."""

from __future__ import annotations

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from accord.reconciler.errors import MetadataInvalid
from accord.reconciler.fetch.core_metadata import parse_metadata

_LINES = [
    "idna",
    "idna>=2.8",
    "urllib3<3,>=1.21.1",
    "charset_normalizer (~=3.0)",
    "Pytest[Testing,extra_two] >=7.0, <9 ; extra == 'test'",
    'pytest[testing]>=7.0,<9; extra == "test"',
    "colorama; sys_platform == 'win32'",
    "colorama ;sys_platform=='win32'",
    "tomli>=1; python_version < '3.11' and extra == 'test'",
    "exceptiongroup>=1.0.2; (python_version < '3.11' or platform_system == 'Windows')",
    "pip @ https://example.org/pip-1.0-py3-none-any.whl ; python_version >= '3.8'",
    "pip @ https://example.org/a;b/pip-1.0-py3-none-any.whl",
    "weird-marker; extra == 'a;b'",
]


def _metadata(lines: list[str], version: str = "1.0") -> bytes:
    requires = "".join(f"Requires-Dist: {line}\n" for line in lines)
    return f"Metadata-Version: 2.1\nName: demo\nVersion: {version}\n{requires}\n".encode()


def test_requirements_are_packagings_whether_their_markers_were_met_before() -> None:
    for version in ("1.0", "2.0"):  # the second parse meets every marker again
        parsed = parse_metadata(_metadata(_LINES, version)).requires_dist
        for line, requirement in zip(_LINES, parsed, strict=True):
            expected = Requirement(line)
            assert str(requirement) == str(expected), line
            assert requirement.name == expected.name
            assert requirement.extras == expected.extras
            assert requirement.url == expected.url
            assert str(requirement.specifier) == str(expected.specifier)
            assert str(requirement.marker) == str(expected.marker)
            assert requirement == expected


@pytest.mark.parametrize(
    "line",
    [
        "idna;",
        "idna; python_version <",
        "idna>=; extra == 'x'",
        "idna; extra == 'x' junk",
        "[x]; extra == 'y'",
    ],
)
def test_an_invalid_line_is_said_as_packaging_says_it(line: str) -> None:
    with pytest.raises(InvalidRequirement) as expected:
        Requirement(line)
    with pytest.raises(MetadataInvalid) as raised:
        parse_metadata(_metadata(["idna; extra == 'x'", line], "3.0"))
    assert str(raised.value).endswith(f"has an invalid Requires-Dist: `{line}`: {expected.value}")
