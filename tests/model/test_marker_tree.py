"""``MarkerTree``: uv's marker algebra and rendering, checked against uv's own tests and locks.

Oracles: (1) asserts ported from uv's ``uv-pep508/src/marker/tree.rs`` tests (uv 0.12.5 source,
the behaviour of uv 0.13.8); (2) every marker in the ``uv.lock`` snapshots of uv's integration
tests must parse and render back to the same bytes; (3) hypothesis: the diagram evaluates like
packaging's ``Marker.evaluate_prepared`` on complete, self-consistent environments.
"""
# ruff: noqa: E501

from __future__ import annotations

import functools
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.version import Version

from accord.model.marker_tree import MarkerTree

# (input, uv's rendering): tree.rs `assert_simplifies` (equal trees and exact text).
SIMPLIFIES = [
    ("python_version in '3.9.0'", "python_full_version == '3.9.*'"),
    (
        "python_version in '3.9 3.10.0 3.11'",
        "python_full_version >= '3.9' and python_full_version < '3.12'",
    ),
    ("python_version == '3.9'", "python_full_version == '3.9.*'"),
    ("python_version == '3.9.0'", "python_full_version == '3.9.*'"),
    ("python_version == '3.9.0.*'", "python_full_version == '3.9.*'"),
    ("python_version == '3.*'", "python_full_version >= '3' and python_full_version < '4'"),
    (
        "python_version in '3.9 3.11'",
        "python_full_version == '3.9.*' or python_full_version == '3.11.*'",
    ),
    (
        "python_version in '3.9 3.10 3.11'",
        "python_full_version >= '3.9' and python_full_version < '3.12'",
    ),
    (
        "implementation_version in '3.9 3.11'",
        "implementation_version == '3.9' or implementation_version == '3.11'",
    ),
    (
        "python_version not in '3.9 3.11'",
        "python_full_version < '3.9' or python_full_version == '3.10.*' or python_full_version >= '3.12'",
    ),
    (
        "python_version not in '3.9 3.10 3.11'",
        "python_full_version < '3.9' or python_full_version >= '3.12'",
    ),
    (
        "implementation_version not in '3.9 3.11'",
        "implementation_version != '3.9' and implementation_version != '3.11'",
    ),
    ("python_version != '3.9'", "python_full_version != '3.9.*'"),
    ("python_version >= '3.9.0'", "python_full_version >= '3.9'"),
    ("python_version <= '3.9.0'", "python_full_version < '3.10'"),
    ("python_version == '3.*'", "python_full_version >= '3' and python_full_version < '4'"),
    ("python_version == '3.0.*'", "python_full_version == '3.0.*'"),
    ("python_version < '3.17' or python_version < '3.18'", "python_full_version < '3.18'"),
    (
        "python_version > '3.17' or python_version > '3.18' or python_version > '3.12'",
        "python_full_version >= '3.13'",
    ),
    (
        "python_version > '3.17.post4' or python_version > '3.18.post4'",
        "python_full_version >= '3.18'",
    ),
    ("python_version < '3.17' and python_version < '3.18'", "python_full_version < '3.17'"),
    ("python_version <= '3.18' and python_version == '3.18'", "python_full_version == '3.18.*'"),
    ("python_version <= '3.18' or python_version == '3.18'", "python_full_version < '3.19'"),
    (
        "python_version <= '3.15' or (python_version <= '3.17' and python_version < '3.16')",
        "python_full_version < '3.16'",
    ),
    (
        "(python_version > '3.17' or python_version > '3.16') and python_version > '3.15'",
        "python_full_version >= '3.17'",
    ),
    (
        "(python_version > '3.17' or python_version > '3.16') and python_version > '3.15' and implementation_version == '1'",
        "implementation_version == '1' and python_full_version >= '3.17'",
    ),
    (
        "('3.17' < python_version or '3.16' < python_version) and '3.15' < python_version and implementation_version == '1'",
        "implementation_version == '1' and python_full_version >= '3.17'",
    ),
    ("extra == 'a' or extra == 'a'", "extra == 'a'"),
    ("extra == 'a' and extra == 'a' or extra == 'b'", "extra == 'a' or extra == 'b'"),
    (
        "((extra == 'a' and extra == 'b') and extra == 'c') and extra == 'b'",
        "extra == 'a' and extra == 'b' and extra == 'c'",
    ),
    (
        "((extra == 'a' or extra == 'b') or extra == 'c') or extra == 'b'",
        "extra == 'a' or extra == 'b' or extra == 'c'",
    ),
    ("extra == 'a' or (extra == 'a' and extra == 'b')", "extra == 'a'"),
    ("extra == 'a' and (extra == 'a' or extra == 'b')", "extra == 'a'"),
    (
        "(extra == 'a' and (extra == 'a' or extra == 'b')) or extra == 'd'",
        "extra == 'a' or extra == 'd'",
    ),
    (
        "((extra == 'a' and extra == 'b') or extra == 'c') or extra == 'b'",
        "extra == 'b' or extra == 'c'",
    ),
    (
        "((extra == 'a' or extra == 'b') and extra == 'c') and extra == 'b'",
        "extra == 'b' and extra == 'c'",
    ),
    (
        "((extra == 'a' or extra == 'b') and extra == 'c') or extra == 'b'",
        "extra == 'b' or (extra == 'a' and extra == 'c')",
    ),
    (
        "(python_version < '3.1' or python_version < '3.2') and (python_version < '3.2' or python_version == '3.3')",
        "python_full_version < '3.2'",
    ),
    (
        "extra == 'a' and (python_version < '3.12.0rc1' or python_version >= '3.12.0rc1')",
        "extra == 'a'",
    ),
    ("python_version != '3.10' or python_version > '3.12'", "python_full_version != '3.10.*'"),
    (
        "python_version != '3.8' and python_version < '3.10'",
        "python_full_version < '3.8' or python_full_version == '3.9.*'",
    ),
    (
        "python_version != '3.8' and python_version != '3.9'",
        "python_full_version < '3.8' or python_full_version >= '3.10'",
    ),
    (
        'extra != "foo" and (extra == "bar" or extra == "baz")',
        "(extra == 'bar' and extra != 'foo') or (extra == 'baz' and extra != 'foo')",
    ),
    (
        'sys_platform != "foo" and (sys_platform == "bar" or sys_platform == "baz")',
        "sys_platform == 'bar' or sys_platform == 'baz'",
    ),
    (
        '(extra != "bar" and (extra == "foo" or extra == "baz"))\n            or ((extra != "foo" and extra != "bar") and extra == "baz")',
        "(extra != 'bar' and extra == 'baz') or (extra != 'bar' and extra == 'foo')",
    ),
    (
        "(implementation_name == 'pypy' and sys_platform != 'win32')\n                or (implementation_name != 'pypy' and sys_platform == 'win32')\n                or (sys_platform == 'win32' and os_name != 'nt')\n                or (sys_platform != 'win32' and os_name == 'nt')",
        "(implementation_name == 'pypy' and sys_platform != 'win32') or (implementation_name != 'pypy' and sys_platform == 'win32') or (os_name != 'nt' and sys_platform == 'win32') or (os_name == 'nt' and sys_platform != 'win32')",
    ),
    (
        "(os_name == 'Linux' and platform_system == 'win32')\n                or (os_name == 'Linux' and platform_system == 'win32' and sys_platform == 'a')\n                or (os_name == 'Linux' and platform_system == 'win32' and sys_platform == 'x')\n                or (os_name != 'Linux' and platform_system == 'win32' and sys_platform == 'x')\n                or (os_name == 'Linux' and platform_system != 'win32' and sys_platform == 'x')\n                or (os_name != 'Linux' and platform_system != 'win32' and sys_platform == 'x')",
        "(os_name == 'Linux' and platform_system == 'win32') or sys_platform == 'x'",
    ),
    ("python_version > '3.7'", "python_full_version >= '3.8'"),
    (
        "(python_version <= '3.7' and os_name == 'Linux') or python_version > '3.7'",
        "python_full_version >= '3.8' or os_name == 'Linux'",
    ),
    (
        "(os_name == 'Linux' and sys_platform == 'win32') or (os_name != 'Linux' and sys_platform == 'win32' and python_version == '3.7') or (os_name != 'Linux' and sys_platform == 'win32' and python_version == '3.8')",
        "(python_full_version >= '3.7' and python_full_version < '3.9' and sys_platform == 'win32') or (os_name == 'Linux' and sys_platform == 'win32')",
    ),
    (
        "(implementation_name != 'pypy' and os_name == 'nt' and sys_platform == 'darwin') or (os_name == 'nt' and sys_platform == 'win32')",
        "os_name == 'nt' and sys_platform == 'win32'",
    ),
    (
        "(sys_platform == 'darwin' or sys_platform == 'win32') and ((implementation_name != 'pypy' and os_name == 'nt' and sys_platform == 'darwin') or (os_name == 'nt' and sys_platform == 'win32'))",
        "os_name == 'nt' and sys_platform == 'win32'",
    ),
    (
        "(sys_platform == 'darwin' or sys_platform == 'win32')\n                and ((platform_version != '1' and os_name == 'nt' and sys_platform == 'darwin') or (os_name == 'nt' and sys_platform == 'win32'))",
        "os_name == 'nt' and sys_platform == 'win32'",
    ),
    (
        "(os_name == 'nt' and sys_platform == 'win32') or (os_name != 'nt' and platform_version == '1' and (sys_platform == 'win32' or sys_platform == 'win64'))",
        "(os_name != 'nt' and platform_version == '1' and sys_platform == 'win64') or (os_name == 'nt' and sys_platform == 'win32') or (platform_version == '1' and sys_platform == 'win32')",
    ),
    (
        "(os_name == 'nt' and sys_platform == 'win32') or (os_name != 'nt' and (sys_platform == 'win32' or sys_platform == 'win64'))",
        "(os_name != 'nt' and sys_platform == 'win64') or sys_platform == 'win32'",
    ),
]

# tree.rs `assert_true` / `is_true()`.
ALWAYS_TRUE = [
    "python_version != '3.9.1'",
    "python_version in 'foo'",
    "python_version in '3.9.*'",
    "python_version in '3.9, 3.10'",
    "python_version in '3.9,3.10'",
    "python_version in '3.9 or 3.10'",
    "python_version < '3.12.0rc1' or python_version >= '3.12.0rc1'",
    "extra == 'a' or (python_version < '3.12.0rc1' or python_version >= '3.12.0rc1')",
    "python_version != '3.10' or python_version < '3.12'",
    "sys_platform == 'win32' or sys_platform != 'win32'",
    "'win32' == sys_platform or sys_platform != 'win32'",
    "sys_platform == 'win32' or sys_platform == 'win32' or sys_platform != 'win32'",
    "python_full_version > '3.10' or python_full_version <= '3.10'",
    "'wat' == 'wat'",
    "os_name ~= 'wat'",
    "python_version == 'Linux'",
    "os_name ~= 'wat' or 'wat' == 'wat' and python_version == 'Linux'",
]

