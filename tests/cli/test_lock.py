"""Resolution and locking with real processes: accord's locks against real uv's, staleness
under the default mode, --locked and --frozen, and errors a person can follow."""

from __future__ import annotations

import hashlib
import platform
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR, MakeProject
from tests.cli.support import (
    Cli,
    after_interpreter,
    clean_environment,
    installed,
    run_importing,
)


def _accord(
    cli: Cli,
    project: Path,
    *args: str,
    index: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`accord ARGS` (not `run`) in `project` with the session index as the default index."""
    env = clean_environment({"ACCORD_INDEX_URL": index or cli.index_url, **(env or {})})
    return subprocess.run(
        [str(cli.accord), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _run(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(project, *args, env={"ACCORD_INDEX_URL": cli.index_url})


def _after_interpreter(stderr: str) -> list[str]:
    """The lines after uv's ``Using CPython … interpreter at: …``, which must come first."""
    return after_interpreter(stderr).splitlines()


def _project(tmp_path: Path, dependencies: str, name: str = "demo") -> Path:
    project = tmp_path / name
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n"
    )
    return project


@pytest.mark.parametrize("name", ["simple", "minimal", "native"])
def test_lock_matches_real_uv_byte_for_byte(
    cli: Cli, make_project: MakeProject, tmp_path: Path, name: str
) -> None:
    by_uv = make_project(name)  # locked by the real uv
    ours = tmp_path / "ours"
    shutil.copytree(PROJECTS_DIR / name, ours)
    result = _accord(cli, ours, "lock", "--python", str(cli.python))
    assert result.returncode == 0, result.stderr
    assert (ours / "uv.lock").read_text() == (by_uv / "uv.lock").read_text()


@pytest.mark.parametrize("name", ["simple", "minimal", "native"])
def test_lock_accords_locks_pass_uv_lock_check(cli: Cli, tmp_path: Path, name: str) -> None:
    project = tmp_path / name
    shutil.copytree(PROJECTS_DIR / name, project)
    assert _accord(cli, project, "lock", "--python", str(cli.python)).returncode == 0
    check = cli.uv(project, "lock", "--check")
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("name", ["simple", "minimal", "native"])
def test_lock_uvs_locks_pass_accord_run_locked(
    cli: Cli, make_project: MakeProject, name: str
) -> None:
    project = make_project(name)
    before = (project / "uv.lock").read_bytes()
    result = _run(cli, project, "--locked", "--", "python", "-c", "pass")
    assert result.returncode == 0, result.stderr
    assert (project / "uv.lock").read_bytes() == before


def test_lock_run_without_lock_locks_and_installs(cli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path, '"dep-a"')
    planned = _run(cli, project, "--dry-plan")
    assert "  + Write uv.lock: missing" in planned.stdout.splitlines()
    assert not (project / "uv.lock").exists()
    result = _run(
        cli, project, "--", "python", "-c", "import dep_a, dep_b; print(dep_b.__version__)"
    )
    assert (result.returncode, result.stdout) == (0, "2.0\n"), result.stderr
    assert (project / "uv.lock").is_file()
    assert installed(project) == {"dep-a": "1.0", "dep-b": "2.0"}


