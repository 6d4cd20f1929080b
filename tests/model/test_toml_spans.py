"""model.toml_spans: every key and value of a valid document is found where it is written."""

from __future__ import annotations

import sys
from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.model.toml_spans import Position, locate, spans

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCUMENT = """\
# a comment
[project]
name = "demo"  # trailing
dependencies = [
  "a",  # first
  'b',
  \"\"\"c\"\"\",
]
"quoted key".inner = { x = 1, y = [true, 2.5] }

[[tool.uv.index]]
url = "http://one"

[[tool.uv.index]]
name = "two"
"""


def test_locate_values_keys_and_headers() -> None:
    assert locate(DOCUMENT, ("project", "name")) == Position(3, 8, 6, 'name = "demo"  # trailing')
    assert locate(DOCUMENT, ("project", "dependencies", 1)) == Position(6, 3, 3, "  'b',")
    assert locate(DOCUMENT, ("project", "dependencies", 2)) == Position(7, 3, 7, '  """c""",')
    assert locate(DOCUMENT, ("project", "quoted key", "inner", "y", 1)) == Position(
        9, 42, 3, '"quoted key".inner = { x = 1, y = [true, 2.5] }'
    )
    assert locate(DOCUMENT, ("project", "quoted key", "inner", "x"), key=True) == Position(
        9, 24, 1, '"quoted key".inner = { x = 1, y = [true, 2.5] }'
    )
    assert locate(DOCUMENT, ("tool", "uv", "index", 1)) == Position(14, 1, 17, "[[tool.uv.index]]")
    # A path that is not written falls back to the nearest written ancestor.
    assert locate(DOCUMENT, ("tool", "uv", "index", 1, "url")) == Position(
        14, 1, 17, "[[tool.uv.index]]"
    )
    assert locate(DOCUMENT, ("nowhere",)) is None


def test_spans_stop_quietly_on_text_that_is_not_toml() -> None:
    assert spans('a = 1\n[b\nc = "').values == {("a",): (4, 5)}


_KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"])),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, min_size=1, max_size=3)
    ),
    max_leaves=12,
)


def _leaves(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4))
def test_spans_every_leaf_is_found_and_its_text_is_the_value(document: dict[str, Any]) -> None:
    text = tomlkit.dumps(document)
    assert tomllib.loads(text) == document  # tomlkit wrote what it was given
    found = spans(text)
    for path, value in _leaves(document, ()):
        start, end = found.values[path]
        assert tomllib.loads(f"v = {text[start:end]}")["v"] == value