# tree.rs `assert_false` / `is_false()`.
ALWAYS_FALSE = [
    "python_version == '3.9.1'",
    "python_full_version > '3.10' and python_full_version <= '3.10'",
    "python_version < '3.17' and '3.18' == python_version",
    "sys_platform == 'win32' and sys_platform != 'win32'",
    "python_version < '3.10' and python_version >= '3.10'",
]

# (a, b, disjoint): tree.rs `is_disjoint`, checked both ways.
DISJOINT = [
    ("extra == 'a'", "python_version == '1'", False),
    ("extra == 'a'", "extra == 'a'", False),
    ("extra == 'a'", "extra == 'b'", False),
    ("extra == 'b'", "extra == 'a'", False),
    ("extra == 'b'", "extra != 'a'", False),
    ("extra != 'b'", "extra == 'a'", False),
    ("extra != 'b'", "extra == 'b'", True),
    ("extra == 'b'", "extra != 'b'", True),
    ("python_version == 'Linux'", "python_full_version == '3.7.1'", False),
    ("os_name == 'Linux'", "python_full_version == '3.7.1'", False),
    ("python_full_version == '3.7.*'", "python_full_version == '3.7.1'", False),
    ("python_version == '3.7'", "python_full_version == '3.8'", True),
    ("python_version == '3.7'", "python_full_version == '3.7.2'", False),
    ("python_version > '3.7'", "python_full_version == '3.7.1'", True),
    ("python_version <= '3.7'", "python_full_version == '3.7.1'", False),
    ("os_name == 'Linux'", "platform_version == '3.7.1'", False),
    ("implementation_version == '3.7.0'", "python_full_version == '3.7.1'", False),
    ("os_name == 'Linux'", "os_name == 'OSX'", True),
    ("os_name <= 'Linux'", "os_name == 'OSX'", True),
    ("os_name in 'OSXLinuxWindows'", "os_name == 'OSX'", False),
    ("'OSX' in os_name", "'Linux' in os_name", False),
    ("os_name in 'OSX'", "os_name in 'Linux'", False),
    ("os_name in 'OSXLinux'", "os_name == 'Windows'", False),
    ("os_name in 'Windows'", "os_name not in 'Windows'", True),
    ("'Windows' in os_name", "'Windows' not in os_name", True),
    ("'Windows' in os_name", "'Windows' in os_name", False),
    ("'Linux' in os_name", "os_name not in 'Linux'", False),
    ("'Linux' not in os_name", "os_name in 'Linux'", False),
    ("os_name == 'Linux' and os_name != 'OSX'", "os_name == 'Linux'", False),
    ("os_name == 'Linux' and os_name != 'OSX'", "os_name == 'OSX'", True),
    ("extra == 'Linux' and extra != 'OSX'", "extra == 'Linux'", False),
    ("extra == 'Linux' and extra != 'OSX'", "extra == 'OSX'", True),
    ("extra == 'x1' and extra != 'x2'", "extra == 'x1'", False),
    ("extra == 'x1' and extra != 'x2'", "extra == 'x2'", True),
    ("os_name == 'a' and platform_version == '1'", "os_name == 'a'", False),
    ("os_name == 'a' or platform_version == '1'", "os_name == 'a'", False),
    (
        "os_name == 'a' and platform_version == '1'",
        "os_name == 'a' and platform_version == '2'",
        True,
    ),
    (
        "os_name == 'a' and platform_version == '1'",
        "'2' == platform_version and os_name == 'a'",
        True,
    ),
    (
        "os_name == 'a' or platform_version == '1'",
        "os_name == 'a' or platform_version == '2'",
        False,
    ),
    (
        "sys_platform == 'darwin' and implementation_name == 'pypy'",
        "sys_platform == 'bar' or implementation_name == 'foo'",
        True,
    ),
    (
        "sys_platform == 'bar' or implementation_name == 'foo'",
        "sys_platform == 'darwin' and implementation_name == 'pypy'",
        True,
    ),
    ("python_version >= '3.7' and implementation_name == 'pypy'", "python_version < '3.7'", True),
    (
        "implementation_name == 'pypy' and python_version >= '3.7'",
        "implementation_name != 'pypy'",
        True,
    ),
    (
        "implementation_name != 'pypy' and python_version >= '3.7'",
        "implementation_name == 'pypy'",
        True,
    ),
]

# (antecedent, consequent, implied): tree.rs `implies`.
IMPLIES = [
    ("extra != 'foo' or extra != 'bar'", "extra != 'foo' or extra != 'bar'", True),
    ("extra != 'foo' or extra != 'bar'", "extra != 'foo'", False),
    ("extra != 'foo' or extra != 'bar'", "extra != 'bar' and extra == 'foo'", False),
    (
        "(extra != 'foo' or extra != 'bar') and (extra != 'baz' or extra != 'quux')",
        "extra != 'foo' or extra != 'bar'",
        True,
    ),
    (
        "(extra != 'foo' or extra != 'bar') and (extra != 'baz' or extra != 'quux')",
        "extra != 'foo'",
        False,
    ),
    (
        "(extra != 'foo' or extra != 'bar') and (extra != 'baz' or extra != 'quux')",
        "extra != 'bar' and extra == 'foo'",
        False,
    ),
]

# (marker, its negation): tree.rs `test_marker_negation`.
NEGATIONS = [
    ("python_version > '3.6'", "python_version <= '3.6'"),
    ("'3.6' < python_version", "python_version <= '3.6'"),
    (
        "python_version != '3.6' and os_name == 'Linux'",
        "python_version == '3.6' or os_name != 'Linux'",
    ),
    (
        "python_version == '3.6' and os_name != 'Linux'",
        "python_version != '3.6' or os_name == 'Linux'",
    ),
    (
        "python_version != '3.6.*' and os_name == 'Linux'",
        "python_version == '3.6.*' or os_name != 'Linux'",
    ),
    ("python_version == '3.6.*'", "python_version != '3.6.*'"),
    ("python_version != '3.6.*'", "python_version == '3.6.*'"),
    ("python_version ~= '3.6'", "python_version < '3.6' or python_version != '3.*'"),
    ("'3.6' ~= python_version", "python_version < '3.6' or python_version != '3.*'"),
    ("python_version ~= '3.6.2'", "python_version < '3.6.2' or python_version != '3.6.*'"),
    ("sys_platform == 'linux'", "sys_platform != 'linux'"),
    ("'linux' == sys_platform", "sys_platform != 'linux'"),
    ("os_name == 'bar' and os_name == 'foo'", "os_name != 'bar' or os_name != 'foo'"),
    ("os_name == 'bar' or os_name == 'foo'", "os_name != 'bar' and os_name != 'foo'"),
    (
        "python_version >= '3.6' or python_version < '3.6'",
        "python_version < '3.6' and python_version >= '3.6'",
    ),
]

# Ignored comparisons are true, so their negation is false.
NEGATE_TO_FALSE = [
    "sys_platform ~= 'linux'",
    "'foo' == 'bar'",
]

# (lower incl., upper excl., marker, expected): tree.rs `complexified_markers`.
COMPLEXIFY = [
    (None, None, "python_full_version < '3.10'", "python_full_version < '3.10'"),
    (
        (3, 8),
        None,
        "python_full_version < '3.10'",
        "python_full_version >= '3.8' and python_full_version < '3.10'",
    ),
    (None, (3, 8), "python_full_version < '3.10'", "python_full_version < '3.8'"),
    (
        (3, 8),
        (3, 8),
        "python_full_version < '3.10'",
        "python_full_version < '0' and python_full_version > '0'",
    ),
    (
        (3, 11),
        None,
        "python_full_version < '3.10'",
        "python_full_version < '0' and python_full_version > '0'",
    ),
    ((3, 11), None, "python_full_version >= '3.10'", "python_full_version >= '3.11'"),
    ((3, 11), None, "python_full_version >= '3.12'", "python_full_version >= '3.12'"),
    (
        None,
        (3, 11),
        "python_full_version > '3.12'",
        "python_full_version < '0' and python_full_version > '0'",
    ),
    (None, (3, 11), "python_full_version <= '3.12'", "python_full_version < '3.11'"),
    (None, (3, 11), "python_full_version <= '3.10'", "python_full_version <= '3.10'"),
    (
        (3, 11),
        None,
        "python_full_version == '3.8'",
        "python_full_version < '0' and python_full_version > '0'",
    ),
    (
        (3, 11),
        None,
        "python_full_version == '3.8' or python_full_version == '3.12'",
        "python_full_version == '3.12'",
    ),
    (
        (3, 11),
        None,
        "python_full_version == '3.8' or python_full_version == '3.11' or python_full_version == '3.12'",
        "python_full_version == '3.11' or python_full_version == '3.12'",
    ),
    (
        (3, 12),
        None,
        "python_full_version < '3.10' or python_full_version >= '3.10'",
        "python_full_version >= '3.12'",
    ),
]

# (lower incl., upper excl., marker, expected): tree.rs `simplified_markers`.
SIMPLIFY_PYTHON = [
    (
        (3, 8),
        None,
        "python_full_version >= '3.8' and python_full_version < '3.10'",
        "python_full_version < '3.10'",
    ),
    (
        (3, 8),
        None,
        "python_full_version < '3.7'",
        "python_full_version < '0' and python_full_version > '0'",
    ),
    (
        (3, 8),
        (3, 11),
        "python_full_version == '3.7.*' or python_full_version == '3.8.*' or python_full_version == '3.10.*' or python_full_version == '3.11.*' ",
        "python_full_version != '3.9.*'",
    ),
    (
        (3, 8),
        None,
        "python_full_version >= '3.8' and sys_platform == 'win32'",
        "sys_platform == 'win32'",
    ),
    (
        (3, 8),
        None,
        "python_full_version >= '3.9' and (sys_platform == 'win32' or python_full_version >= '3.8')",
        "python_full_version >= '3.9'",
    ),
]

# tree.rs `without_extras`.
WITHOUT_EXTRAS = [
    ("os_name == 'Linux'", "os_name == 'Linux'"),
    ("os_name == 'Linux' and extra == 'foo'", "os_name == 'Linux'"),
    ("os_name == 'Linux' and extra != 'foo'", "os_name == 'Linux'"),
    (
        "(os_name == 'Darwin' and extra == 'foo') or (sys_platform == 'Linux' and extra != 'foo')",
        "os_name == 'Darwin' or sys_platform == 'Linux'",
    ),
]