def test_lock_added_dependency_relocks_or_fails_under_locked(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pkg==1.0"', '"pkg==1.0", "colorful"'))
    old_lock = (project / "uv.lock").read_bytes()

    locked = _run(cli, project, "--locked", "--", "python", "-c", "import colorful")
    assert locked.returncode == 1
    assert locked.stderr.splitlines() == [
        "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.",
        "  cause: requirements changed (added colorful)",
        "",
        "hint: To update the lockfile, run `accord lock`.",
    ]
    assert (project / "uv.lock").read_bytes() == old_lock

    frozen = _run(cli, project, "--frozen", "--", "python", "-c", "import colorful")
    assert frozen.returncode == 1  # the command's own failure: the old lock has no colorful
    assert "No module named 'colorful'" in frozen.stderr
    assert (project / "uv.lock").read_bytes() == old_lock

    planned = _run(cli, project, "--dry-plan")
    assert "  + Write uv.lock: requirements changed (added colorful)" in planned.stdout.splitlines()
    relocked = _run(cli, project, "--", "python", "-c", "import colorful; print('ok')")
    assert (relocked.returncode, relocked.stdout) == (0, "ok\n"), relocked.stderr
    assert "colorful" in installed(project)
    assert cli.uv(project, "lock", "--check").returncode == 0


def test_lock_keeps_locked_versions_until_upgraded(cli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path, '"dep-b<2"')
    assert _accord(cli, project, "lock").returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"dep-b<2"', '"dep-b"'))
    assert _accord(cli, project, "lock").returncode == 0
    assert 'name = "dep-b"\nversion = "1.0"' in (project / "uv.lock").read_text()  # minimal churn
    upgraded = _accord(cli, project, "lock", "--upgrade-package", "dep-b")
    assert upgraded.returncode == 0, upgraded.stderr
    assert 'name = "dep-b"\nversion = "2.0"' in (project / "uv.lock").read_text()


def test_lock_never_picks_a_yanked_version_unless_pinned(cli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path, '"pkg<1.0"')
    result = _accord(cli, project, "lock")
    assert result.returncode == 1
    assert "(pkg==0.9 was yanked (reason: broken))" in result.stderr
    pinned = _project(tmp_path, '"pkg==0.9"', name="pinned")
    assert _accord(cli, pinned, "lock").returncode == 0
    assert 'name = "pkg"\nversion = "0.9"' in (pinned / "uv.lock").read_text()


def test_lock_conflict_is_explained(cli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path, '"dep-c", "dep-b<2"')
    result = _accord(cli, project, "lock")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # uv's derivation, word for word (uv 0.13.8 prints the same two lines).
    assert _after_interpreter(result.stderr)[:3] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because all versions of dep-c depend on dep-b>=2.0 and your project depends "
        "on dep-b<2, we can conclude that your project and all versions of dep-c are "
        "incompatible.",
        "         And because your project depends on dep-c, we can conclude that your "
        "project's requirements are unsatisfiable.",
    ]
    theirs = cli.uv(project, "lock")
    assert theirs.returncode == 1
    # uv (pinned to the session's interpreter) names it first as well.
    assert _after_interpreter(result.stderr)[:3] == _after_interpreter(theirs.stderr)[:3]
    assert not (project / "uv.lock").exists()


def test_lock_errors_for_unknown_package_python_and_index(cli: Cli, tmp_path: Path) -> None:
    unknown = _accord(cli, _project(tmp_path, '"nope-not-here"'), "lock")
    assert unknown.returncode == 1
    assert _after_interpreter(unknown.stderr)[:2] == [
        "error: No solution found when resolving dependencies",
        "  cause: Because nope-not-here was not found in the package registry and your project "
        "depends on nope-not-here, we can conclude that your project's requirements are "
        "unsatisfiable.",
    ]
    assert _after_interpreter(unknown.stderr)[2] == ""  # before a hint, as uv writes it
    assert _after_interpreter(unknown.stderr)[3].startswith("hint: searched `http://127.0.0.1:")
    python = _accord(cli, _project(tmp_path, '"newpy>=2"', name="py"), "lock")
    assert python.returncode == 1
    assert (
        "Because the requested Python version (>=3.10) does not satisfy Python>=3.14 and "
        "newpy==2.0 depends on Python>=3.14, we can conclude that newpy==2.0 cannot be used."
    ) in python.stderr
    assert "Consider using a more restrictive `requires-python` value (like >=3.14)." in (
        python.stderr
    )
    down = _accord(
        cli, _project(tmp_path, '"pkg"', name="down"), "lock", index="http://127.0.0.1:9/simple/"
    )
    assert down.returncode == 2  # uv exits 2 for a network failure
    assert _after_interpreter(down.stderr)[0] == (
        "error: Failed to fetch `http://127.0.0.1:9/simple/pkg/` after 3 retries: "
        "Connection refused"
    )


def test_lock_without_an_interpreter_refuses_first_as_uv(cli: Cli, tmp_path: Path) -> None:
    # The interpreter is found beside the resolution: its error still comes first (uv finds
    # it before locking), also when the resolution fails too, and nothing is written.
    for dependencies, name in (('"pkg"', "found"), ('"nope-not-here"', "missing")):
        project = _project(tmp_path, dependencies, name=name)
        result = _accord(cli, project, "lock", "--python", "3.7.99")
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines()[0] == (
            "error: No interpreter found for Python 3.7.99 in PATH or pyenv versions"
        )
        assert "No solution found" not in result.stderr
        assert not (project / "uv.lock").exists()


