"""Sources chosen by marker (a `[tool.uv.sources]` list, or one source with a `marker`):
accord's lock against real uv 0.13.8's, byte for byte, then `uv lock --check`, the sync, the
staleness check and the errors for a bad shape.

Two indexes on 127.0.0.1: the default one has `ms-tp` 1.0 and 2.0 (their module says `A`)
and `ms-uses` 1.0, which requires `ms-tp`; the explicit index `b` has `ms-tp` 2.0 saying `B`
(the same version as the default's, so only the source tells the two apart in the lock).
A local wheel `ms-tp` 3.0 says `PATH`. This machine is Linux: the sync installs the source
whose marker names `linux`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, git, installed, site_packages

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the markers name linux")


@dataclasses.dataclass(frozen=True)
class Sources:
    default: IndexServer
    b: IndexServer
    wheel: Path
    """`ms-tp` 3.0 as a local wheel."""


def _module(where: str) -> dict[str, str | bytes]:
    return {"ms_tp/__init__.py": f"WHERE = {where!r}\n"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sources]:
    root = tmp_path_factory.mktemp("marker-sources")
    default = [
        build_wheel(WheelSpec("ms-tp", "1.0", files=_module("A")), root / "default"),
        build_wheel(WheelSpec("ms-tp", "2.0", files=_module("A")), root / "default"),
        build_wheel(WheelSpec("ms-uses", "1.0", requires_dist=("ms-tp",)), root / "default"),
    ]
    in_b = [build_wheel(WheelSpec("ms-tp", "2.0", files=_module("B")), root / "b")]
    wheel = build_wheel(WheelSpec("ms-tp", "3.0", files=_module("PATH")), root / "local")
    with (
        IndexServer(build_index(default, root / "index-default")) as server,
        IndexServer(build_index(in_b, root / "index-b")) as server_b,
    ):
        yield Sources(server, server_b, wheel)


@pytest.fixture
def mcli(cli: Cli, sources: Sources) -> Cli:
    return dataclasses.replace(cli, index_url=sources.default.url)


def _pyproject(sources: Sources, table: str, dependencies: str = '"ms-tp", "ms-uses"') -> str:
    return (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n\n"
        f'[[tool.uv.index]]\nname = "b"\nurl = "{sources.b.url}"\nexplicit = true\n\n'
        f"[tool.uv.sources]\n{table}\n"
    )


def _project(tmp_path: Path, who: str, text: str, sources: Sources) -> Path:
    """`tmp_path/who/proj` with `text` as its pyproject.toml and the local wheel in
    `vendor/` (the directory may hold other files already)."""
    project = tmp_path / who / "proj"
    (project / "vendor").mkdir(parents=True, exist_ok=True)
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    shutil.copy(sources.wheel, project / "vendor")
    return project


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, pinned=True)


def _lock_both(cli: Cli, tmp_path: Path, text: str, sources: Sources) -> tuple[Path, str]:
    """Lock with uv and accord; the locks must be equal and uv must accept accord's."""
    theirs = _project(tmp_path, "uv", text, sources)
    result = cli.uv(theirs, "lock", settings=True)
    assert result.returncode == 0, result.stderr
    ours = _project(tmp_path, "accord", text, sources)
    result = _accord(cli, ours, "lock")
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    check = cli.uv(ours, "lock", "--check", settings=True)
    assert check.returncode == 0, check.stderr
    return ours, lock


def _where(project: Path) -> str:
    """What the installed `ms_tp` module says."""
    text = (site_packages(project) / "ms_tp" / "__init__.py").read_text("utf-8")
    return text.split("'")[1]


INDEX_LIST = (
    "ms-tp = [\n"
    '  { index = "b", marker = "sys_platform == \'linux\'" },\n'
    '  { index = "b", marker = "sys_platform == \'win32\'" },\n'
    "]"
)
INDEX_ONE = (
    "ms-tp = { index = \"b\", marker = \"sys_platform == 'linux' or sys_platform == 'win32'\" }"
)