# tree.rs `only_extras`.
ONLY_EXTRAS = [
    ("extra == 'foo'", "extra == 'foo'"),
    ("os_name == 'Linux' and extra == 'foo'", "extra == 'foo'"),
    (
        "\n                (os_name == 'Linux' and extra == 'foo')\n                or (os_name != 'Linux' and extra == 'bar')",
        "extra == 'foo' or extra == 'bar'",
    ),
    (
        "\n                (implementation_name != 'pypy' and os_name == 'nt' and sys_platform == 'darwin')\n                or (os_name == 'nt' and sys_platform == 'win32')",
        "os_name == 'Linux' or os_name != 'Linux'",
    ),
]

# tree.rs: pairs that must give the same tree.
EQUIVALENT = [
    ("python_version ~= '3.10.0'", "python_version >= '3.10.0' and python_version < '3.11.0'"),
    ("python_version ~= '3.10'", "python_version >= '3.10' and python_version < '4.0'"),
    (
        "python_full_version ~= '3.10.0'",
        "python_full_version >= '3.10.0' and python_full_version < '3.11.0'",
    ),
    (
        "python_full_version ~= '3.10'",
        "python_full_version >= '3.10' and python_full_version < '4.0'",
    ),
]

# Every marker string in the uv.lock snapshots of uv's integration tests (crates/uv/tests),
# as uv wrote it: parsing and rendering must give the same bytes back.
LOCK_MARKERS = [
    "(extra == 'extra-14-workspace-demo-non-prod' and extra == 'extra-14-workspace-demo-prod') or (extra == 'extra-14-workspace-demo-non-prod' and extra == 'extra-9-package-a-non-prod') or (extra == 'extra-9-package-a-non-prod' and extra == 'extra-9-package-a-prod')",
    "(extra == 'extra-14-workspace-demo-non-prod' and extra == 'extra-14-workspace-demo-prod') or (extra == 'extra-14-workspace-demo-prod' and extra == 'extra-9-package-a-prod') or (extra == 'extra-9-package-a-non-prod' and extra == 'extra-9-package-a-prod')",
    "(implementation_name != 'pypy' and extra == 'd') or (sys_platform != 'win32' and extra == 'd')",
    "(platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118')",
    "(platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (sys_platform == 'darwin' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118') or (sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(platform_machine != 'aarch64' and sys_platform == 'linux') or (platform_python_implementation != 'CPython' and sys_platform == 'linux')",
    "(platform_machine != 'aarch64' and sys_platform == 'linux') or (platform_python_implementation != 'CPython' and sys_platform == 'linux') or (sys_platform != 'darwin' and sys_platform != 'linux')",
    "(platform_machine != 'aarch64' and sys_platform == 'linux') or (sys_platform != 'darwin' and sys_platform != 'linux')",
    "(platform_machine != 'inapplicable' and extra == 'extra-5-debug-b') or (extra == 'extra-5-debug-a' and extra == 'extra-5-debug-b')",
    "(platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (platform_machine != 'aarch64' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118') or (platform_python_implementation != 'CPython' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118') or (sys_platform != 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(platform_machine == 'inapplicable' and extra == 'extra-5-debug-b') or (extra == 'extra-5-debug-a' and extra == 'extra-5-debug-b')",
    "(platform_machine == 'inapplicable' and extra == 'extra-5-debug-b') or extra == 'extra-5-debug-a'",
    "(platform_machine == 'x86_64' and sys_platform == 'linux' and extra != 'extra-10-test-torch-cpu') or (extra == 'extra-10-test-torch-cpu' and extra == 'extra-10-test-torch-cu124')",
    "(platform_machine == 'x86_64' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cu118') or (platform_machine != 'x86_64' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118') or (sys_platform != 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(python_full_version < '3.10' and platform_machine == 'AMD64') or (python_full_version < '3.10' and platform_machine == 'WIN32') or (python_full_version < '3.10' and platform_machine == 'aarch64') or (python_full_version < '3.10' and platform_machine == 'amd64') or (python_full_version < '3.10' and platform_machine == 'ppc64le') or (python_full_version < '3.10' and platform_machine == 'win32') or (python_full_version < '3.10' and platform_machine == 'x86_64')",
    "(python_full_version < '3.11' and sys_platform != 'darwin') or (python_full_version != '3.11.*' and sys_platform == 'darwin')",
    "(python_full_version < '3.12' and platform_machine != 'x86_64') or (python_full_version < '3.12' and sys_platform != 'darwin')",
    "(python_full_version < '3.13' and platform_machine == 'AMD64') or (python_full_version < '3.13' and platform_machine == 'WIN32') or (python_full_version < '3.13' and platform_machine == 'aarch64') or (python_full_version < '3.13' and platform_machine == 'amd64') or (python_full_version < '3.13' and platform_machine == 'ppc64le') or (python_full_version < '3.13' and platform_machine == 'win32') or (python_full_version < '3.13' and platform_machine == 'x86_64')",
    "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124') or (sys_platform == 'darwin' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124')",
    "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (python_full_version >= '3.13' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118') or (platform_machine != 'aarch64' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118') or (platform_python_implementation != 'CPython' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118') or (sys_platform != 'linux' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (python_full_version >= '3.13' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (sys_platform == 'darwin' and extra == 'extra-7-project-cpu') or (sys_platform != 'linux' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cu124') or (python_full_version >= '3.13' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (sys_platform != 'linux' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux') or sys_platform == 'darwin'",
    "(python_full_version < '3.8.1' and implementation_name != 'pypy') or (python_full_version < '3.8.1' and sys_platform != 'win32')",
    "(python_full_version <= '3.9' and platform_machine != 'arm64' and sys_platform == 'darwin') or (python_full_version <= '3.9' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version <= '3.9' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version == '3.10.*' and implementation_name != 'pypy') or (python_full_version == '3.10.*' and sys_platform != 'win32')",
    "(python_full_version == '3.10.*' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version == '3.10.*' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version == '3.11.*' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version == '3.11.*' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version == '3.12.*' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version == '3.12.*' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version == '3.13.*' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version == '3.13.*' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version == '3.9.*' and implementation_name != 'pypy') or (python_full_version == '3.9.*' and sys_platform != 'win32')",
    "(python_full_version > '3.9' and python_full_version < '3.10' and platform_machine != 'arm64' and sys_platform == 'darwin') or (python_full_version > '3.9' and python_full_version < '3.10' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version > '3.9' and python_full_version < '3.10' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version >= '3.10' and platform_machine == 'AMD64') or (python_full_version >= '3.10' and platform_machine == 'WIN32') or (python_full_version >= '3.10' and platform_machine == 'aarch64') or (python_full_version >= '3.10' and platform_machine == 'amd64') or (python_full_version >= '3.10' and platform_machine == 'ppc64le') or (python_full_version >= '3.10' and platform_machine == 'win32') or (python_full_version >= '3.10' and platform_machine == 'x86_64')",
    "(python_full_version >= '3.11' and implementation_name != 'pypy') or (python_full_version >= '3.11' and sys_platform != 'win32')",
    "(python_full_version >= '3.11' and sys_platform != 'darwin') or (python_full_version == '3.11.*' and sys_platform == 'darwin')",
    "(python_full_version >= '3.12' and platform_machine != 'x86_64') or (python_full_version >= '3.12' and sys_platform != 'darwin')",
    "(python_full_version >= '3.13' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (sys_platform != 'linux' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    "(python_full_version >= '3.13' and extra == 'extra-7-project-cu124') or (python_full_version < '3.13' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and extra == 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and extra == 'extra-7-project-cu124') or (sys_platform != 'linux' and extra == 'extra-7-project-cu124')",
    "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118')",
    "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu124')",
    "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (python_full_version < '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu') or (sys_platform == 'darwin' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (python_full_version < '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu') or (sys_platform == 'darwin' and extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    "(python_full_version >= '3.13' and sys_platform == 'linux') or (platform_machine != 'aarch64' and sys_platform == 'linux') or (platform_python_implementation != 'CPython' and sys_platform == 'linux') or (sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version >= '3.14' and platform_machine != 'aarch64' and sys_platform == 'linux') or (python_full_version >= '3.14' and sys_platform != 'darwin' and sys_platform != 'linux')",
    "(python_full_version >= '3.8.1' and python_full_version < '3.9' and implementation_name != 'pypy') or (python_full_version >= '3.8.1' and python_full_version < '3.9' and sys_platform != 'win32')",
    "(sys_platform != 'darwin' and extra == 'extra-10-test-torch-cpu') or (extra == 'extra-10-test-torch-cpu' and extra == 'extra-10-test-torch-cu124')",
    "(sys_platform != 'darwin' and extra == 'extra-14-ads-mega-model-cu118') or (sys_platform == 'darwin' and extra == 'extra-14-ads-mega-model-cpu') or (extra != 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(sys_platform != 'darwin' and extra == 'extra-27-resolution-markers-for-days-cpu') or (extra == 'extra-27-resolution-markers-for-days-cpu' and extra == 'extra-27-resolution-markers-for-days-cu124')",
    "(sys_platform != 'darwin' and extra == 'extra-7-project-cu118') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    "(sys_platform != 'darwin' and extra == 'extra-7-project-cu118') or (extra == 'extra-7-project-cu118' and extra == 'extra-7-project-cu124')",
    "(sys_platform != 'linux' and extra == 'extra-3-pkg-x1') or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "(sys_platform != 'linux' and extra == 'extra-3-pkg-x2') or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "(sys_platform == 'darwin' and extra == 'extra-10-test-torch-cpu') or (extra == 'extra-10-test-torch-cpu' and extra == 'extra-10-test-torch-cu124')",
    "(sys_platform == 'darwin' and extra == 'extra-14-ads-mega-model-cpu') or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(sys_platform == 'darwin' and extra == 'extra-27-resolution-markers-for-days-cpu') or (extra == 'extra-27-resolution-markers-for-days-cpu' and extra == 'extra-27-resolution-markers-for-days-cu124')",
    "(sys_platform == 'darwin' and extra == 'extra-7-project-cpu') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    "(sys_platform == 'darwin' and extra == 'extra-7-project-cu118') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    "(sys_platform == 'darwin' and extra == 'extra-7-project-cu118') or (extra == 'extra-7-project-cu118' and extra == 'extra-7-project-cu124')",
    "(sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cu118') or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "(sys_platform == 'linux' and extra == 'extra-3-pkg-x1') or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "(sys_platform == 'linux' and extra == 'extra-3-pkg-x2') or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "extra != 'cpu'",
    "extra != 'extra-1-x-foo'",
    "extra != 'extra-10-test-torch-cpu' and extra != 'extra-10-test-torch-cu124'",
    "extra != 'extra-10-test-torch-cpu' and extra == 'extra-10-test-torch-cu124'",
    "extra != 'extra-27-resolution-markers-for-days-cpu' and extra != 'extra-27-resolution-markers-for-days-cu124'",
    "extra != 'extra-27-resolution-markers-for-days-cpu' and extra == 'extra-27-resolution-markers-for-days-cu124'",
    "extra != 'extra-3-pkg-x1' and extra != 'extra-3-pkg-x2'",
    "extra != 'extra-5-debug-a' and extra != 'extra-5-debug-b'",
    "extra != 'extra-7-project-cpu' and extra != 'extra-7-project-cu118'",
    "extra != 'extra-7-project-cpu' and extra != 'extra-7-project-cu124'",
    "extra != 'extra-7-project-cu118' and extra != 'extra-7-project-cu124'",
    "extra != 'extra-7-project-cu118' and extra == 'extra-7-project-cu124'",
    "extra == 'a'",
    "extra == 'accelerate'",
    "extra == 'agents'",
    "extra == 'aiohttp'",
    "extra == 'alignn'",
    "extra == 'all'",
    "extra == 'anthropic'",
    "extra == 'async'",
    "extra == 'audio'",
    "extra == 'autogen'",
    "extra == 'aws'",
    "extra == 'azure'",
    "extra == 'b'",
    "extra == 'bar'",
    "extra == 'baz'",
    "extra == 'c'",
    "extra == 'chgnet'",
    "extra == 'chroma'",
    "extra == 'cli'",
    "extra == 'clipboard'",
    "extra == 'codecarbon'",
    "extra == 'colorama'",
    "extra == 'compression'",
    "extra == 'computation'",
    "extra == 'copilotstudio'",
    "extra == 'cpu'",
    "extra == 'cu118'",
    "extra == 'cu124'",
    "extra == 'd'",
    "extra == 'datalib'",
    "extra == 'deepspeed'",
    "extra == 'deepspeed-testing'",
    "extra == 'deploy'",
    "extra == 'dev'",
    "extra == 'doc'",
    "extra == 'docs'",
    "extra == 'docs-screenshots'",
    "extra == 'docs-specific'",
    "extra == 'dotenv'",
    "extra == 'e'",
    "extra == 'excel'",
    "extra == 'extra-1-a-bar'",
    "extra == 'extra-1-p-foo'",
    "extra == 'extra-10-test-torch-cu124' or extra != 'extra-10-test-torch-cpu'",
    "extra == 'extra-3-bar-a'",
    "extra == 'extra-3-bar-b' or extra != 'extra-3-bar-a'",
    "extra == 'extra-3-pkg-bar' or extra != 'extra-3-pkg-foo'",
    "extra == 'extra-3-pkg-foo'",
    "extra == 'extra-3-pkg-x1'",
    "extra == 'extra-3-pkg-x2' or extra != 'extra-3-pkg-x1'",
    "extra == 'extra-4-test-alignn' or extra == 'extra-4-test-m3gnet'",
    "extra == 'extra-4-test-all' or extra == 'extra-4-test-chgnet' or (extra != 'extra-4-test-alignn' and extra != 'extra-4-test-m3gnet')",
    "extra == 'extra-4-test-chgnet' or extra != 'extra-4-test-m3gnet'",
    "extra == 'extra-4-test-m3gnet'",
    "extra == 'extra-5-debug-a' and extra != 'extra-5-debug-b'",
    "extra == 'extra-5-pkg-b-extra1' or extra != 'project-5-pkg-a'",
    "extra == 'extra-6-proxy1-x2' or (extra == 'extra-6-proxy1-x3' and extra == 'extra-7-project-x1')",
    "extra == 'extra-6-proxy1-x3' or (extra == 'extra-6-proxy1-x2' and extra == 'extra-7-project-x1')",
    "extra == 'extra-7-example-bar'",
    "extra == 'extra-7-example-foo' or extra == 'project-7-example'",
    "extra == 'extra-7-project-bar'",
    "extra == 'extra-7-project-bar' or extra != 'extra-7-project-foo'",
    "extra == 'extra-7-project-cu118'",
    "extra == 'extra-7-project-cu124'",
    "extra == 'extra-7-project-dev' or (extra == 'extra-7-project-foo' and extra == 'extra-7-project-summarize')",
    "extra == 'extra-7-project-foo'",
    "extra == 'extra-7-project-summarize'",
    "extra == 'extra-7-project-x1' or (extra == 'extra-6-proxy1-x2' and extra == 'extra-6-proxy1-x3') or (extra != 'extra-6-proxy1-x2' and extra != 'extra-6-proxy1-x3')",
    "extra == 'extra1'",
    "extra == 'extra2'",
    "extra == 'faiss'",
    "extra == 'feather'",
    "extra == 'flax'",
    "extra == 'flax-speech'",
    "extra == 'foo'",
    "extra == 'fss'",
    "extra == 'ftfy'",
    "extra == 'gcp'",
    "extra == 'google'",
    "extra == 'group-7-project-bar'",
    "extra == 'group-7-project-bar' or extra != 'extra-7-project-foo'",
    "extra == 'group-7-project-bar' or extra != 'group-7-project-foo'",
    "extra == 'group-7-project-foo'",
    "extra == 'hdf5'",
    "extra == 'html'",
    "extra == 'http2'",
    "extra == 'hugging-face'",
    "extra == 'i18n'",
    "extra == 'iceberg'",
    "extra == 'index'",
    "extra == 'integrations'",
    "extra == 'io'",
    "extra == 'ja'",
    "extra == 'jupyter'",
    "extra == 'm3gnet'",
    "extra == 'mcp'",
    "extra == 'milvus'",
    "extra == 'mistralai'",
    "extra == 'modal'",
    "extra == 'modelcreation'",
    "extra == 'mongo'",
    "extra == 'mysql'",
    "extra == 'non-prod'",
    "extra == 'notebooks'",
    "extra == 'ollama'",
    "extra == 'onnx'",
    "extra == 'onnxruntime'",
    "extra == 'optuna'",
    "extra == 'oracledb'",
    "extra == 'output-formatting'",
    "extra == 'pandas'",
    "extra == 'parquet'",
    "extra == 'performance'",
    "extra == 'pinecone'",
    "extra == 'pinned'",
    "extra == 'plot'",
    "extra == 'postgres'",
    "extra == 'postgresql'",
    "extra == 'prod'",
    "extra == 'project-10-subexample'",
    "extra == 'project-10-subexample' or (extra == 'extra-7-example-foo' and extra == 'project-7-example')",
    "extra == 'project-5-pkg-a'",
    "extra == 'project-7-example'",
    "extra == 'project-7-project'",
    "extra == 'project-8-member-a'",
    "extra == 'project-8-member-b'",
    "extra == 'project2'",
    "extra == 'project3'",
    "extra == 'project4'",
    "extra == 'pyarrow'",
    "extra == 'qdrant'",
    "extra == 'quality'",
    "extra == 'ray'",
    "extra == 'realtime'",
    "extra == 'redis'",
    "extra == 'retrieval'",
    "extra == 'safe'",
    "extra == 'sagemaker'",
    "extra == 'sentencepiece'",
    "extra == 'serve'",
    "extra == 'serving'",
    "extra == 'sevennet'",
    "extra == 'sigopt'",
    "extra == 'sklearn'",
    "extra == 'socks'",
    "extra == 'speech'",
    "extra == 'spss'",
    "extra == 'sql'",
    "extra == 'sql-other'",
    "extra == 'summarize'",
    "extra == 'test'",
    "extra == 'testing'",
    "extra == 'tf'",
    "extra == 'tf-cpu'",
    "extra == 'tf-speech'",
    "extra == 'timezone'",
    "extra == 'timm'",
    "extra == 'tokenizers'",
    "extra == 'torch'",
    "extra == 'torch-speech'",
    "extra == 'torch-vision'",
    "extra == 'torchhub'",
    "extra == 'trio'",
    "extra == 'types'",
    "extra == 'upgrade-extension'",
    "extra == 'usearch'",
    "extra == 'uv'",
    "extra == 'uvloop'",
    "extra == 'video'",
    "extra == 'vision'",
    "extra == 'voice-helpers'",
    "extra == 'weaviate'",
    "extra == 'x1'",
    "extra == 'x2'",
    "extra == 'x3'",
    "extra == 'xml'",
    "extra == 'zstd'",
    "implementation_name != 'PyPy'",
    "implementation_name != 'cpython' and implementation_name != 'pypy' and sys_platform == 'darwin'",
    "implementation_name != 'pypy'",
    "implementation_name != 'pypy' and os_name == 'nt'",
    "implementation_name != 'pypy' or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "implementation_name == 'cpython'",
    "implementation_name == 'cpython' and sys_platform == 'darwin'",
    "implementation_name == 'iron'",
    "implementation_name == 'pypy'",
    "implementation_name == 'pypy' and sys_platform == 'darwin'",
    "implementation_name == 'pypy' and sys_platform == 'win32' and extra == 'd'",
    "os_name != 'darwin' and os_name != 'linux' and sys_platform == 'illumos'",
    "os_name != 'nt'",
    "os_name == 'darwin'",
    "os_name == 'darwin' and sys_platform == 'illumos'",
    "os_name == 'linux'",
    "os_name == 'linux' and sys_platform == 'illumos'",
    "os_name == 'nt'",
    "os_name == 'nt' and sys_platform == 'win32'",
    "platform_machine != 'arm64' or sys_platform != 'darwin'",
    "platform_machine != 'inapplicable'",
    "platform_machine != 'inapplicable' and extra != 'extra-5-debug-a' and extra == 'extra-5-debug-b'",
    "platform_machine != 'inapplicable' and extra == 'b'",
    "platform_machine != 'ppc64le' and platform_machine != 's390x'",
    "platform_machine != 'wasm32'",
    "platform_machine != 'x86_64' or sys_platform != 'darwin'",
    "platform_machine == 'AMD64' and sys_platform == 'win32'",
    "platform_machine == 'AMD64' or platform_machine == 'WIN32' or platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'ppc64le' or platform_machine == 'win32' or platform_machine == 'x86_64'",
    "platform_machine == 'AMD64' or platform_machine == 'WIN32' or platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'ppc64le' or platform_machine == 'win32' or platform_machine == 'x86_64' or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "platform_machine == 'AMD64' or platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'arm64' or platform_machine == 'x86_64'",
    "platform_machine == 'ARM64' and sys_platform == 'win32'",
    "platform_machine == 'aarch64'",
    "platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux'",
    "platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118'",
    "platform_machine == 'aarch64' and sys_platform == 'linux'",
    "platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'arm64' or platform_machine == 'x86_64'",
    "platform_machine == 'arm64'",
    "platform_machine == 'arm64' and sys_platform == 'darwin'",
    "platform_machine == 'i686'",
    "platform_machine == 'inapplicable' and extra != 'extra-5-debug-a' and extra == 'extra-5-debug-b'",
    "platform_machine == 'inapplicable' and extra == 'b'",
    "platform_machine == 'x86' and sys_platform == 'win32'",
    "platform_machine == 'x86_64'",
    "platform_machine == 'x86_64' and sys_platform == 'darwin'",
    "platform_machine == 'x86_64' and sys_platform == 'linux'",
    "platform_python_implementation != 'CPython'",
    "platform_python_implementation != 'CPython' and extra == 'brotli'",
    "platform_python_implementation != 'PyPy'",
    "platform_python_implementation != 'PyPy' and sys_platform != 'cygwin' and sys_platform != 'win32'",
    "platform_python_implementation != 'PyPy' and sys_platform != 'win32'",
    "platform_python_implementation != 'PyPy' and sys_platform == 'win32'",
    "platform_python_implementation != 'PyPy' or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "platform_python_implementation == 'CPython'",
    "platform_python_implementation == 'CPython' and extra == 'brotli'",
    "platform_python_implementation == 'CPython' and sys_platform != 'win32'",
    "platform_python_implementation == 'CPython' and sys_platform != 'win32' and extra == 'test'",
    "platform_python_implementation == 'PyPy'",
    "python_full_version != '3.10.*'",
    "python_full_version != '3.11.*'",
    "python_full_version < '3.10'",
    "python_full_version < '3.10' and extra == 'bedrock'",
    "python_full_version < '3.10' and implementation_name != 'PyPy'",
    "python_full_version < '3.10' or platform_python_implementation == 'CPython'",
    "python_full_version < '3.10' or python_full_version == '3.11.*'",
    "python_full_version < '3.10.2'",
    "python_full_version < '3.11'",
    "python_full_version < '3.11' and platform_python_implementation != 'CPython' and platform_python_implementation != 'PyPy'",
    "python_full_version < '3.11' and platform_python_implementation == 'CPython'",
    "python_full_version < '3.11' and platform_python_implementation == 'PyPy'",
    "python_full_version < '3.11' and sys_platform == 'darwin'",
    "python_full_version < '3.11' and sys_platform == 'linux'",
    "python_full_version < '3.11' and sys_platform == 'win32'",
    "python_full_version < '3.11' or (extra == 'extra-3-bar-a' and extra == 'extra-3-bar-b')",
    "python_full_version < '3.11.3'",
    "python_full_version < '3.12'",
    "python_full_version < '3.12' and platform_machine == 'x86_64' and sys_platform == 'linux'",
    "python_full_version < '3.12' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version < '3.12' and sys_platform == 'emscripten'",
    "python_full_version < '3.12' and sys_platform == 'win32'",
    "python_full_version < '3.12' or sys_platform != 'darwin'",
    "python_full_version < '3.13'",
    "python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux'",
    "python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu124'",
    "python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118'",
    "python_full_version < '3.13' and platform_machine == 'x86_64' and sys_platform == 'linux'",
    "python_full_version < '3.13' and platform_python_implementation == 'CPython'",
    "python_full_version < '3.13' and sys_platform == 'darwin'",
    "python_full_version < '3.13' or (extra == 'extra-3-bar-a' and extra == 'extra-3-bar-b')",
    "python_full_version < '3.14'",
    "python_full_version < '3.15'",
    "python_full_version < '3.7'",
    "python_full_version < '3.7.4'",
    "python_full_version < '3.8'",
    "python_full_version < '3.8.1'",
    "python_full_version < '3.8.1' and implementation_name == 'pypy' and sys_platform == 'win32'",
    "python_full_version < '3.9'",
    "python_full_version < '3.9' or python_full_version >= '3.11'",
    "python_full_version < '3.9' or python_full_version >= '3.13'",
    "python_full_version < '4'",
    "python_full_version <= '3.10'",
    "python_full_version <= '3.11'",
    "python_full_version <= '3.9' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version <= '3.9' and platform_machine == 'arm64' and sys_platform == 'darwin'",
    "python_full_version <= '3.9' or python_full_version >= '3.10'",
    "python_full_version == '3.10'",
    "python_full_version == '3.10.*'",
    "python_full_version == '3.10.*' and extra == 'onnx'",
    "python_full_version == '3.10.*' and implementation_name == 'pypy' and sys_platform == 'win32'",
    "python_full_version == '3.10.*' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version == '3.10.*' and sys_platform == 'darwin'",
    "python_full_version == '3.10.*' or (python_full_version >= '3.12' and sys_platform == 'darwin')",
    "python_full_version == '3.11.*'",
    "python_full_version == '3.11.*' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version == '3.11.*' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version == '3.11.*' and sys_platform == 'darwin'",
    "python_full_version == '3.11.*' and sys_platform == 'emscripten'",
    "python_full_version == '3.11.*' and sys_platform == 'linux'",
    "python_full_version == '3.11.*' and sys_platform == 'win32'",
    "python_full_version == '3.12.*'",
    "python_full_version == '3.12.*' and extra == 'qux'",
    "python_full_version == '3.12.*' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version == '3.12.*' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version == '3.12.*' and sys_platform == 'darwin'",
    "python_full_version == '3.12.*' and sys_platform == 'emscripten'",
    "python_full_version == '3.12.*' and sys_platform == 'linux'",
    "python_full_version == '3.12.*' and sys_platform == 'win32'",
    "python_full_version == '3.13.*'",
    "python_full_version == '3.13.*' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version == '3.13.*' and platform_python_implementation != 'CPython' and platform_python_implementation != 'PyPy'",
    "python_full_version == '3.13.*' and platform_python_implementation == 'CPython'",
    "python_full_version == '3.13.*' and platform_python_implementation == 'PyPy'",
    "python_full_version == '3.13.*' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version == '3.13.*' and sys_platform == 'darwin'",
    "python_full_version == '3.13.*' and sys_platform == 'emscripten'",
    "python_full_version == '3.13.*' and sys_platform == 'linux'",
    "python_full_version == '3.13.*' and sys_platform == 'win32'",
    "python_full_version == '3.14.*' and platform_python_implementation != 'CPython' and platform_python_implementation != 'PyPy'",
    "python_full_version == '3.14.*' and platform_python_implementation == 'CPython'",
    "python_full_version == '3.14.*' and platform_python_implementation == 'PyPy'",
    "python_full_version == '3.14.*' and sys_platform == 'darwin'",
    "python_full_version == '3.14.*' and sys_platform == 'linux'",
    "python_full_version == '3.14.*' and sys_platform == 'win32'",
    "python_full_version == '3.9'",
    "python_full_version == '3.9.*'",
    "python_full_version == '3.9.*' and implementation_name == 'pypy' and sys_platform == 'win32'",
    "python_full_version > '3.10'",
    "python_full_version > '3.10' and python_full_version < '3.11'",
    "python_full_version > '3.9' and python_full_version < '3.10'",
    "python_full_version > '3.9' and python_full_version < '3.10' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version > '3.9' and python_full_version < '3.10' and platform_machine == 'arm64' and sys_platform == 'darwin'",
    "python_full_version >= '3.10'",
    "python_full_version >= '3.10' and extra == 'bedrock'",
    "python_full_version >= '3.10' and implementation_name != 'PyPy'",
    "python_full_version >= '3.10' and platform_python_implementation == 'CPython'",
    "python_full_version >= '3.10' and python_full_version < '3.13'",
    "python_full_version >= '3.11'",
    "python_full_version >= '3.11' and extra == 'onnx'",
    "python_full_version >= '3.11' and implementation_name == 'pypy' and sys_platform == 'win32'",
    "python_full_version >= '3.11' and python_full_version < '3.13' and platform_python_implementation != 'CPython' and platform_python_implementation != 'PyPy'",
    "python_full_version >= '3.11' and python_full_version < '3.13' and platform_python_implementation == 'CPython'",
    "python_full_version >= '3.11' and python_full_version < '3.13' and platform_python_implementation == 'PyPy'",
    "python_full_version >= '3.12'",
    "python_full_version >= '3.12' and python_full_version < '3.14'",
    "python_full_version >= '3.12' and python_full_version < '3.14' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version >= '3.12' and python_full_version < '3.14' and sys_platform == 'emscripten'",
    "python_full_version >= '3.12' and python_full_version < '3.14' and sys_platform == 'win32'",
    "python_full_version >= '3.12' and python_full_version < '3.15'",
    "python_full_version >= '3.12' and sys_platform == 'darwin'",
    "python_full_version >= '3.13'",
    "python_full_version >= '3.13' and python_full_version < '3.13.1'",
    "python_full_version >= '3.13' or platform_machine != 'aarch64' or platform_python_implementation != 'CPython' or sys_platform != 'linux'",
    "python_full_version >= '3.13.1'",
    "python_full_version >= '3.14'",
    "python_full_version >= '3.14' and platform_machine != 's390x' and sys_platform == 'darwin'",
    "python_full_version >= '3.14' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "python_full_version >= '3.14' and platform_machine == 's390x' and sys_platform == 'darwin'",
    "python_full_version >= '3.14' and sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version >= '3.14' and sys_platform == 'emscripten'",
    "python_full_version >= '3.14' and sys_platform == 'win32'",
    "python_full_version >= '3.15'",
    "python_full_version >= '3.15' and platform_python_implementation != 'CPython' and platform_python_implementation != 'PyPy'",
    "python_full_version >= '3.15' and platform_python_implementation == 'CPython'",
    "python_full_version >= '3.15' and platform_python_implementation == 'PyPy'",
    "python_full_version >= '3.15' and python_full_version < '4' and sys_platform == 'darwin'",
    "python_full_version >= '3.15' and python_full_version < '4' and sys_platform == 'linux'",
    "python_full_version >= '3.15' and python_full_version < '4' and sys_platform == 'win32'",
    "python_full_version >= '3.7'",
    "python_full_version >= '3.7.4' and python_full_version < '3.7.9'",
    "python_full_version >= '3.7.9' and python_full_version < '3.8'",
    "python_full_version >= '3.8'",
    "python_full_version >= '3.8' and python_full_version < '3.10'",
    "python_full_version >= '3.8.1'",
    "python_full_version >= '3.8.1' and python_full_version < '3.9' and implementation_name == 'pypy' and sys_platform == 'win32'",
    "python_full_version >= '3.9'",
    "python_full_version >= '3.9' and python_full_version < '3.11'",
    "python_full_version >= '3.9' and python_full_version < '3.13'",
    "python_full_version >= '4' and sys_platform == 'darwin'",
    "python_full_version >= '4' and sys_platform == 'linux'",
    "python_full_version >= '4' and sys_platform == 'win32'",
    "sys_platform != 'cygwin'",
    "sys_platform != 'cygwin' and sys_platform != 'emscripten'",
    "sys_platform != 'darwin'",
    "sys_platform != 'darwin' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu118'",
    "sys_platform != 'darwin' and extra == 'cpu'",
    "sys_platform != 'darwin' and extra == 'cu118'",
    "sys_platform != 'darwin' and extra == 'extra-10-test-torch-cpu' and extra != 'extra-10-test-torch-cu124'",
    "sys_platform != 'darwin' and extra == 'extra-27-resolution-markers-for-days-cpu' and extra != 'extra-27-resolution-markers-for-days-cu124'",
    "sys_platform != 'darwin' and extra == 'extra-7-project-cu118' and extra != 'extra-7-project-cu124'",
    "sys_platform != 'darwin' and sys_platform != 'linux'",
    "sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118'",
    "sys_platform != 'darwin' and sys_platform != 'win32'",
    "sys_platform != 'emscripten'",
    "sys_platform != 'emscripten' and sys_platform != 'win32'",
    "sys_platform != 'illumos' and sys_platform != 'windows'",
    "sys_platform != 'linux'",
    "sys_platform != 'linux' and extra != 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118'",
    "sys_platform != 'linux' and extra != 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118'",
    "sys_platform != 'linux' and extra != 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2'",
    "sys_platform != 'linux' and extra == 'extra-3-pkg-x1' and extra != 'extra-3-pkg-x2'",
    "sys_platform != 'linux' and extra == 'x1'",
    "sys_platform != 'linux' and extra == 'x2'",
    "sys_platform != 'linux' and sys_platform != 'win32'",
    "sys_platform != 'win32'",
    "sys_platform != 'win32' and extra == 'milvus'",
    "sys_platform == 'android'",
    "sys_platform == 'darwin'",
    "sys_platform == 'darwin' and extra != 'extra-7-project-cpu' and extra == 'extra-7-project-cu118'",
    "sys_platform == 'darwin' and extra == 'bop'",
    "sys_platform == 'darwin' and extra == 'cpu'",
    "sys_platform == 'darwin' and extra == 'cu118'",
    "sys_platform == 'darwin' and extra == 'extra-10-test-torch-cpu' and extra != 'extra-10-test-torch-cu124'",
    "sys_platform == 'darwin' and extra == 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118'",
    "sys_platform == 'darwin' and extra == 'extra-27-resolution-markers-for-days-cpu' and extra != 'extra-27-resolution-markers-for-days-cu124'",
    "sys_platform == 'darwin' and extra == 'extra-7-project-cpu' and extra != 'extra-7-project-cu118'",
    "sys_platform == 'darwin' and extra == 'extra-7-project-cu118' and extra != 'extra-7-project-cu124'",
    "sys_platform == 'darwin' or sys_platform == 'linux'",
    "sys_platform == 'emscripten'",
    "sys_platform == 'emscripten' or sys_platform == 'win32'",
    "sys_platform == 'illumos'",
    "sys_platform == 'linux'",
    "sys_platform == 'linux' and extra != 'extra-14-ads-mega-model-cpu' and extra != 'extra-14-ads-mega-model-cu118'",
    "sys_platform == 'linux' and extra != 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118'",
    "sys_platform == 'linux' and extra != 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2'",
    "sys_platform == 'linux' and extra == 'extra-3-pkg-x1' and extra != 'extra-3-pkg-x2'",
    "sys_platform == 'linux' and extra == 'x1'",
    "sys_platform == 'linux' and extra == 'x2'",
    "sys_platform == 'win32'",
    "sys_platform == 'win32' or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    "sys_platform == 'win32' or (extra == 'extra-3-pkg-x1' and extra == 'extra-3-pkg-x2')",
    "sys_platform == 'win32' or extra == 'feature'",
    "sys_platform == 'windows'",
]