def test_lock_frozen_never_reads_the_index(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    result = _run(cli, project, "--frozen", "--", "python", "-c", "import pkg")
    assert result.returncode == 0
    # With an index that does not exist, --frozen still works from the lock and the cache.
    result = cli.run(
        project,
        "--frozen",
        "--reinstall",
        "--",
        "python",
        "-c",
        "import pkg",
        env={"ACCORD_INDEX_URL": "http://127.0.0.1:9/simple/"},
    )
    assert result.returncode == 0, result.stderr


def test_lock_check_reports_without_writing(cli: Cli, tmp_path: Path) -> None:
    project = _project(tmp_path, '"pkg"')
    missing = _accord(cli, project, "lock", "--check")
    assert missing.returncode == 1
    assert _after_interpreter(missing.stderr)[0].startswith(
        "error: Unable to find lockfile at `uv.lock`, but `--check` was provided."
    )
    assert not (project / "uv.lock").exists()
    assert _accord(cli, project, "lock").returncode == 0
    current = _accord(cli, project, "lock", "--check")
    assert current.returncode == 0, current.stderr

    # A stale lock: --check names the cause, exits 1, and leaves the file alone.
    lock = (project / "uv.lock").read_bytes()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    stale = _accord(cli, project, "lock", "--check")
    assert stale.returncode == 1
    assert "  cause: the project's version changed (0.1.0 → 0.2.0)" in stale.stderr.splitlines()
    assert "needs to be updated, but `--check` was provided." in stale.stderr
    assert "`--locked` was provided" in _accord(cli, project, "lock", "--locked").stderr
    assert (project / "uv.lock").read_bytes() == lock
    assert cli.uv(project, "lock", "--check").returncode == 1  # uv agrees it is stale


@pytest.mark.parametrize(
    ("edit", "cause"),
    [
        (
            '[dependency-groups]\ndev = ["devtool"]\n',
            "dependency groups changed (added group dev)",
        ),
        ("", "requires-python changed (>=3.10 → >=3.11)"),
        ("[project.optional-dependencies]\nx = []\n", "the project's extras changed"),
    ],
)
def test_lock_locked_names_each_stale_input(
    cli: Cli, tmp_path: Path, edit: str, cause: str
) -> None:
    # Each edit alone makes the lock stale: --locked refuses with the cause, and installs
    # nothing; a default run relocks and syncs.
    project = _project(tmp_path, '"pkg"')
    assert _accord(cli, project, "lock").returncode == 0
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text() + edit
    if not edit:
        text = text.replace('requires-python = ">=3.10"', 'requires-python = ">=3.11"')
    pyproject.write_text(text)

    locked = _run(cli, project, "--locked", "--", "python", "-c", "pass")

    assert locked.returncode == 1
    assert f"  cause: {cause}" in locked.stderr.splitlines(), locked.stderr
    assert not (project / ".venv").exists()
    assert _run(cli, project, "--", "python", "-c", "pass").returncode == 0
    assert _accord(cli, project, "lock", "--check").returncode == 0


def test_lock_offline_never_downloads(cli: Cli, make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project("minimal")
    # A cold cache: --offline must refuse to download, naming the package.
    cold = cli.run(
        project,
        "--frozen",
        "--offline",
        "--",
        "python",
        "-c",
        "import pkg",
        env={"ACCORD_CACHE_DIR": str(tmp_path / "cold-cache")},
    )
    assert cold.returncode == 1
    assert "is not in the cache, and `--offline` was given" in cold.stderr
    assert not (project / ".venv").exists()  # refused before anything was created
    # A warm cache: --offline works.
    assert _run(cli, project, "--frozen", "--", "python", "-c", "import pkg").returncode == 0
    shutil.rmtree(project / ".venv")
    warm = _run(cli, project, "--frozen", "--offline", "--", "python", "-c", "import pkg")
    assert warm.returncode == 0, warm.stderr


def test_lock_offline_reads_the_metadata_another_wheel_of_the_version_left(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """Which wheel of a version a run reads metadata from depends on what asked first (the
    prefetch or the resolver): offline, the cached metadata of the version's other wheel
    serves, where accord used to stop with "not in the cache"."""
    project = make_project("native")
    (project / "uv.lock").unlink(missing_ok=True)
    env = {"ACCORD_CACHE_DIR": str(tmp_path / "cache")}
    assert _accord(cli, project, "lock", env=env).returncode == 0
    online = (project / "uv.lock").read_text()
    page = urllib.request.urlopen(f"{cli.index_url}native/").read().decode()
    urls = [
        urllib.parse.urljoin(f"{cli.index_url}native/", href.split("#")[0])
        for href in re.findall(r'href="([^"]+\.whl[^"]*)"', page)
    ]
    assert len(urls) == 2
    keys = {hashlib.sha256(url.encode()).hexdigest() for url in urls}
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.name in keys]
    assert len(cached) == 1, cached
    # As if the other wheel's metadata had been read: the resolver's wheel is not cached.
    other = (keys - {cached[0].name}).pop()
    cached[0].rename(cached[0].with_name(other))
    (project / "uv.lock").unlink()

    offline = _accord(cli, project, "lock", "--offline", env=env)

    assert offline.returncode == 0, offline.stderr
    assert (project / "uv.lock").read_text() == online


def test_lock_forks_where_a_newer_version_needs_a_newer_python(cli: Cli, tmp_path: Path) -> None:
    # newpy 2.0 requires Python >=3.14 while the project supports >=3.10: like uv, the lock
    # forks at 3.14 (newpy 1.0 below, 2.0 above) instead of holding everyone at 1.0.
    ours = _project(tmp_path, '"newpy", "dep-a"', name="ours")
    theirs = _project(tmp_path, '"newpy", "dep-a"', name="theirs")
    assert _accord(cli, ours, "lock").returncode == 0
    uv = cli.uv(theirs, "lock")
    assert uv.returncode == 0, uv.stderr
    lock = (ours / "uv.lock").read_text()
    assert lock.replace('"ours"', '"theirs"') == (theirs / "uv.lock").read_text()
    assert "resolution-markers = [\n    \"python_full_version >= '3.14'\"," in lock
    result = _run(cli, ours, "--", "python", "-c", "import newpy; print(newpy.__version__)")
    assert (result.returncode, result.stdout) == (0, "1.0\n"), result.stderr


def test_lock_records_a_repeated_requirement_once(cli: Cli, tmp_path: Path) -> None:
    # A requirement listed twice, or reached twice through include-group, is recorded once
    # in requires-dist / requires-dev (uv dedupes them); versions in specifiers are written
    # normalized (0.09 is 0.9); an extra that names the project's own extras lists their
    # dependencies, and the record keeps those extras in their declared order. Checked against
    # uv's own lock.
    pyproject = (
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["pkg>=0.09,!=1.0-alpha1", "pkg>=0.09,!=1.0-alpha1"]\n'
        "[project.optional-dependencies]\n"
        'x = ["dep-a>=1", "dep-a>=1"]\n'
        'y = ["demo[x]", "dep-c"]\n'
        'all = ["demo[y,x]", "linter"]\n'
        "[dependency-groups]\n"
        'a = ["dep-b>=0", "linter", "dep-b>=0"]\n'
        'b = [{include-group = "a"}, "linter", {include-group = "a"}]\n'
    )
    projects = []
    for who in ("uv", "accord"):
        project = tmp_path / who / "demo"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        projects.append(project)
    by_uv, ours = projects
    assert cli.uv(by_uv, "lock").returncode == 0
    result = _accord(cli, ours, "lock", "--python", str(cli.python))
    assert result.returncode == 0, result.stderr
    expected = (by_uv / "uv.lock").read_text(encoding="utf-8")
    assert expected.count('{ name = "linter" }') == 5  # a, b (edges, records) and all
    assert 'specifier = ">=0.9,!=1.0a1"' in expected
    assert 'extras = ["y", "x"]' in expected  # as declared, not sorted
    assert (ours / "uv.lock").read_text(encoding="utf-8") == expected


def _with_tool_uv(tmp_path: Path, settings: str) -> Path:
    project = _project(tmp_path, '"pkg"')
    with (project / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write(f"\n[tool.uv]\n{settings}\n")
    return project


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('minimum-libc-version = "2.28"', "minimum-libc-version"),
    ],
)
def test_lock_refuses_a_setting_that_changes_the_lock_and_writes_nothing(
    cli: Cli, tmp_path: Path, setting: str, key: str
) -> None:
    project = _with_tool_uv(tmp_path, setting)
    result = _accord(cli, project, "lock", "--python", str(cli.python))
    assert result.returncode != 0
    assert f"error: `{project / 'pyproject.toml'}` sets `tool.uv.{key}`" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "uv.lock").exists()