@pytest.mark.parametrize("table", [INDEX_LIST, INDEX_ONE], ids=["list", "one-with-marker"])
def test_index_sources_by_marker_lock_and_sync_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path, table: str
) -> None:
    ours, lock = _lock_both(mcli, tmp_path, _pyproject(sources, table), sources)
    # `ms-tp` 2.0 twice: from `b` where a source's marker holds, from the default index
    # elsewhere; the requirement from `ms-uses` follows the fork's source.
    assert lock.count('name = "ms-tp"\nversion = "2.0"\n') == 2
    assert (
        f'{{ name = "ms-tp", version = "2.0", source = {{ registry = "{sources.b.url}" }}' in lock
    )
    assert "resolution-markers = [" in lock

    result = _accord(mcli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"ms-tp": "2.0", "ms-uses": "1.0"}
    assert _where(ours) == "B"


def test_path_and_index_sources_by_marker_lock_and_sync_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    table = (
        "ms-tp = [\n"
        f'  {{ path = "vendor/{sources.wheel.name}", marker = "sys_platform == \'linux\'" }},\n'
        '  { index = "b", marker = "sys_platform == \'darwin\'" },\n'
        "]"
    )
    ours, lock = _lock_both(mcli, tmp_path, _pyproject(sources, table), sources)
    assert f'source = {{ path = "vendor/{sources.wheel.name}" }}' in lock
    assert lock.count('name = "ms-tp"\n') == 3  # the wheel, `b`'s and the default index's

    result = _accord(mcli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"ms-tp": "3.0", "ms-uses": "1.0"}
    assert _where(ours) == "PATH"
    (dist_info,) = site_packages(ours).glob("ms_tp-3.0.dist-info")
    direct_url = json.loads((dist_info / "direct_url.json").read_text("utf-8"))
    assert direct_url["url"] == (ours / "vendor" / sources.wheel.name).as_uri()


def test_sources_by_marker_apply_to_extras_and_groups_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    text = (
        _pyproject(sources, INDEX_LIST, dependencies='"ms-uses"')
        + "\n[project.optional-dependencies]\nx = [\"ms-tp>=2; python_version >= '3.11'\"]\n"
        + '\n[dependency-groups]\ndev = ["ms-tp"]\n'
    )
    ours, lock = _lock_both(mcli, tmp_path, text, sources)
    assert 'extra == \'x\'", specifier = ">=2", index = ' in lock

    result = _accord(mcli, ours, "sync", "--extra", "x", "--no-dev")
    assert result.returncode == 0, result.stderr
    assert _where(ours) == ("B" if sys.version_info >= (3, 11) else "A")


STALENESS = [
    pytest.param(lambda t: t.replace("'win32'", "'cygwin'"), 1, id="a-marker-changed"),
    pytest.param(
        lambda t: t.replace('  { index = "b", marker = "sys_platform == \'win32\'" },\n', ""),
        1,
        id="a-source-removed",
    ),
    pytest.param(
        lambda t: t.replace("sys_platform == 'linux'", "platform_system == 'Linux'"),
        0,
        id="the-same-marker-spelled-otherwise",
    ),
    pytest.param(
        lambda t: t.replace(INDEX_LIST, INDEX_ONE), 0, id="one-source-with-the-same-markers"
    ),
    pytest.param(lambda t: t.replace(INDEX_LIST, 'ms-tp = { index = "b" }'), 1, id="no-marker"),
]


@pytest.mark.parametrize(("edit", "stale"), STALENESS)
def test_sources_by_marker_staleness_is_uvs(
    mcli: Cli, sources: Sources, tmp_path: Path, edit: Callable[[str], str], stale: int
) -> None:
    text = _pyproject(sources, INDEX_LIST)
    ours, _ = _lock_both(mcli, tmp_path, text, sources)
    theirs = ours.parent.parent / "uv" / "proj"
    changed = edit(text)
    assert changed != text
    for project in (ours, theirs):
        (project / "pyproject.toml").write_text(changed, encoding="utf-8")
    uv = mcli.uv(theirs, "lock", "--check", settings=True)
    assert uv.returncode == stale, uv.stderr
    accord = _accord(mcli, ours, "lock", "--check")
    assert accord.returncode == stale, accord.stderr


def _unwrapped(text: str) -> str:
    """uv's output with its line wrapping undone (it wraps at the terminal's width)."""
    return " ".join(text.split())