def m(text: str) -> MarkerTree:
    return MarkerTree.parse(text)


def bound(release: tuple[int, ...] | None, inclusive: bool) -> tuple[Version, bool] | None:
    return None if release is None else (Version(".".join(map(str, release))), inclusive)


@pytest.mark.parametrize(("marker", "expected"), SIMPLIFIES)
def test_simplifies_like_uv(marker: str, expected: str) -> None:
    assert m(marker) == m(expected)
    assert m(marker).to_string() == expected


@pytest.mark.parametrize("marker", ALWAYS_TRUE)
def test_always_true(marker: str) -> None:
    assert m(marker).is_true()
    assert m(marker) is MarkerTree.TRUE


@pytest.mark.parametrize("marker", ALWAYS_FALSE)
def test_always_false(marker: str) -> None:
    assert m(marker).is_false()
    assert m(marker).to_string() == "python_version < '0'"


@pytest.mark.parametrize(("left", "right", "disjoint"), DISJOINT)
def test_is_disjoint(left: str, right: str, disjoint: bool) -> None:
    assert m(left).is_disjoint(m(right)) is disjoint
    assert m(right).is_disjoint(m(left)) is disjoint
    assert (m(left) & m(right)).is_false() is disjoint


@pytest.mark.parametrize(("antecedent", "consequent", "implied"), IMPLIES)
def test_implies(antecedent: str, consequent: str, implied: bool) -> None:
    assert m(antecedent).implies(m(consequent)) is implied
    assert (~m(antecedent) | m(consequent)).is_true() is implied