def test_lock_warns_about_unused_settings(cli: Cli, tmp_path: Path) -> None:
    project = _with_tool_uv(tmp_path, "compile-bytecode = true")
    result = _accord(cli, project, "lock", "--python", str(cli.python))
    assert result.returncode == 0, result.stderr
    assert "warning: `tool.uv.compile-bytecode`" in result.stderr
    assert "is not used by accord" in result.stderr
    assert (project / "uv.lock").exists()


@pytest.mark.parametrize(
    ("setting", "detail"),
    [
        pytest.param("frobnicate = 1", "unknown field `frobnicate`, expected one of", id="unknown"),
        pytest.param(
            'prerelease = "sometimes"', "unknown variant `sometimes`", id="bad-prerelease"
        ),
    ],
)
def test_lock_passes_over_a_tool_uv_table_uv_cannot_read_with_uvs_warning(
    cli: Cli, tmp_path: Path, setting: str, detail: str
) -> None:
    # As uv 0.13.8: settings discovery warns and reads no setting from that table.
    project = _with_tool_uv(tmp_path, setting)
    result = _accord(cli, project, "lock", "--python", str(cli.python))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        "warning: Failed to parse `pyproject.toml` during settings discovery:\n"
        "  TOML parse error at line"
    )
    assert detail in result.stderr
    assert (project / "uv.lock").exists()