BAD_LISTS = [
    pytest.param(
        'ms-tp = [\n  { index = "b", marker = "sys_platform == \'linux\'" },\n'
        '  { index = "b", marker = "sys_platform != \'darwin\'" },\n]',
        "Source markers must be disjoint, but the following markers overlap: "
        "`sys_platform == 'linux'` and `sys_platform != 'darwin'`.",
        "replace `sys_platform != 'darwin'` with "
        "`sys_platform != 'darwin' and sys_platform != 'linux'`",
        id="overlapping",
    ),
    pytest.param(
        'ms-tp = [\n  { index = "b" },\n'
        '  { index = "b", marker = "sys_platform == \'linux\'" },\n]',
        "When multiple sources are provided, each source must include a platform marker "
        "(e.g., `marker = \"sys_platform == 'linux'\"`)",
        None,
        id="missing-marker",
    ),
    pytest.param("ms-tp = []", "Must provide at least one source", None, id="empty"),
]


@pytest.mark.parametrize(("table", "detail", "hint"), BAD_LISTS)
def test_a_bad_source_list_is_refused_in_uvs_words(
    mcli: Cli, sources: Sources, tmp_path: Path, table: str, detail: str, hint: str | None
) -> None:
    text = _pyproject(sources, table)
    theirs = _project(tmp_path, "uv", text, sources)
    uv = mcli.uv(theirs, "lock", settings=True)
    assert uv.returncode == 2
    assert f"cause: Failed to parse `tool.uv.sources` cause: {detail}" in _unwrapped(uv.stderr)
    ours = _project(tmp_path, "accord", text, sources)
    for args in (("lock",), ("run", "--frozen", "python", "-c", "pass")):
        result = _accord(mcli, ours, *args)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            "error: Failed to parse: pyproject.toml\n"
            f"  cause: Failed to parse `tool.uv.sources`\n  cause: {detail}\n"
            + (f"\nhint: {hint}\n" if hint else "")
        )
    if hint is not None:
        assert f"hint: {hint}" in _unwrapped(uv.stderr)
    assert sorted(p.name for p in ours.iterdir()) == ["pyproject.toml", "vendor"]


_UV_POSITION = re.compile(r"TOML parse error at line (\d+), column (\d+)\n(?:.*\n){2}.*?(\^+)")


@pytest.mark.parametrize(
    ("table", "detail"),
    [
        pytest.param(
            'ms-tp = [{ index = "b", marker = "sys_platform == \'linux\'" }, "b"]',
            'invalid type: string "b", expected struct CatchAll',
            id="not-a-table",
        ),
        pytest.param(
            'ms-tp = { index = "b", extra = "x", group = "g" }',
            "cannot specify both `extra` and `group`",
            id="extra-and-group",
        ),
    ],
)
def test_a_bad_source_entry_is_named_where_uv_names_it(
    mcli: Cli, sources: Sources, tmp_path: Path, table: str, detail: str
) -> None:
    text = _pyproject(sources, table)
    theirs = _project(tmp_path, "uv", text, sources)
    uv = mcli.uv(theirs, "lock", settings=True)
    assert uv.returncode == 2
    assert detail in _unwrapped(uv.stderr)
    found = _UV_POSITION.search(uv.stderr)
    assert found is not None, uv.stderr
    line, column, caret = int(found.group(1)), int(found.group(2)), found.group(3)
    assert text.splitlines()[line - 1] == table
    ours = _project(tmp_path, "accord", text, sources)
    result = _accord(mcli, ours, "lock")
    assert result.returncode == 2
    gutter = " " * (9 + len(str(line)))
    assert result.stderr == (
        "error: Failed to parse: pyproject.toml\n"
        f"  cause: TOML parse error at line {line}, column {column}\n"
        f"{gutter} |\n         {line} | {table}\n{gutter} | {' ' * (column - 1)}{caret}\n"
        f"         {detail}\n"
    )