@pytest.mark.parametrize(("marker", "negation"), NEGATIONS)
def test_negation(marker: str, negation: str) -> None:
    assert ~m(marker) == m(negation)
    assert ~~m(marker) == m(marker)


@pytest.mark.parametrize("marker", NEGATE_TO_FALSE)
def test_ignored_comparison_negates_to_false(marker: str) -> None:
    assert (~m(marker)).is_false()


@pytest.mark.parametrize(("lower", "upper", "marker", "expected"), COMPLEXIFY)
def test_complexify_python_versions(
    lower: tuple[int, ...] | None, upper: tuple[int, ...] | None, marker: str, expected: str
) -> None:
    result = m(marker).complexify_python_versions(bound(lower, True), bound(upper, False))
    assert result == m(expected)


@pytest.mark.parametrize(("lower", "upper", "marker", "expected"), SIMPLIFY_PYTHON)
def test_simplify_python_versions_table(
    lower: tuple[int, ...] | None, upper: tuple[int, ...] | None, marker: str, expected: str
) -> None:
    result = m(marker).simplify_python_versions(bound(lower, True), bound(upper, False))
    assert result == m(expected)


@pytest.mark.parametrize(("marker", "expected"), WITHOUT_EXTRAS)
def test_without_extras(marker: str, expected: str) -> None:
    assert m(marker).without_extras() == m(expected)