# --- what a lock loads -----------------------------------------------------------------------

LOCK_MUST_NOT_IMPORT = (
    "accord.model.plan",  # the install plan and its classes (the lock action is apart)
    "accord.model.desired",
    "accord.model.observed",
    "accord.reconciler.install",
    "accord.reconciler.build",  # the sdist builder is made for the first sdist only
    "accord.reconciler.cli.pipeline_commands",  # commands are imported when asked for
    "accord.reconciler.cli.edit_commands",
    "accord.reconciler.lock.read",  # no lock to parse: its text is read apart
    "email",  # core metadata fields are read by model.metadata_headers
    "tomlkit",
    "cattrs",
    "rich",
)


def test_lock_from_scratch_with_a_warm_cache_skips_what_it_does_not_use(
    cli: Cli, tmp_path: Path
) -> None:
    project = tmp_path / "simple"
    shutil.copytree(PROJECTS_DIR / "simple", project)
    argv = ["accord", "lock", "--python", str(cli.python)]
    env = clean_environment({"ACCORD_INDEX_URL": cli.index_url})
    warm = subprocess.run(
        [str(cli.accord), *argv[1:]], cwd=project, env=env, capture_output=True, text=True
    )
    assert warm.returncode == 0, warm.stderr
    (project / "uv.lock").unlink()
    result, imported = run_importing(project, argv[1:], env)

    assert result.returncode == 0, result.stderr
    assert (project / "uv.lock").is_file()
    assert "accord.reconciler.lock.resolve" in imported  # the trick works: it resolved
    assert {
        name
        for name in imported
        if any(name == banned or name.startswith(f"{banned}.") for banned in LOCK_MUST_NOT_IMPORT)
    } == set()


@pytest.mark.parametrize("flag", ["--check", "--locked", "--check-exists"])
@pytest.mark.parametrize("script", [False, True], ids=["project", "script"])
def test_lock_refuses_a_missing_lock_under_a_checking_flag_as_uv(
    cli: Cli, tmp_path: Path, flag: str, script: bool
) -> None:
    # uv 0.13.8: exit 1, the flag named as given, and no lock written (a script's too).
    results = []
    for who in ("uv", "accord"):
        root = tmp_path / who
        root.mkdir()
        if script:
            (root / "s.py").write_text(
                '# /// script\n# requires-python = ">=3.10"\n# dependencies = ["pkg"]\n'
                "# ///\nprint(1)\n"
            )
            args = ["lock", "--script", "s.py", flag]
        else:
            project = _project(root, '"pkg"')
            root = project
            args = ["lock", flag]
        python = ["--python", str(cli.python)]
        if who == "uv":
            results.append(cli.uv(root, *args, *python))
        else:
            results.append(_accord(cli, root, *args, *python))
        assert not list(root.glob("*.lock")), who
    uv, ours = results
    assert (ours.returncode, uv.returncode) == (1, 1), ours.stderr
    lock_name = "s.py.lock" if script else "uv.lock"
    refusal = (
        f"error: Unable to find lockfile at `{lock_name}`, but `{flag}` was provided. "
        "To create a lockfile, run `accord lock` or `accord sync` without the flag.\n"
    )
    # uv names the interpreter it found first (a project's lock, not --check-exists's).
    found = f"Using CPython {platform.python_version()} interpreter at: {cli.python}\n"
    announced = not script and flag != "--check-exists"
    assert ours.stderr == (found if announced else "") + refusal
    assert ours.stderr == uv.stderr.replace("`uv lock`", "`accord lock`").replace(
        "`uv sync`", "`accord sync`"
    )


