"""`[tool.uv]` `constraint-dependencies`, `override-dependencies`,
`build-constraint-dependencies` and `resolution`: accord's lock against real uv's.

Each scenario locks the same project with uv 0.13.8 and with accord against the settings
catalogue (fixtures/settings_catalog.py) served on 127.0.0.1; the locks must be equal byte
for byte, the setting must have changed the lock (the versions asserted), and uv must accept
accord's lock (`uv lock --check`).
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.backends import add_backends
from fixtures.index import IndexServer, build_index
from fixtures.settings_catalog import build_settings_catalog
from tests.cli.support import Cli, clean_environment, write_project


@pytest.fixture(scope="module")
def settings_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = tmp_path_factory.mktemp("settings-dists")
    wheels = build_settings_catalog(dists) + add_backends(dists)
    simple = build_index(sorted(wheels), tmp_path_factory.mktemp("settings-index"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def scli(cli: Cli, settings_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=settings_index.url)


def _pyproject(dependencies: str, settings: str, build: bool = False) -> str:
    text = (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n\n"
    )
    if build:
        text += '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    return text + "[tool.uv]\n" + settings + "\n"


def _accord(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(project, *args, pinned=True)


def _lock_both(cli: Cli, tmp_path: Path, text: str) -> tuple[str, str]:
    theirs = write_project(tmp_path, "uv", text)
    result = cli.uv(theirs, "lock", settings=True)
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = _accord(cli, ours, "lock")
    assert result.returncode == 0, result.stderr
    assert "tool.uv." not in result.stderr  # honoured: neither refused nor warned about
    check = cli.uv(ours, "lock", "--check", settings=True)
    assert check.returncode == 0, check.stderr
    return (theirs / "uv.lock").read_text(encoding="utf-8"), (ours / "uv.lock").read_text(
        encoding="utf-8"
    )


def _versions(lock: str, name: str) -> list[str]:
    marker = f'name = "{name}"\nversion = "'
    return sorted(part.split('"', 1)[0] for part in lock.split(marker)[1:])


WIN = "sys_platform == 'win32'"


@pytest.mark.parametrize(
    ("dependencies", "settings", "expected"),
    [
        pytest.param(
            '"st-top"',
            'constraint-dependencies = ["st-base<3"]',
            {"st-top": ["2.0"], "st-base": ["2.0"]},
            id="constraint",
        ),
        pytest.param(
            '"st-top", "st-win"',
            f'constraint-dependencies = ["st-base<2; {WIN}"]',
            {"st-top": ["1.0", "3.0"], "st-base": ["1.0", "3.0"]},
            id="constraint-with-marker-forks",
        ),
        pytest.param(
            '"st-top"',
            "constraint-dependencies = [\"st-base<3; python_version < '3.12'\"]",
            {"st-base": ["2.0", "3.0"]},
            id="constraint-on-older-pythons",
        ),
        pytest.param(
            '"st-pin"',
            'override-dependencies = ["st-base<3"]',
            {"st-pin": ["1.0"], "st-base": ["2.0"]},
            id="override-replaces-a-requirement",
        ),
        pytest.param(
            '"st-opt[feat]"',
            'override-dependencies = ["st-base<2"]',
            {"st-base": ["1.0"]},
            id="override-of-an-optional-requirement",
        ),
        pytest.param(
            '"st-pin", "st-top"',
            "override-dependencies = [\"st-base<3; sys_platform == 'linux'\", "
            "\"st-base>=3; sys_platform != 'linux'\"]",
            {"st-base": ["2.0", "3.0"]},
            id="overrides-by-marker",
        ),
        pytest.param(
            '"st-top", "st-low"',
            'resolution = "lowest"',
            {"st-top": ["1.0"], "st-low": ["1.0"], "st-base": ["1.0"]},
            id="lowest",
        ),
        pytest.param(
            '"st-top", "st-low>=1.5"',
            'resolution = "lowest-direct"',
            {"st-top": ["1.0"], "st-low": ["1.5"], "st-base": ["3.0"]},
            id="lowest-direct",
        ),
        pytest.param(
            '"st-top>=2", "st-opt[feat]", "st-win"',
            'resolution = "lowest"\noverride-dependencies = ["st-base>=2"]',
            {"st-top": ["2.0"], "st-base": ["2.0"]},
            id="lowest-with-override",
        ),
        pytest.param(
            '"st-top", "st-win"',
            "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]",
            {"st-top": ["3.0"], "st-base": ["3.0"]},
            id="environments",
        ),
        pytest.param(
            '"st-top", "st-win"',
            "environments = [\"sys_platform == 'linux' or sys_platform == 'win32'\", "
            "\"python_version >= '3.12' and sys_platform == 'darwin'\"]",
            {"st-win": ["1.0"], "st-base": ["3.0"]},
            id="environments-ordered-by-python",
        ),
        pytest.param(
            '"st-plat", "st-win"',
            "environments = \"sys_platform == 'linux'\"",
            {"st-plat": ["1.0"]},
            id="environment-trims-wheels",
        ),
        pytest.param(
            '"st-mac"',
            "required-environments = [\"sys_platform == 'darwin'\"]",
            {"st-mac": ["1.0", "2.0"]},
            id="required-environment-without-a-wheel-forks",
        ),
        pytest.param(
            '"st-mac", "st-win"',
            "required-environments = [\"sys_platform == 'darwin' and platform_machine == "
            "'arm64'\", \"sys_platform == 'linux'\"]",
            {"st-mac": ["1.0", "2.0"]},
            id="required-environments-two",
        ),
        pytest.param(
            '"st-mac", "st-top"',
            "required-environments = [\"sys_platform == 'win32' and platform_machine == "
            "'ARM64'\", \"sys_platform == 'darwin'\"]",
            {"st-mac": ["1.0", "2.0"]},
            id="required-environment-on-a-covered-platform",
        ),
        pytest.param(
            "\"st-mac; sys_platform != 'darwin'\"",
            "required-environments = [\"sys_platform == 'darwin'\"]",
            {"st-mac": ["2.0"]},
            id="required-environment-where-not-needed",
        ),
        pytest.param(
            '"st-py", "st-top"',
            'fork-strategy = "fewest"',
            {"st-py": ["1.0"]},
            id="fork-strategy-fewest",
        ),
        pytest.param(
            '"st-py", "st-top"',
            'fork-strategy = "requires-python"',
            {"st-py": ["1.0", "2.0"]},
            id="fork-strategy-requires-python",
        ),
        pytest.param(
            "\"st-py>=2; python_version >= '3.11'\", \"st-py<2; python_version < '3.11'\"",
            'fork-strategy = "fewest"',
            {"st-py": ["1.0", "2.0"]},
            id="fork-strategy-fewest-marker-forks",
        ),
        pytest.param(
            '"st-top", "st-base<2"',
            'exclude-dependencies = ["st-base"]',
            {"st-top": ["3.0"], "st-base": []},
            id="exclude-dependencies",
        ),
        pytest.param(
            '"st-top"',
            '[tool.uv.dependency-groups]\ndev = { requires-python = ">=3.12" }\n\n'
            '[dependency-groups]\ndev = ["st-low", "st-py; sys_platform == \'linux\'"]',
            {"st-py": ["2.0"], "st-low": ["2.0"]},
            id="dependency-group-requires-python",
        ),
        pytest.param(
            '"st-multi[all]"',
            "",
            {"st-multi": ["1.0"], "st-top": ["3.0"]},
            id="self-extras-flattened",
        ),
    ],
)
def test_resolution_settings_lock_like_uv(
    scli: Cli, tmp_path: Path, dependencies: str, settings: str, expected: dict[str, list[str]]
) -> None:
    theirs, ours = _lock_both(scli, tmp_path, _pyproject(dependencies, settings))
    for name, versions in expected.items():
        assert _versions(theirs, name) == versions, name
    if settings.startswith("required-environments"):
        assert "required-markers" in theirs
    if settings.startswith("environments"):
        assert "supported-markers" in theirs
        if "st-plat" in dependencies:
            assert "manylinux" in theirs
            assert "win_amd64" not in theirs
            assert "macosx" not in theirs
    assert ours == theirs
    # Nothing changed: the lock is seen to be current, not resolved again (offline, from an
    # empty cache, a resolution would find no package).
    again = scli.invoke(
        tmp_path / "accord" / "proj",
        "lock",
        "--offline",
        env={"ACCORD_CACHE_DIR": str(tmp_path / "empty-cache")},
        pinned=True,
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "accord" / "proj" / "uv.lock").read_text(encoding="utf-8") == theirs


@pytest.mark.backends  # fails, naming the fix, without the wheels
def test_build_constraints_are_recorded_and_pass_uv_check(scli: Cli, tmp_path: Path) -> None:
    text = _pyproject('"st-base"', 'build-constraint-dependencies = ["hatchling>=1"]', build=True)
    theirs, ours = _lock_both(scli, tmp_path, text)
    assert 'build-constraints = [{ name = "hatchling", specifier = ">=1" }]' in theirs
    assert ours == theirs


@pytest.mark.backends  # fails, naming the fix, without the wheels
def test_build_constraints_apply_to_the_build_environment(scli: Cli, tmp_path: Path) -> None:
    """A build constraint no backend version meets makes the project's build fail, naming the
    backend; without it the same project syncs."""
    text = _pyproject('"st-base"', 'build-constraint-dependencies = ["hatchling<1"]', build=True)
    project = write_project(tmp_path, "accord", text)
    (project / "proj").mkdir()
    (project / "proj" / "__init__.py").write_text("", encoding="utf-8")
    result = _accord(scli, project, "sync")
    assert result.returncode != 0
    assert "hatchling" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / ".venv" / "lib").exists() or not list(
        (project / ".venv").glob("lib/python*/site-packages/proj*")
    )
    (project / "pyproject.toml").write_text(
        _pyproject('"st-base"', 'build-constraint-dependencies = ["hatchling>=1"]', build=True),
        encoding="utf-8",
    )
    result = _accord(scli, project, "sync")
    assert result.returncode == 0, result.stderr


def test_a_changed_constraint_makes_the_lock_stale(scli: Cli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path, "accord", _pyproject('"st-top"', 'constraint-dependencies = ["st-base<3"]')
    )
    assert _accord(scli, project, "lock").returncode == 0
    locked = (project / "uv.lock").read_text(encoding="utf-8")
    again = _accord(scli, project, "lock", "--locked")
    assert again.returncode == 0, again.stderr
    (project / "pyproject.toml").write_text(
        _pyproject('"st-top"', 'constraint-dependencies = ["st-base<2"]'), encoding="utf-8"
    )
    stale = _accord(scli, project, "lock", "--locked")
    assert stale.returncode == 1
    assert "`tool.uv.constraint-dependencies` changed" in stale.stderr
    assert (project / "uv.lock").read_text(encoding="utf-8") == locked
    assert _accord(scli, project, "lock").returncode == 0
    assert _versions((project / "uv.lock").read_text(encoding="utf-8"), "st-base") == ["1.0"]
    # uv agrees that the new lock is current.
    check = scli.uv(project, "lock", "--check", settings=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(
    ("old", "new", "cause"),
    [
        ('override-dependencies = ["st-base<3"]', "", "`tool.uv.override-dependencies` changed"),
        ("", 'resolution = "lowest"', "the resolution mode changed"),
        ("", 'fork-strategy = "fewest"', "the fork strategy changed"),
        ("", 'exclude-dependencies = ["st-base"]', "`tool.uv.exclude-dependencies` changed"),
        (
            "",
            "required-environments = [\"sys_platform == 'darwin'\"]",
            "the required environments (`tool.uv.required-environments`) changed",
        ),
        (
            "environments = [\"sys_platform == 'linux'\"]",
            "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]",
            "the supported environments (`tool.uv.environments`) changed",
        ),
        ('resolution = "lowest"', 'resolution = "highest"', "the resolution mode changed"),
    ],
)
def test_changed_settings_are_seen_by_locked(
    scli: Cli, tmp_path: Path, old: str, new: str, cause: str
) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"st-top"', old))
    assert _accord(scli, project, "lock").returncode == 0
    (project / "pyproject.toml").write_text(_pyproject('"st-top"', new), encoding="utf-8")
    stale = _accord(scli, project, "lock", "--locked")
    assert stale.returncode == 1
    assert cause in stale.stderr
    # and uv, reading the same files, agrees the lock is out of date
    assert scli.uv(project, "lock", "--check", settings=True).returncode != 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "environments = [\"sys_platform == 'linux'\", \"python_version >= '3.12'\"]",
            "Supported environments must be disjoint, but the following markers overlap: "
            "`sys_platform == 'linux'` and `python_full_version >= '3.12'`",
        ),
        ("environments = [\"sys_platform = 'linux'\"]", "is not a marker"),
        ('constraint-dependencies = "st-base<3"', "must be a list of requirement strings"),
        ('constraint-dependencies = ["st-base<<3"]', "is not a requirement"),
        (
            'override-dependencies = ["st-base @ https://example.invalid/st_base-1.0.whl"]',
            "names a URL",
        ),
        (
            'override-dependencies = [{ package = "st-top", dependencies = ["st-base<2"] }]',
            "per-package entries",
        ),
    ],
)
def test_invalid_settings_are_refused_before_anything_is_written(
    scli: Cli, tmp_path: Path, settings: str, message: str
) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"st-top"', settings))
    result = _accord(scli, project, "lock")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr
    if "disjoint" in message:  # uv's hint, word for word
        assert (
            "hint: replace `python_full_version >= '3.12'` with "
            "`python_full_version >= '3.12' and sys_platform != 'linux'`" in result.stderr
        )
    assert "Traceback" not in result.stderr
    assert not (project / "uv.lock").exists()


@pytest.mark.parametrize("settings", ['resolution = "newest"', 'fork-strategy = "most"'])
def test_a_setting_uv_cannot_read_is_warned_about_and_its_table_left_out_as_uv(
    scli: Cli, tmp_path: Path, settings: str
) -> None:
    # uv 0.13.8 reads no setting of a `[tool.uv]` it cannot read: it says so in a warning
    # (its settings discovery) and locks as if the table held none, exit 0.
    text = _pyproject('"st-top"', settings)
    theirs = write_project(tmp_path, "uv", text)
    uv = scli.uv(theirs, "lock", settings=True)
    ours = write_project(tmp_path, "accord", text)
    accord = _accord(scli, ours, "lock")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    warning = uv.stderr.split("\n\n", 1)[0]
    assert warning.startswith("warning: Failed to parse `pyproject.toml` during settings")
    assert accord.stderr.split("\n\n", 1)[0] == warning
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


@pytest.mark.parametrize(
    ("args", "environ", "recorded"),
    [
        (("--resolution", "lowest"), {}, 'resolution-mode = "lowest"'),
        ((), {"UV_RESOLUTION": "lowest-direct"}, 'resolution-mode = "lowest-direct"'),
        (("--prerelease", "allow"), {}, 'prerelease-mode = "allow"'),
        ((), {"UV_PRERELEASE": "disallow"}, 'prerelease-mode = "disallow"'),
        (("--exclude-newer", "2030-01-01T00:00:00Z"), {}, 'exclude-newer = "2030-01-01T00:00:00Z"'),
        ((), {"UV_EXCLUDE_NEWER": "2030-01-01"}, 'exclude-newer = "2030-01-02T00:00:00Z"'),
    ],
)
def test_flags_and_variables_set_resolution_settings_like_uv(
    scli: Cli, tmp_path: Path, args: tuple[str, ...], environ: dict[str, str], recorded: str
) -> None:
    """The command-line flag or uv's variable wins over `[tool.uv]`, as in uv."""
    text = _pyproject('"st-top", "st-low"', 'resolution = "highest"\nprerelease = "explicit"')
    theirs = write_project(tmp_path, "uv", text)
    env = dict(environ)
    result = subprocess.run(
        [str(scli.uv_bin), "lock", *args],
        cwd=theirs,
        env={**_uv_env(scli, theirs), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = subprocess.run(
        [str(scli.accord), "lock", *args, "--python", str(scli.python)],
        cwd=ours,
        env=clean_environment({"ACCORD_INDEX_URL": scli.index_url, **env}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text(encoding="utf-8")
    assert recorded in lock
    assert lock == (theirs / "uv.lock").read_text(encoding="utf-8")


def _uv_env(cli: Cli, project: Path) -> dict[str, str]:
    from fixtures.uvlock import uv_environment

    env = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
    del env["UV_NO_CONFIG"]
    env["XDG_CONFIG_HOME"] = str(project.parent / "no-user-config")
    return env


def test_an_environment_outside_requires_python_is_refused(scli: Cli, tmp_path: Path) -> None:
    text = _pyproject('"st-top"', "environments = [\"python_version < '3.9'\"]")
    theirs = write_project(tmp_path, "uv", text)
    assert scli.uv(theirs, "lock", settings=True).returncode == 2
    project = write_project(tmp_path, "accord", text)
    result = _accord(scli, project, "lock")
    assert result.returncode != 0
    assert (
        "Environment markers `python_full_version < '3.9'` don't overlap with Python "
        "requirement `>=3.10`" in result.stderr
    )
    assert not (project / "uv.lock").exists()


def test_an_invalid_flag_value_is_refused(scli: Cli, tmp_path: Path) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"st-top"', ""))
    for args in (("--resolution", "newest"), ("--exclude-newer", "yesterday")):
        result = _accord(scli, project, "lock", *args)
        assert result.returncode == 2, result.stderr
        assert args[0] in result.stderr
        assert not (project / "uv.lock").exists()


def _sync(cli: Cli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _accord(cli, project, "sync", *args)


@pytest.mark.backends  # fails, naming the fix, without the wheels
def test_no_binary_locks_like_uv_and_builds_from_the_sdist(cli: Cli, tmp_path: Path) -> None:
    """The catalogue's pkg 1.1 has a wheel and an sdist: with no-binary the lock still holds
    both (as uv's does), and the sync builds the sdist instead of installing the wheel."""
    text = _pyproject('"pkg"', 'no-binary-package = ["pkg"]')
    theirs, ours = _lock_both(cli, tmp_path, text)
    assert ours == theirs
    assert "pkg-1.1-py3-none-any.whl" in ours
    project = tmp_path / "accord" / "proj"
    result = _sync(cli, project)
    assert result.returncode == 0, result.stderr
    (wheel_file,) = project.glob(".venv/lib/python*/site-packages/pkg-1.1.dist-info/WHEEL")
    assert "Generator: hatchling" in wheel_file.read_text(encoding="utf-8")


def test_no_build_locks_like_uv_and_installs_the_wheel(cli: Cli, tmp_path: Path) -> None:
    text = _pyproject('"pkg"', 'no-build-package = ["pkg"]')
    theirs, ours = _lock_both(cli, tmp_path, text)
    assert ours == theirs
    assert "pkg-1.1.tar.gz" in ours
    result = _sync(cli, tmp_path / "accord" / "proj")
    assert result.returncode == 0, result.stderr


def test_no_build_refuses_an_sdist_only_package_as_uv_does(cli: Cli, tmp_path: Path) -> None:
    text = _pyproject('"sdist-only"', "no-build = true")
    theirs = write_project(tmp_path, "uv", text)
    assert cli.uv(theirs, "lock", settings=True).returncode != 0
    ours = write_project(tmp_path, "accord", text)
    result = _accord(cli, ours, "lock")
    assert result.returncode == 1, result.stderr
    assert "sdist-only==1.0 has no wheels, and building is disabled for sdist-only" in (
        result.stderr
    )
    assert not (ours / "uv.lock").exists()


@pytest.fixture(scope="module")
def second_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """Another index with st-base 9.0 (the settings index stops at 3.0): which one a lock
    takes st-base from shows the order the indexes are searched in."""
    from fixtures.wheels import WheelSpec, build_wheel

    dists = tmp_path_factory.mktemp("second-dists")
    wheels = [build_wheel(WheelSpec("st-base", "9.0"), dists)]
    with IndexServer(build_index(wheels, tmp_path_factory.mktemp("second-index"))) as server:
        yield server


def _lock_from_settings(cli: Cli, tmp_path: Path, settings: str) -> tuple[str, str]:
    """Both tools lock with the indexes set in [tool.uv] only (no index on the command line
    or in the environment)."""
    text = _pyproject('"st-top"', settings)
    theirs = write_project(tmp_path, "uv", text)
    env = _uv_env(cli, theirs)
    del env["UV_DEFAULT_INDEX"]
    result = subprocess.run(
        [str(cli.uv_bin), "lock"],
        cwd=theirs,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = subprocess.run(
        [str(cli.accord), "lock", "--python", str(cli.python)],
        cwd=ours,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return (theirs / "uv.lock").read_text(encoding="utf-8"), (ours / "uv.lock").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("shape", "version"),
    [
        ('index-url = "{main}"', "3.0"),
        ('index-url = "{main}"\nextra-index-url = ["{second}"]', "9.0"),
        ('extra-index-url = ["{main}"]\n\n[[tool.uv.index]]\nurl = "{second}"', "9.0"),
        ('index-url = "{second}"\n\n[[tool.uv.index]]\nurl = "{main}"', "3.0"),
    ],
)
def test_index_settings_lock_like_uv(
    scli: Cli, second_index: IndexServer, tmp_path: Path, shape: str, version: str
) -> None:
    settings = shape.format(main=scli.index_url, second=second_index.url)
    theirs, ours = _lock_from_settings(scli, tmp_path, settings)
    assert _versions(theirs, "st-base") == [version]
    assert ours == theirs


def test_no_index_finds_nothing_and_says_why(scli: Cli, tmp_path: Path) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"st-top"', "no-index = true"))
    result = subprocess.run(
        [str(scli.accord), "lock", "--python", str(scli.python)],
        cwd=project,
        env=clean_environment({"ACCORD_INDEX_URL": scli.index_url}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "st-top was not found in the provided package locations" in result.stderr
    assert "index lookups were disabled (`--no-index` or `tool.uv.no-index`)" in result.stderr
    assert not (project / "uv.lock").exists()


@pytest.mark.parametrize(
    ("args", "environ", "expected"),
    [
        (("--fork-strategy", "fewest"), {}, 'fork-strategy = "fewest"'),
        ((), {"UV_FORK_STRATEGY": "fewest"}, 'fork-strategy = "fewest"'),
    ],
)
def test_fork_strategy_flag_and_variable_lock_like_uv(
    scli: Cli, tmp_path: Path, args: tuple[str, ...], environ: dict[str, str], expected: str
) -> None:
    text = _pyproject('"st-py", "st-top"', "")
    theirs = write_project(tmp_path, "uv", text)
    result = subprocess.run(
        [str(scli.uv_bin), "lock", *args],
        cwd=theirs,
        env={**_uv_env(scli, theirs), **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ours = write_project(tmp_path, "accord", text)
    result = subprocess.run(
        [str(scli.accord), "lock", *args, "--python", str(scli.python)],
        cwd=ours,
        env=clean_environment({"ACCORD_INDEX_URL": scli.index_url, **environ}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lock = (ours / "uv.lock").read_text(encoding="utf-8")
    assert expected in lock
    assert _versions(lock, "st-py") == ["1.0"]
    assert lock == (theirs / "uv.lock").read_text(encoding="utf-8")


@pytest.mark.backends  # fails, naming the fix, without the wheels
def test_no_binary_flag_builds_from_the_sdist(cli: Cli, tmp_path: Path) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"pkg"', ""))
    result = _accord(cli, project, "sync", "--no-binary-package", "pkg")
    assert result.returncode == 0, result.stderr
    (wheel_file,) = project.glob(".venv/lib/python*/site-packages/pkg-1.1.dist-info/WHEEL")
    assert "Generator: hatchling" in wheel_file.read_text(encoding="utf-8")


def test_no_build_variable_refuses_an_sdist_only_package(cli: Cli, tmp_path: Path) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"sdist-only"', ""))
    result = subprocess.run(
        [str(cli.accord), "lock", "--python", str(cli.python)],
        cwd=project,
        env=clean_environment({"ACCORD_INDEX_URL": cli.index_url, "UV_NO_BUILD": "1"}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "building is disabled for sdist-only" in result.stderr


def test_no_index_flag_uses_no_index(scli: Cli, tmp_path: Path) -> None:
    project = write_project(tmp_path, "accord", _pyproject('"st-top"', ""))
    result = _accord(scli, project, "lock", "--no-index")
    assert result.returncode == 1
    assert "st-top was not found in the provided package locations" in result.stderr


def test_a_group_requires_python_decides_the_interpreter(scli: Cli, tmp_path: Path) -> None:
    """The default `dev` group needs Python >=3.12: with Python 3.11 asked for, uv and accord
    refuse; without the group, 3.11 is fine."""
    text = _pyproject(
        '"st-top"',
        '[tool.uv.dependency-groups]\ndev = { requires-python = ">=3.12" }\n\n'
        '[dependency-groups]\ndev = ["st-low"]',
    )
    project = write_project(tmp_path, "accord", text)
    result = _accord(scli, project, "sync")  # _accord pins --python to the 3.11 base
    assert result.returncode != 0
    assert "incompatible with the project's Python requirement" in result.stderr
    assert ">=3.12" in result.stderr
    assert not (project / ".venv").exists()
    theirs = write_project(tmp_path, "uv", text)
    assert scli.uv(theirs, "sync", "--python", str(scli.python), settings=True).returncode != 0
    result = _accord(scli, project, "sync", "--no-dev")
    assert result.returncode == 0, result.stderr


def test_requirements_for_unsupported_pythons_are_never_fetched(
    scli: Cli, settings_index: IndexServer, tmp_path: Path
) -> None:
    """st-old requires `st-ancient; python_version < '3.8'` (the index has no st-ancient):
    with requires-python >= 3.10 neither the resolver nor its look-ahead asks for it, so a
    warm lock makes no request at all (uv does not ask either)."""
    project = write_project(tmp_path, "accord", _pyproject('"st-old"', ""))
    assert _accord(scli, project, "lock").returncode == 0
    assert settings_index.requests["/simple/st-ancient/"] == 0
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert "st-ancient" not in lock.split("[package.metadata]")[0]


def test_default_groups_are_recorded_and_a_change_relocks(scli: Cli, tmp_path: Path) -> None:
    text = _pyproject(
        '"st-top"', 'default-groups = ["lint"]\n\n[dependency-groups]\nlint = ["st-low"]\ndev = []'
    )
    theirs, ours = _lock_both(scli, tmp_path, text)
    assert 'default-groups = ["lint"]' in theirs
    assert ours == theirs
    project = tmp_path / "accord" / "proj"
    (project / "pyproject.toml").write_text(text.replace('["lint"]', '["dev"]'), encoding="utf-8")
    stale = _accord(scli, project, "lock", "--locked")
    assert stale.returncode == 1
    assert "the default groups (`tool.uv.default-groups`) changed" in stale.stderr
