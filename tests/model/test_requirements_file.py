"""``parse_requirements``: the requirements.txt subset that ``--with-requirements`` reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement

from accord.model.requirements_file import (
    ParsedRequirements,
    RequirementsFileError,
    parse_requirements,
)

SOURCE = "requirements.txt"


def lines(*text: str) -> str:
    return "".join(line + "\n" for line in text)


def reqs(*text: str) -> tuple[Requirement, ...]:
    return tuple(Requirement(item) for item in text)


def parse(text: str) -> ParsedRequirements:
    return parse_requirements(text, source=SOURCE)


def parse_error(text: str) -> RequirementsFileError:
    with pytest.raises(RequirementsFileError) as info:
        parse(text)
    assert str(info.value) == info.value.message
    return info.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", (), id="empty"),
        pytest.param(lines("", "# only a comment", "   "), (), id="comments-and-blanks"),
        pytest.param(lines("rich", "requests<3"), reqs("rich", "requests<3"), id="one-per-line"),
        pytest.param("rich\nrequests<3", reqs("rich", "requests<3"), id="no-final-newline"),
        pytest.param(lines("rich\r", "requests<3\r"), reqs("rich", "requests<3"), id="crlf"),
        pytest.param(
            lines("rich  # pretty output", "requests\t# http"),
            reqs("rich", "requests"),
            id="trailing-comments",
        ),
        pytest.param(
            lines("  rich[jupyter] >= 13 ; python_version >= '3.9'  "),
            reqs("rich[jupyter]>=13; python_version >= '3.9'"),
            id="extras-and-markers",
        ),
        pytest.param(
            lines("pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl#sha256=00ff"),
            reqs("pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl#sha256=00ff"),
            id="url-fragment-is-not-a-comment",
        ),
        pytest.param(
            lines("requests \\", "  >=2,<3 \\", "  ; python_version >= '3.8'", "rich"),
            reqs("requests>=2,<3; python_version >= '3.8'", "rich"),
            id="continuation",
        ),
        pytest.param(
            lines("# a comment ending in a backslash \\", "rich"),
            reqs("rich"),
            id="comment-does-not-continue",
        ),
        pytest.param(lines("rich \\"), reqs("rich"), id="continuation-at-end-of-file"),
    ],
)
def test_parse_requirements_reads_requirements(text: str, expected: tuple[Requirement]) -> None:
    assert parse(text) == ParsedRequirements(requirements=expected, ignored_options=())


@pytest.mark.parametrize(
    ("text", "ignored"),
    [
        pytest.param(
            lines("-i https://example.invalid/simple", "rich"),
            ((1, "-i https://example.invalid/simple"),),
            id="short-index-url",
        ),
        pytest.param(
            lines("rich", "--index-url=https://example.invalid/simple  # mirror"),
            ((2, "--index-url=https://example.invalid/simple"),),
            id="index-url-with-equals-and-comment",
        ),
        pytest.param(
            lines("--extra-index-url https://a.invalid/simple", "--no-index", "rich"),
            ((1, "--extra-index-url https://a.invalid/simple"), (2, "--no-index")),
            id="extra-index-url-and-no-index",
        ),
        pytest.param(
            lines("-f ./wheels", "--find-links=./more", "rich"),
            ((1, "-f ./wheels"), (2, "--find-links=./more")),
            id="find-links",
        ),
        pytest.param(
            lines("# hashed", "rich==13.0 \\", "    --hash=sha256:aa \\", "    --hash sha256:bb"),
            ((2, "--hash=sha256:aa"), (2, "--hash sha256:bb")),
            id="hashes",
        ),
    ],
)
def test_parse_requirements_reports_ignored_options(
    text: str, ignored: tuple[tuple[int, str], ...]
) -> None:
    parsed = parse(text)
    assert parsed.ignored_options == ignored
    assert [req.name for req in parsed.requirements] == ["rich"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        pytest.param(
            lines("rich", "-r other.txt"),
            "`-r other.txt` in `requirements.txt` at line 2: nested requirement files are not"
            " supported yet",
            2,
            id="nested-requirement",
        ),
        pytest.param(
            lines("--requirement=other.txt"),
            "`--requirement=other.txt` in `requirements.txt` at line 1: nested requirement files"
            " are not supported yet",
            1,
            id="nested-requirement-long",
        ),
        pytest.param(
            lines("", "", "-c constraints.txt"),
            "`-c constraints.txt` in `requirements.txt` at line 3: nested requirement files are"
            " not supported yet",
            3,
            id="constraints",
        ),
        pytest.param(
            lines("-e ./src/pkg"),
            "`-e ./src/pkg` in `requirements.txt` at line 1: editable requirements are not"
            " supported in a `--with-requirements` file yet",
            1,
            id="editable",
        ),
        pytest.param(
            lines("rich", "--pre"),
            "`--pre` in `requirements.txt` at line 2 is not supported",
            2,
            id="unknown-option",
        ),
        pytest.param(
            lines("rich --config-settings key=value"),
            "`--config-settings` in `requirements.txt` at line 1 is not supported",
            1,
            id="unknown-per-requirement-option",
        ),
        pytest.param(
            lines("rich", "./src/pkg"),
            "Invalid requirement `./src/pkg` in `requirements.txt` at line 2: Expected package"
            " name at the start of dependency specifier\n    ./src/pkg\n    ^",
            2,
            id="bare-path",
        ),
        pytest.param(
            lines("# header", "requests \\", "  >>= 2"),
            "Invalid requirement `requests   >>= 2` in `requirements.txt` at line 2: Expected"
            " semicolon (after name with no version specifier) or end\n    requests   >>= 2\n"
            "               ^",
            2,
            id="invalid-after-continuation",
        ),
    ],
)
def test_parse_requirements_rejects(text: str, message: str, line: int) -> None:
    error = parse_error(text)
    assert (error.message, error.line) == (message, line)


def test_parse_requirements_names_the_source() -> None:
    with pytest.raises(RequirementsFileError, match=r"^`-r x` in `-` at line 1"):
        parse_requirements("-r x\n", source="-")


def test_parse_requirements_chains_the_packaging_error() -> None:
    assert parse_error("not a requirement!\n").__cause__ is not None


_names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}([-_.][a-z0-9]{1,3})?", fullmatch=True)
_versions = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}", fullmatch=True)
_requirements = st.builds(
    lambda name, spec, marker: name + spec + marker,
    _names,
    st.one_of(
        st.just(""), st.builds(lambda op, v: op + v, st.sampled_from(["==", ">=", "<"]), _versions)
    ),
    st.sampled_from(["", " ; python_version >= '3.9'", ' ; os_name == "posix"']),
)
_noise = st.sampled_from(["", "# comment", "   ", "  # indented comment"])


@given(items=st.lists(st.tuples(_requirements, _noise, st.booleans(), st.booleans()), max_size=8))
def test_parse_requirements_round_trips(items: list[tuple[str, str, bool, bool]]) -> None:
    """Requirements survive comments, blank lines, trailing comments and continuations."""
    text = ""
    for requirement, noise, trailing_comment, continued in items:
        line = requirement.replace(" ;", " \\\n;") if continued else requirement
        text += noise + "\n" + line + ("  # why" if trailing_comment else "") + "\n"
    parsed = parse(text)
    assert parsed.requirements == tuple(Requirement(item[0]) for item in items)
    assert parsed.ignored_options == ()