@pytest.mark.parametrize("name", ["simple", "native"])
def test_lock_from_pages_kept_parsed_matches_uv_byte_for_byte(
    cli: Cli, make_project: MakeProject, tmp_path: Path, name: str
) -> None:
    # Project pages are kept parsed in the cache (http/*.page): a lock from a cold cache, one
    # from the kept pages, and one offline from them are all uv's lock, byte for byte.
    by_uv = (make_project(name) / "uv.lock").read_text()
    project = tmp_path / "ours"
    shutil.copytree(PROJECTS_DIR / name, project)
    cache = tmp_path / "cache"
    env = {"ACCORD_CACHE_DIR": str(cache)}
    for extra in ([], [], ["--offline"]):
        (project / "uv.lock").unlink(missing_ok=True)
        result = _accord(cli, project, "lock", "--python", str(cli.python), *extra, env=env)
        assert result.returncode == 0, result.stderr
        assert (project / "uv.lock").read_text() == by_uv, extra
        assert list((cache / "http").glob("*.page"))


def test_lock_keeps_compiled_attrs_methods_and_a_second_lock_compiles_none(
    cli: Cli, tmp_path: Path
) -> None:
    """The slow path installs reconciler/method_cache.py before the CLI's classes: the first lock
    writes the compiled methods beside the bytecode, the next finds every one (writes nothing)
    and locks the same."""
    project = _project(tmp_path, '"dep-a"')
    prefix = tmp_path / "pycache"
    env = {"PYTHONPYCACHEPREFIX": str(prefix)}
    first = _accord(cli, project, "lock", env=env)
    assert first.returncode == 0, first.stderr
    [kept] = prefix.rglob("method_cache.*.attrs-methods")
    stamp, locked = kept.stat().st_mtime_ns, (project / "uv.lock").read_text()

    (project / "uv.lock").unlink()
    second = _accord(cli, project, "lock", env={**env, "PYTHONHASHSEED": "7"})
    assert second.returncode == 0, second.stderr
    assert kept.stat().st_mtime_ns == stamp
    assert (project / "uv.lock").read_text() == locked


def test_lock_speaks_as_uv_from_outside_an_environment(cli: Cli, tmp_path: Path) -> None:
    """With no `.venv`, `lock` (also `--dry-run`, `--check`) and `export` first name the
    interpreter they found; `--dry-run` says whether the lock would change; `--check-exists`
    resolves nothing and says only its warning; with an environment, nothing is named."""
    outputs: dict[str, list[str]] = {}
    for who in ("uv", "accord"):
        (tmp_path / who).mkdir()
        project = _project(tmp_path / who, '"pkg"')
        pyproject = project / "pyproject.toml"

        def say(*args: str, project: Path = project, who: str = who) -> str:
            argv = [*args, "--python", str(cli.python)]
            done = cli.uv(project, *argv) if who == "uv" else _accord(cli, project, *argv)
            assert done.returncode == 0, done.stderr
            return re.sub(r" in \d+(\.\d+)?m?s$", " in <time>", done.stderr, flags=re.M)

        said = [
            say("lock", "--dry-run"),
            say("lock"),
            say("lock", "--dry-run"),
            say("lock", "--check"),
            say("lock", "--check-exists"),
            say("export", "--no-hashes"),
        ]
        pyproject.write_text(pyproject.read_text().replace(">=3.10", ">=3.10.1"))
        said.append(say("lock", "--dry-run"))
        pyproject.write_text(pyproject.read_text().replace('"pkg"', '"pkg==1.0"'))
        said.append(say("lock", "--dry-run"))
        subprocess.run(
            [str(cli.python), "-m", "venv", str(project / ".venv")], check=True, timeout=120
        )
        said.append(say("lock"))
        outputs[who] = said
    assert outputs["accord"] == outputs["uv"]
    found = f"Using CPython {platform.python_version()} interpreter at: {cli.python}\n"
    assert outputs["accord"][2] == found + "Resolved 2 packages in <time>\n" + (
        "No lockfile changes detected\n"
    )
    assert outputs["accord"][4].startswith("warning: The lockfile at `uv.lock` was only")
    assert not outputs["accord"][-1].startswith("Using")