@pytest.mark.parametrize(("marker", "expected"), ONLY_EXTRAS)
def test_only_extras(marker: str, expected: str) -> None:
    assert m(marker).only_extras() == m(expected)


@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
def test_equivalent(left: str, right: str) -> None:
    assert m(left) == m(right)
    assert hash(m(left)) == hash(m(right))


# uv 0.13.8 re-renders some of those snapshot markers (written by an older uv): it repeats
# its DNF simplification until nothing changes, writes the shorter of two spellings (the
# Python version on top), reduces the DNF by what the marker means (a term goes when the rest
# of its clause implies the marker, a clause when the others do) and orders extras by name.
# Values from uv 0.13.8 writing each marker in requires-dist.
RERENDERED = {
    LOCK_MARKERS[
        4
    ]: "(platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    LOCK_MARKERS[
        9
    ]: "(platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cpu') or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    LOCK_MARKERS[
        13
    ]: "(platform_machine == 'x86_64' and sys_platform == 'linux' and extra == 'extra-14-ads-mega-model-cu118') or (extra == 'extra-14-ads-mega-model-cpu' and extra == 'extra-14-ads-mega-model-cu118')",
    LOCK_MARKERS[
        15
    ]: "python_full_version < '3.11' or (python_full_version >= '3.12' and sys_platform == 'darwin')",
    LOCK_MARKERS[
        19
    ]: "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    LOCK_MARKERS[
        20
    ]: "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (sys_platform == 'darwin' and extra == 'extra-7-project-cpu') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    LOCK_MARKERS[
        21
    ]: "(python_full_version < '3.13' and platform_machine == 'aarch64' and platform_python_implementation == 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cu124') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    LOCK_MARKERS[
        24
    ]: "(python_full_version <= '3.9' and platform_machine != 'aarch64' and platform_machine != 'arm64') or (python_full_version <= '3.9' and platform_machine == 'aarch64' and sys_platform == 'darwin') or (python_full_version <= '3.9' and platform_machine == 'arm64' and sys_platform == 'linux') or (python_full_version <= '3.9' and sys_platform != 'darwin' and sys_platform != 'linux')",
    LOCK_MARKERS[
        31
    ]: "(python_full_version > '3.9' and python_full_version < '3.10' and platform_machine != 'aarch64' and platform_machine != 'arm64') or (python_full_version > '3.9' and python_full_version < '3.10' and platform_machine == 'aarch64' and sys_platform == 'darwin') or (python_full_version > '3.9' and python_full_version < '3.10' and platform_machine == 'arm64' and sys_platform == 'linux') or (python_full_version > '3.9' and python_full_version < '3.10' and sys_platform != 'darwin' and sys_platform != 'linux')",
    LOCK_MARKERS[
        34
    ]: "python_full_version == '3.11.*' or (python_full_version >= '3.12' and sys_platform != 'darwin')",
    LOCK_MARKERS[
        37
    ]: "(python_full_version >= '3.13' and extra == 'extra-7-project-cu124') or (platform_machine != 'aarch64' and extra == 'extra-7-project-cu124') or (platform_python_implementation != 'CPython' and extra == 'extra-7-project-cu124') or (sys_platform != 'linux' and extra == 'extra-7-project-cu124') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    LOCK_MARKERS[
        40
    ]: "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu118')",
    LOCK_MARKERS[
        41
    ]: "(python_full_version >= '3.13' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_machine != 'aarch64' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (platform_python_implementation != 'CPython' and sys_platform == 'linux' and extra == 'extra-7-project-cpu') or (sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'extra-7-project-cpu') or (extra == 'extra-7-project-cpu' and extra == 'extra-7-project-cu124')",
    LOCK_MARKERS[
        46
    ]: "(sys_platform == 'darwin' and extra == 'extra-14-ads-mega-model-cpu') or extra == 'extra-14-ads-mega-model-cu118'",
    LOCK_MARKERS[116]: "extra != 'extra-10-test-torch-cpu' or extra == 'extra-10-test-torch-cu124'",
    LOCK_MARKERS[118]: "extra != 'extra-3-bar-a' or extra == 'extra-3-bar-b'",
    LOCK_MARKERS[122]: "extra != 'extra-3-pkg-x1' or extra == 'extra-3-pkg-x2'",
    LOCK_MARKERS[
        140
    ]: "extra == 'extra-7-project-x1' or (extra != 'extra-6-proxy1-x2' and extra != 'extra-6-proxy1-x3') or (extra == 'extra-6-proxy1-x2' and extra == 'extra-6-proxy1-x3')",
    LOCK_MARKERS[153]: "extra != 'extra-7-project-foo' or extra == 'group-7-project-bar'",
}
# uv 0.13.8 also splits these by platform_machine first (not ported).
CLAUSE_MERGING = {LOCK_MARKERS[24], LOCK_MARKERS[31]}