@pytest.mark.parametrize(
    ("table", "what"),
    [
        pytest.param(
            'ms-tp = { index = "b", extra = "x" }',
            "limits a source to an extra or a dependency group",
            id="extra",
        ),
        pytest.param(
            'ms-tp = [\n  { index = "b", group = "dev", marker = "sys_platform == \'linux\'" },\n'
            '  { index = "b", group = "dev", marker = "sys_platform == \'darwin\'" },\n]',
            "limits a source to an extra or a dependency group",
            id="group",
        ),
        pytest.param(
            "ms-tp = { workspace = true, marker = \"sys_platform == 'linux'\" }",
            "selects a workspace member by marker",
            id="workspace",
        ),
    ],
)
def test_what_accord_cannot_lock_yet_is_refused_by_name(
    mcli: Cli, sources: Sources, tmp_path: Path, table: str, what: str
) -> None:
    ours = _project(tmp_path, "accord", _pyproject(sources, table), sources)
    result = _accord(mcli, ours, "lock")
    assert result.returncode == 2
    assert result.stderr == (
        f"error: `{ours / 'pyproject.toml'}`: `tool.uv.sources.ms-tp` {what}, which accord "
        "does not support yet; it changes the lock, so accord will not resolve without it\n\n"
        "hint: lock with uv (accord runs from a uv.lock that is up to date), or change the "
        "source\n"
    )
    assert not (ours / "uv.lock").exists()


def test_a_changed_source_list_relocks_and_resyncs_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    text = _pyproject(sources, INDEX_LIST)
    ours, _ = _lock_both(mcli, tmp_path, text, sources)
    theirs = ours.parent.parent / "uv" / "proj"

    def sync_both(changed: str) -> str:
        for project in (ours, theirs):
            (project / "pyproject.toml").write_text(changed, encoding="utf-8")
        result = _accord(mcli, ours, "sync")
        assert result.returncode == 0, result.stderr
        result = mcli.uv(theirs, "sync", settings=True)
        assert result.returncode == 0, result.stderr
        assert (ours / "uv.lock").read_text("utf-8") == (theirs / "uv.lock").read_text("utf-8")
        assert _where(ours) == _where(theirs)
        return _where(ours)

    assert sync_both(text) == "B"
    # Linux now takes 2.0 from the default index: the same version, so neither tool
    # reinstalls it (an index package is not told apart by its index once installed).
    linux = '  { index = "b", marker = "sys_platform == \'linux\'" },\n'
    assert sync_both(text.replace(linux, "")) == "B"
    wheel = f"vendor/{sources.wheel.name}"
    local = f'  {{ path = "{wheel}", marker = "sys_platform == \'linux\'" }},\n'
    assert sync_both(text.replace(linux, local)) == "PATH"


def test_url_and_directory_sources_by_marker_lock_and_sync_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    url = f"{sources.default.url}ms-tp/ms_tp-1.0-py3-none-any.whl"
    table = (
        "ms-tp = [\n"
        f'  {{ url = "{url}", marker = "sys_platform == \'linux\'" }},\n'
        '  { path = "vendor/ms-tp", marker = "sys_platform == \'darwin\'" },\n'
        "]"
    )
    text = _pyproject(sources, table, dependencies='"ms-tp"')
    for who in ("uv", "accord"):
        tree = tmp_path / who / "proj" / "vendor" / "ms-tp"
        (tree / "ms_tp").mkdir(parents=True)
        (tree / "ms_tp" / "__init__.py").write_text("WHERE = 'TREE'\n", encoding="utf-8")
        (tree / "pyproject.toml").write_text(
            '[project]\nname = "ms-tp"\nversion = "4.0"\ndependencies = ["ms-uses"]\n\n'
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
            encoding="utf-8",
        )
    ours, lock = _lock_both(mcli, tmp_path, text, sources)
    assert f'source = {{ url = "{url}" }}' in lock
    assert 'source = { directory = "vendor/ms-tp" }' in lock

    result = _accord(mcli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"ms-tp": "1.0"}
    assert _where(ours) == "A"


def test_a_virtual_roots_groups_take_the_roots_source_list_like_uv(
    mcli: Cli, sources: Sources, tmp_path: Path
) -> None:
    text = (
        '[tool.uv.workspace]\nmembers = ["member"]\n\n[dependency-groups]\ndev = ["ms-tp"]\n\n'
        f'[[tool.uv.index]]\nname = "b"\nurl = "{sources.b.url}"\nexplicit = true\n\n'
        f"[tool.uv.sources]\n{INDEX_LIST}\n"
    )
    for who in ("uv", "accord"):
        member = tmp_path / who / "proj" / "member"
        member.mkdir(parents=True)
        (member / "pyproject.toml").write_text(
            '[project]\nname = "member"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["ms-uses"]\n',
            encoding="utf-8",
        )
    ours, lock = _lock_both(mcli, tmp_path, text, sources)
    assert "[manifest.dependency-groups]\ndev = [\n" in lock
    assert f'"sys_platform == \'linux\'", index = "{sources.b.url}" }}' in lock

    result = _accord(mcli, ours, "sync", "--all-packages")
    assert result.returncode == 0, result.stderr
    assert _where(ours) == "B"