def test_lock_without_requires_python_warns_as_uv_and_not_under_quiet(
    cli: Cli, tmp_path: Path
) -> None:
    """A project or script with no `requires-python`: uv's warning, after the interpreter it
    found (a project) and before `Resolved`; nothing under `-q` (the warning once ignored it)."""
    outputs: dict[str, list[str]] = {}
    for who in ("uv", "accord"):
        root = tmp_path / who
        project = root / "demo"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = ["pkg"]\n'
        )
        (root / "s.py").write_text('# /// script\n# dependencies = ["pkg"]\n# ///\nprint(1)\n')

        def say(where: Path, *args: str, who: str = who) -> str:
            argv = [*args, "--python", str(cli.python)]
            done = cli.uv(where, *argv) if who == "uv" else _accord(cli, where, *argv)
            assert done.returncode == 0, done.stderr
            return re.sub(r" in \d+(\.\d+)?m?s$", " in <time>", done.stderr, flags=re.M)

        said = [say(project, "lock", "-q")]
        (project / "uv.lock").unlink()
        said.append(say(project, "lock"))
        said.append(say(root, "lock", "--script", "s.py", "-q"))
        (root / "s.py.lock").unlink()
        said.append(say(root, "lock", "--script", "s.py"))
        outputs[who] = said
    assert outputs["accord"] == outputs["uv"]
    version = ".".join(platform.python_version_tuple()[:2])
    warning = (
        "warning: No `requires-python` value found in the workspace. "
        f"Defaulting to `>={version}`.\n"
    )
    found = f"Using CPython {platform.python_version()} interpreter at: {cli.python}\n"
    assert outputs["accord"] == [
        "",
        found + warning + "Resolved 2 packages in <time>\n",
        "",
        warning + "Resolved 1 package in <time>\n",
    ]


def test_no_config_ignores_python_version_files_as_uv(cli: Cli, tmp_path: Path) -> None:
    """`--no-config` (and `UV_NO_CONFIG`): uv reads no `.python-version` either; without it, a
    file naming an interpreter that does not exist is an error naming the file."""
    project = _project(tmp_path, '"pkg"')
    (project / ".python-version").write_text("3.7.99\n")
    named = _accord(cli, project, "lock")
    assert named.returncode == 2, named.stderr
    assert "(requested by `" in named.stderr and ".python-version`)" in named.stderr
    assert not (project / "uv.lock").exists()
    for how in (["--no-config"], []):
        env = {} if how else {"UV_NO_CONFIG": "1"}
        (project / "uv.lock").unlink(missing_ok=True)
        ours = _accord(cli, project, "lock", *how, env=env)
        assert ours.returncode == 0, ours.stderr
        assert (project / "uv.lock").is_file()
    # uv, asked for no interpreter (cli.uv pins one, which would hide the file anyway).
    uv_env = {"UV_DEFAULT_INDEX": cli.index_url, "UV_CACHE_DIR": str(cli.uv_cache)}
    for how in (["--no-config"], []):
        (project / "uv.lock").unlink()
        env = clean_environment({**uv_env, **({} if how else {"UV_NO_CONFIG": "1"})})
        env["UV_PYTHON_DOWNLOADS"] = "never"
        argv = [str(cli.uv_bin), "lock", *how]
        theirs = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True)
        assert theirs.returncode == 0, theirs.stderr
    env = clean_environment({**uv_env, "UV_PYTHON_DOWNLOADS": "never"})
    refused = subprocess.run(
        [str(cli.uv_bin), "lock"], cwd=project, env=env, text=True, capture_output=True
    )
    assert refused.returncode == 2 and ".python-version" in refused.stderr, refused.stderr