@pytest.mark.parametrize("marker", LOCK_MARKERS)
def test_lock_marker_round_trips(marker: str) -> None:
    if marker in CLAUSE_MERGING:
        pytest.xfail("uv 0.13.8's split of clauses by platform_machine is not ported")
    assert m(marker).to_string() == RERENDERED.get(marker, marker)


def test_without_and_only_extras_constants() -> None:
    assert m("extra == 'foo'").without_extras().is_true()
    assert m("os_name == 'Linux'").only_extras().is_true()
    assert (
        m("(os_name == 'Linux' and extra == 'foo') or (os_name != 'Linux' and extra == 'bar')")
        .without_extras()
        .is_true()
    )
    assert (
        m("extra != 'extra-project-bar' and extra == 'extra-project-foo'")
        .without_extras()
        .is_true()
    )


def test_python_version_simplification_examples() -> None:
    # tree.rs `simplify_python_versions`.
    assert (
        m("(extra == 'foo' and sys_platform == 'win32') or extra == 'foo'")
        .simplify_extras_with(lambda e: e == "foo")
        .is_true()
    )
    above_312 = (Version("3.12"), False)
    assert (
        m("(python_version <= '3.11' and sys_platform == 'win32') or python_version > '3.11'")
        .simplify_python_versions(above_312, None)
        .is_true()
    )
    assert (
        m("python_version < '3.10'")
        .simplify_python_versions((Version("3.7"), False), None)
        .to_string()
        == "python_full_version < '3.10'"
    )
    assert (
        m("python_version <= '3.12'").simplify_python_versions(above_312, None).to_string()
        == "python_full_version < '3.13'"
    )
    assert m("python_full_version <= '3.12'").simplify_python_versions(above_312, None).is_false()
    assert (
        m("python_full_version <= '3.12.1'").simplify_python_versions(above_312, None).to_string()
        == "python_full_version <= '3.12.1'"
    )


REQUIRES_PYTHON_38 = (Version("3.8"), True)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("python_version >= '3.8'", None),
        ("python_version >= '3.8' or sys_platform == 'win32'", None),
        ("python_version >= '3.8' and sys_platform == 'win32'", "sys_platform == 'win32'"),
        ("python_version == '3.8'", "python_full_version < '3.9'"),
        ("python_version <= '3.10'", "python_full_version < '3.11'"),
    ],
)
def test_requires_python_simplification(marker: str, expected: str | None) -> None:
    # tree.rs `test_requires_python`.
    assert m(marker).simplify_python_versions(REQUIRES_PYTHON_38, None).to_string() == expected


@pytest.mark.parametrize(
    ("marker", "extras", "expected"),
    [
        ('os_name == "nt" and extra == "dev"', "dev", 'os_name == "nt"'),
        ('os_name == "nt" or extra == "dev"', "dev", None),
        ('extra == "dev"', "dev", None),
        ('extra == "dev" and extra == "test"', "dev", 'extra == "test"'),
        ('os_name == "nt" and extra == "test"', "dev", 'os_name == "nt" and extra == "test"'),
        (
            'os_name == "nt" and (python_version == "3.7" or extra == "dev")',
            "dev",
            'os_name == "nt"',
        ),
        (
            'os_name == "nt" or (python_version == "3.7" and extra == "dev")',
            "dev",
            'os_name == "nt" or python_version == "3.7"',
        ),
    ],
)
def test_simplify_extras(marker: str, extras: str, expected: str | None) -> None:
    # tree.rs `test_simplify_extras`.
    result = m(marker).simplify_extras_with(lambda e: e == extras)
    assert result == MarkerTree.parse(expected)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('os_name == "nt" and extra != "dev"', 'os_name == "nt"'),
        ('os_name == "nt" or extra != "dev"', None),
        ('extra != "dev"', None),
        ('extra != "dev" and extra != "test"', 'extra != "test"'),
        ('os_name != "nt" and extra != "test"', 'os_name != "nt" and extra != "test"'),
        ('os_name == "nt" and (python_version == "3.7" or extra != "dev")', 'os_name == "nt"'),
        (
            'os_name == "nt" or (python_version == "3.7" and extra != "dev")',
            'os_name == "nt" or python_version == "3.7"',
        ),
    ],
)
def test_simplify_not_extras(marker: str, expected: str | None) -> None:
    # tree.rs `test_simplify_not_extras`.
    assert m(marker).simplify_not_extras_with(lambda e: e == "dev") == MarkerTree.parse(expected)


ENVIRONMENT = (
    "(platform_machine == 'x86_64' and sys_platform == 'darwin') or "
    "(platform_machine == 'x86_64' and sys_platform == 'linux') or "
    "(platform_machine == 'AMD64' and sys_platform == 'win32')"
)


def test_restrict() -> None:
    # tree.rs `restrict`.
    environment = m(ENVIRONMENT)
    marker = m(f"({ENVIRONMENT}) and python_version < '3.11'")
    simplified = marker.restrict(environment)
    assert simplified == m("python_version < '3.11'")
    assert simplified & environment == marker
    assert environment.restrict(environment) is MarkerTree.TRUE
    marker = m("python_version >= '3.12'")
    assert marker.restrict(m("sys_platform == 'linux' or python_version >= '3.12'")) == marker


@pytest.mark.parametrize(
    ("marker", "assumption"),
    [
        ("python_version < '3.11'", "sys_platform == 'linux'"),
        ("sys_platform == 'linux'", "python_version < '3.11'"),
        (
            "sys_platform == 'linux' or python_version < '3.11'",
            "sys_platform == 'darwin' or python_version >= '3.10'",
        ),
        (
            "extra == 'foo' and sys_platform == 'linux'",
            "extra == 'foo' or sys_platform == 'darwin'",
        ),
        ("python_version < '3.11'", "python_version >= '3.12'"),
    ],
)
def test_restrict_keeps_meaning_under_assumption(marker: str, assumption: str) -> None:
    # tree.rs `restrict`: conjoining the assumption restores the original meaning.
    restricted = m(marker).restrict(m(assumption))
    assert restricted & m(assumption) == m(marker) & m(assumption)


def test_restrict_detects_impossible_platform_pairs() -> None:
    # The case accord's old markers.py missed (universal-resolution.md 4.1).
    darwin = m("sys_platform == 'darwin'")
    assert m("sys_platform == 'linux' and python_version < '3.11'").restrict(darwin).is_false()
    assert m("os_name == 'nt'").is_disjoint(darwin)
    assert m("platform_system == 'FreeBSD'").is_disjoint(m("sys_platform == 'win32'"))
    assert not m("platform_system == 'iOS'").is_disjoint(m("sys_platform == 'ios'"))


def test_constants_and_rendering() -> None:
    assert MarkerTree.parse(None) is MarkerTree.TRUE
    assert MarkerTree.parse("") is MarkerTree.TRUE
    assert MarkerTree.TRUE.to_string() is None
    assert str(MarkerTree.TRUE) == ""
    assert MarkerTree.FALSE.to_string() == "python_version < '0'"
    assert MarkerTree.TRUE.to_marker() is None
    assert str(m("python_version >= '3.9'").to_marker()) == 'python_full_version >= "3.9"'
    assert MarkerTree.parse(Marker("sys_platform == 'linux'")) == m("sys_platform == 'linux'")


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (
            "python_version >= '3.11' and python_version < '3.13'",
            "python_full_version >= '3.11' and python_full_version < '3.13'",
        ),
        ("python_version == '3.12'", "python_full_version == '3.12.*'"),
        (
            "implementation_name != 'pypy' and implementation_name != 'cpython' and sys_platform == 'darwin'",
            "implementation_name != 'cpython' and implementation_name != 'pypy' and sys_platform == 'darwin'",
        ),
        ("platform_system == 'Windows'", "sys_platform == 'win32'"),
        ("platform_system != 'Darwin'", "sys_platform != 'darwin'"),
        (
            "sys_platform == 'linux' or sys_platform == 'darwin'",
            "sys_platform == 'darwin' or sys_platform == 'linux'",
        ),
        ("'linux' in sys_platform", "'linux' in sys_platform"),
        ("sys_platform not in 'linux darwin'", "sys_platform not in 'linux darwin'"),
        ("os_name ~= 'nt' and sys_platform == 'linux'", "sys_platform == 'linux'"),
        ("python_version == 'foo' or sys_platform == 'linux'", "sys_platform == 'linux'"),
        ("'a' in extras", "'a' in extras"),
        ("'Dev_Group' not in dependency_groups", "'dev-group' not in dependency_groups"),
        ("platform_release >= '5.10'", "platform_release >= '5.10'"),
        ("extra == 'Foo.Bar'", "extra == 'foo-bar'"),
        (
            "python_full_version == '3.9.0.*'",
            "python_full_version >= '3.9.0' and python_full_version < '3.9.1'",
        ),
    ],
)
def test_rendering_examples(marker: str, expected: str) -> None:
    assert m(marker).to_string() == expected


def test_python_bounds() -> None:
    # uv-resolver src/marker.rs `requires_python`.
    assert m("python_full_version == '3.8.*'").python_bounds() == (
        (Version("3.8"), True),
        (Version("3.9"), False),
    )
    assert m("python_full_version > '3.8' and python_full_version < '3.9'").python_bounds() == (
        (Version("3.8"), False),
        (Version("3.9"), False),
    )
    assert m(
        "(python_version < '3.9' and sys_platform == 'linux') or python_version >= '3.11'"
    ).python_bounds() == (None, None)
    assert m(
        "(python_version == '3.9' and sys_platform == 'linux') or python_version >= '3.11'"
    ).python_bounds() == ((Version("3.9"), True), None)
    assert m("sys_platform == 'linux'").python_bounds() == (None, None)
    assert MarkerTree.TRUE.python_bounds() == (None, None)
    assert m("python_version >= '3.9' or sys_platform == 'linux'").python_bounds() == (None, None)