def _commit(repo: Path, version: str, message: str) -> str:
    (repo / "pyproject.toml").write_text(
        f'[project]\nname = "gitpkg"\nversion = "{version}"\nrequires-python = ">=3.10"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
        encoding="utf-8",
    )
    (repo / "gitpkg" / "__init__.py").write_text(f"WHERE = {version!r}\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def _git_repo(tmp_path: Path) -> Path:
    """Branch `old` at gitpkg 0.1.0, `new` (and `main`) at 0.2.0."""
    repo = tmp_path / "repo"
    (repo / "gitpkg").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, "0.1.0", "one")
    git(repo, "branch", "old")
    _commit(repo, "0.2.0", "two")
    git(repo, "branch", "new")
    return repo


def _git_project(repo: Path, linux: str, other: str) -> str:
    return (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["gitpkg"]\n\n[tool.uv.sources]\ngitpkg = [\n'
        f'  {{ git = "{repo.as_uri()}", {linux}, marker = "sys_platform == \'linux\'" }},\n'
        f'  {{ git = "{repo.as_uri()}", {other}, marker = "sys_platform != \'linux\'" }},\n]\n'
    )


@pytest.mark.backends
def test_git_sources_by_marker_lock_and_sync_like_uv(cli: Cli, tmp_path: Path) -> None:
    repo = _git_repo(tmp_path)
    text = _git_project(repo, 'branch = "new"', 'branch = "old"')
    projects = {}
    for who in ("uv", "accord"):
        projects[who] = tmp_path / who / "proj"
        projects[who].mkdir(parents=True)
        (projects[who] / "pyproject.toml").write_text(text, encoding="utf-8")
    ours, theirs = projects["accord"], projects["uv"]
    assert cli.uv(theirs, "lock").returncode == 0
    result = _accord(cli, ours, "lock")
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text("utf-8")
    assert lock == (theirs / "uv.lock").read_text("utf-8")
    assert f'source = {{ git = "{repo.as_uri()}?branch=old#' in lock
    assert cli.uv(ours, "lock", "--check").returncode == 0

    result = _accord(cli, ours, "sync")
    assert result.returncode == 0, result.stderr
    assert installed(ours) == {"gitpkg": "0.2.0"}

    # The branch moves on: both tools keep the locked commits until upgraded.
    moved = _commit(repo, "0.3.0", "three")
    git(repo, "branch", "-f", "new", moved)
    assert cli.uv(theirs, "lock").returncode == 0
    assert _accord(cli, ours, "lock").returncode == 0
    assert (ours / "uv.lock").read_text("utf-8") == lock == (theirs / "uv.lock").read_text("utf-8")
    upgraded = _accord(cli, ours, "lock", "--upgrade-package", "gitpkg")
    assert upgraded.returncode == 0, upgraded.stderr
    assert cli.uv(theirs, "lock", "--upgrade-package", "gitpkg").returncode == 0
    assert (ours / "uv.lock").read_text("utf-8") == (theirs / "uv.lock").read_text("utf-8")
    assert moved in (ours / "uv.lock").read_text("utf-8")


def test_git_sources_by_marker_at_one_commit_are_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    # uv locks a branch and a tag at one commit as one package; accord says it cannot yet.
    repo = _git_repo(tmp_path)
    git(repo, "tag", "v2", "new")
    ours = tmp_path / "accord" / "proj"
    ours.mkdir(parents=True)
    text = _git_project(repo, 'tag = "v2"', 'branch = "main"')
    (ours / "pyproject.toml").write_text(text, encoding="utf-8")
    result = _accord(cli, ours, "lock")
    assert result.returncode == 2
    assert "`gitpkg` has two git sources chosen by marker at the same commit (" in result.stderr
    assert "which accord cannot lock as uv does yet\n" in result.stderr
    assert not (ours / "uv.lock").exists()