def test_lock_script_for_another_python_warns_and_locks_as_uv(cli: Cli, tmp_path: Path) -> None:
    """An interpreter asked for by name that the script's `requires-python` excludes: uv warns
    and locks all the same (as `run` does); nothing to resolve is `Resolved in T`."""
    said = {}
    for who in ("uv", "accord"):
        root = tmp_path / who
        root.mkdir()
        (root / "s.py").write_text(
            '# /// script\n# requires-python = ">=3.99"\n# dependencies = []\n# ///\nprint(1)\n'
        )
        argv = ["lock", "--script", "s.py", "--python", str(cli.python)]
        done = cli.uv(root, *argv) if who == "uv" else _accord(cli, root, *argv)
        assert done.returncode == 0, done.stderr
        said[who] = re.sub(r" in \d+(\.\d+)?m?s$", " in <time>", done.stderr, flags=re.M)
        assert (root / "s.py.lock").is_file()
    assert (
        said["accord"]
        == said["uv"]
        == (
            f"warning: The requested interpreter resolved to Python {platform.python_version()}, "
            "which is incompatible with the script's Python requirement: `>=3.99`\n"
            "Resolved in <time>\n"
        )
    )
    assert (tmp_path / "accord" / "s.py.lock").read_text() == (
        tmp_path / "uv" / "s.py.lock"
    ).read_text()


def test_lock_frozen_and_uv_frozen_are_check_exists_as_uv(cli: Cli, tmp_path: Path) -> None:
    """`lock --frozen` (hidden in uv's help) and `UV_FROZEN` are `--check-exists`, each named
    as given; `--check` overrides `UV_FROZEN` with a warning; `--frozen` excludes `--locked`."""
    cases: list[tuple[tuple[str, ...], dict[str, str]]] = [
        (("lock", "--frozen"), {}),
        (("lock",), {"UV_FROZEN": "1"}),
        (("lock", "--check"), {"UV_FROZEN": "1"}),
        (("lock", "--dry-run"), {"UV_FROZEN": "1"}),
        (("lock", "--locked", "--frozen"), {}),
    ]
    said: dict[str, list[tuple[int, str]]] = {"uv": [], "accord": []}
    for who in ("uv", "accord"):
        (tmp_path / who).mkdir()
        project = _project(tmp_path / who, '"pkg"')
        missing = (
            cli.uv(project, "lock", "--frozen")
            if who == "uv"
            else _accord(cli, project, "lock", "--frozen", "--python", str(cli.python))
        )
        said[who].append((missing.returncode, missing.stderr))
        done = cli.uv(project, "lock") if who == "uv" else _accord(cli, project, "lock")
        assert done.returncode == 0, done.stderr
        for args, env in cases:
            if who == "uv":
                run = cli.uv(project, *args, env=env)
            else:
                run = _accord(cli, project, *args, "--python", str(cli.python), env=env)
            text = re.sub(r" in \d+(\.\d+)?m?s$", " in <time>", run.stderr, flags=re.M)
            if run.returncode == 2:
                text = text.splitlines()[0]  # uv adds clap's usage lines
            said[who].append((run.returncode, text))
    expected = [
        (s[0], s[1].replace("`uv lock`", "`accord lock`").replace("`uv sync`", "`accord sync`"))
        for s in said["uv"]
    ]
    assert said["accord"] == expected
    assert said["accord"][1][1].endswith("because `--frozen` was provided; use `--check` instead\n")
    assert said["accord"][3][1].startswith("warning: Ignoring `UV_FROZEN` because `--check`")


def test_lock_offline_with_nothing_cached_reads_as_uv(cli: Cli, tmp_path: Path) -> None:
    """A package no cache holds under `--offline`: uv's resolution failure and its hint."""
    project = _project(tmp_path, '"pkg"')
    empty = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")}
    ours = _accord(cli, project, "lock", "--offline", "--python", str(cli.python), env=empty)
    theirs = cli.uv(project, "lock", "--offline", cache=tmp_path / "uv-cache")
    assert (ours.returncode, theirs.returncode) == (1, 1), ours.stderr + theirs.stderr
    assert [line for line in ours.stderr.splitlines() if line] == [
        line for line in theirs.stderr.splitlines() if line
    ]
    assert "Because pkg was not found in the cache and your project depends on pkg" in (ours.stderr)
    assert not (project / "uv.lock").exists()