def test_python_range() -> None:
    tree = MarkerTree.python_range((Version("3.10"), True), (Version("3.13"), False))
    assert tree == m("python_version >= '3.10' and python_version < '3.13'")
    assert MarkerTree.python_range(None, None).is_true()
    assert MarkerTree.python_range((Version("3.10"), True), None).python_bounds() == (
        (Version("3.10"), True),
        None,
    )


def test_hash_consing() -> None:
    a = m("sys_platform == 'linux' and python_version >= '3.9'")
    b = m("python_full_version >= '3.9' and 'linux' == sys_platform")
    assert a == b and hash(a) == hash(b) and a is b
    assert {a, b} == {a}
    assert (a & m("os_name == 'posix'")) is (m("os_name == 'posix'") & b)


# Property tests: random markers over every PEP 508 variable, evaluated by the diagram and by
# packaging on complete environments. The environments are self-consistent in the ways uv
# assumes (platform_system agrees with sys_platform where uv rewrites one into the other, and
# none of uv's impossible os_name/platform_system/sys_platform pairs occur), and the atoms avoid
# the one documented difference (uv compares platform_release/platform_version as strings).
PLATFORMS = [
    ("posix", "linux", "Linux"),
    ("posix", "darwin", "Darwin"),
    ("nt", "win32", "Windows"),
    ("posix", "freebsd14", "FreeBSD"),
    ("posix", "ios", "iOS"),
    ("posix", "cygwin", "CYGWIN_NT-10.0"),
    ("posix", "emscripten", "Emscripten"),
    ("java", "linux", "Linux"),
]
PYTHONS = [
    "2.7.18",
    "3.8.0",
    "3.8.10",
    "3.9.7",
    "3.10.0",
    "3.11.4",
    "3.12.0",
    "3.12.1",
    "3.13.0",
    "3.14.2",
]
VERSION_LITERALS = ["2.7", "3", "3.8", "3.9", "3.10", "3.12", "3.12.1", "3.13", "3.9.0", "3.8.10"]
STRING_VALUES = {
    "os_name": ["nt", "posix", "java"],
    "sys_platform": ["linux", "darwin", "win32", "ios", "cygwin", "emscripten", "freebsd14"],
    "platform_system": ["Linux", "Darwin", "Windows", "FreeBSD", "iOS", "Java"],
    "platform_machine": ["x86_64", "aarch64", "AMD64", "arm64"],
    "platform_python_implementation": ["CPython", "PyPy"],
    "implementation_name": ["cpython", "pypy"],
    "platform_release": ["5.15.0", "6.5.0", "6.8.1"],
    "platform_version": ["#1 SMP", "Darwin Kernel"],
}
SUBSTRINGS = ["lin", "win", "x86", "Py", "nt", "darwin linux"]


@st.composite
def environments(draw: st.DrawFn) -> tuple[dict[str, str], frozenset[str]]:
    os_name, sys_platform, platform_system = draw(st.sampled_from(PLATFORMS))
    python = draw(st.sampled_from(PYTHONS))
    env = {
        "os_name": os_name,
        "sys_platform": sys_platform,
        "platform_system": platform_system,
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "implementation_version": draw(st.sampled_from(PYTHONS)),
    }
    for key in (
        "platform_machine",
        "platform_python_implementation",
        "implementation_name",
        "platform_release",
        "platform_version",
    ):
        env[key] = draw(st.sampled_from(STRING_VALUES[key]))
    extras = draw(st.frozensets(st.sampled_from(["a", "b", "c"])))
    return env, extras


def _version_atoms() -> list[str]:
    atoms = []
    for key in ("python_version", "python_full_version", "implementation_version"):
        for v in VERSION_LITERALS:
            for op in ("==", "!=", "<", "<=", ">", ">="):
                atoms.append(f"{key} {op} '{v}'")
            if "." in v:
                atoms.append(f"{key} ~= '{v}'")
            atoms.append(f"{key} == '{v}.*'")
            # uv makes `python_version != '3.8.10.*'` false rather than true (algebra.rs
            # `python_version_to_full_version`); ported as is, so kept out of this comparison.
            if not (key == "python_version" and v.count(".") == 2 and not v.endswith(".0")):
                atoms.append(f"{key} != '{v}.*'")
            atoms.append(f"'{v}' < {key}")
    atoms.append("python_version in '3.8 3.12'")
    atoms.append("python_full_version not in '3.12.1 3.8.0'")
    return atoms


def _string_atoms() -> list[str]:
    atoms = []
    for key, values in STRING_VALUES.items():
        ops = ("==", "!=") if key == "platform_version" else ("==", "!=", "<", ">", "<=", ">=")
        for v in values:
            atoms += [f"{key} {op} '{v}'" for op in ops]
            atoms.append(f"'{v}' == {key}")
        if key not in ("platform_release",):
            atoms += [f"{key} in '{s}'" for s in SUBSTRINGS]
            atoms += [f"'{s}' not in {key}" for s in SUBSTRINGS]
    return atoms


ATOMS = (
    _version_atoms() + _string_atoms() + [f"extra {op} '{e}'" for e in "abc" for op in ("==", "!=")]
)


@st.composite
def markers(draw: st.DrawFn, depth: int = 3, atoms: list[str] | None = None) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(atoms or ATOMS))
    parts = draw(st.lists(markers(depth - 1, atoms), min_size=2, max_size=3))
    joiner = draw(st.sampled_from([" and ", " or "]))
    return "(" + joiner.join(parts) + ")"


@functools.cache
def packaging_marker(text: str) -> Marker:
    return Marker(text)


def packaging_eval(text: str, env: Mapping[str, str], extras: frozenset[str]) -> bool:
    full = {**env, "extra": extras, "extras": extras, "dependency_groups": frozenset()}
    return packaging_marker(text).evaluate_prepared(full)


@settings(max_examples=250, deadline=None)
@given(markers(), markers(), st.lists(environments(), min_size=8, max_size=8))
def test_algebra_evaluates_like_packaging(
    a: str, b: str, envs: list[tuple[dict[str, str], frozenset[str]]]
) -> None:
    ta, tb = m(a), m(b)
    both, either, neither = ta & tb, ta | tb, ~ta
    any_both = False
    for env, extras in envs:
        ea = packaging_eval(a, env, extras)
        eb = packaging_eval(b, env, extras)
        assert ta.evaluate(env, extras) == ea, (a, env, extras)
        assert both.evaluate(env, extras) == (ea and eb)
        assert either.evaluate(env, extras) == (ea or eb)
        assert neither.evaluate(env, extras) == (not ea)
        any_both = any_both or (ea and eb)
    if any_both:
        assert not ta.is_disjoint(tb)
        assert not both.is_false()
    assert ta.is_disjoint(tb) == both.is_false()


# uv only applies its impossible-platform pairs where both operands of an `and` start with a
# platform variable, so a marker built one way can keep a branch that the same text, parsed,
# drops (uv behaves the same). The round trip is exact without os_name/platform_system atoms.
ROUND_TRIP_ATOMS = [a for a in ATOMS if "os_name" not in a and "platform_system" not in a]


@settings(max_examples=200, deadline=None)
@given(markers(atoms=ROUND_TRIP_ATOMS), markers(atoms=ROUND_TRIP_ATOMS))
def test_rendering_round_trips(a: str, b: str) -> None:
    for tree in (m(a), m(a) & m(b), m(a) | ~m(b)):
        if tree.is_false():
            continue  # uv writes false as `python_version < '0'`, which is not false itself
        text = tree.to_string()
        assert MarkerTree.parse(text) == tree, (text, tree)
        # uv's text is a fixed point of parse and render.
        assert MarkerTree.parse(text).to_string() == text


@settings(max_examples=150, deadline=None)
@given(markers(), markers(), st.lists(environments(), min_size=6, max_size=6))
def test_restrict_agrees_inside_assumption(
    a: str, b: str, envs: list[tuple[dict[str, str], frozenset[str]]]
) -> None:
    value, assumption = m(a), m(b)
    restricted = value.restrict(assumption)
    assert restricted & assumption == value & assumption
    for env, extras in envs:
        if assumption.evaluate(env, extras):
            assert restricted.evaluate(env, extras) == value.evaluate(env, extras)


@settings(max_examples=150, deadline=None)
@given(markers(), st.frozensets(st.sampled_from(["a", "b", "c"])), environments())
def test_with_extras_decides_every_extra(
    a: str, active: frozenset[str], sample: tuple[dict[str, str], frozenset[str]]
) -> None:
    env, _ = sample
    decided = m(a).with_extras(active)
    assert decided.evaluate(env, active) == m(a).evaluate(env, active)
    # No extra is left to decide: any other set of extras gives the same answer.
    assert decided.evaluate(env, frozenset()) == decided.evaluate(env, frozenset({"a", "b", "c"}))


def test_with_extras_makes_an_extra_only_marker_false() -> None:
    # The resolver's prefetch skips a requirement that only an extra brings in.
    assert m("extra == 'all'").with_extras(()).is_false()
    assert m("os_name == 'nt' and extra == 'Foo_Bar'").with_extras({"foo-bar"}) == m(
        "os_name == 'nt'"
    )


@pytest.mark.parametrize(
    "text", ["python_version < '0'", "python_full_version < '0'", 'python_version<"0"']
)
def test_uvs_spelling_of_false_reads_back_as_false(text: str) -> None:
    tree = MarkerTree.parse(text)
    assert tree.is_false()
    assert tree.to_string() == "python_version < '0'"


@pytest.mark.parametrize(
    ("marker", "projection"),
    [
        (
            "(python_version < '3.11' and sys_platform == 'linux') or "
            "(python_version >= '3.13' and extra == 'x')",
            "python_full_version < '3.11' or python_full_version >= '3.13'",
        ),
        (
            "sys_platform == 'linux' and python_full_version >= '3.12'",
            "python_full_version >= '3.12'",
        ),
        ("sys_platform == 'linux'", None),
        ("python_version < '3.8' and python_version >= '3.9'", "python_version < '0'"),
    ],
)
def test_the_python_projection_quantifies_out_every_other_variable(
    marker: str, projection: str | None
) -> None:
    expected = MarkerTree.TRUE if projection is None else MarkerTree.parse(projection)
    assert MarkerTree.parse(marker).python_projection() == expected
