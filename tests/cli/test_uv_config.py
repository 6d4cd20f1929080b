"""uv's configuration files (uv.toml: the project's, the user's, the system's, --config-file,
--no-config), read by accord as uv 0.13.8 reads them: both tools lock the same project under
the same files, side by side, against the settings catalogue (fixtures/settings_catalog.py) and
a second index that has `st-base 9.0`.

Neither tool is given an index on the command line or in the environment: the index comes from
the configuration files, so the registry in the lock shows which file won.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.settings_catalog import build_settings_catalog
from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment


@pytest.fixture(scope="module")
def settings_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = tmp_path_factory.mktemp("config-dists")
    simple = build_index(sorted(build_settings_catalog(dists)), tmp_path_factory.mktemp("idx"))
    with IndexServer(simple) as server:
        yield server


@pytest.fixture(scope="module")
def second_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    from fixtures.wheels import WheelSpec, build_wheel

    dists = tmp_path_factory.mktemp("second-dists")
    wheels = [build_wheel(WheelSpec("st-base", "9.0"), dists)]
    with IndexServer(build_index(wheels, tmp_path_factory.mktemp("second-index"))) as server:
        yield server


@pytest.fixture
def scli(cli: Cli, settings_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=settings_index.url)


PYPROJECT = (
    '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
    'dependencies = ["st-top"]\n'
)


@dataclasses.dataclass
class Setup:
    """One machine: a home with (maybe) a user uv.toml, system config dirs, and a project
    directory per tool."""

    root: Path

    @property
    def config_home(self) -> Path:
        return self.root / "config-home"

    @property
    def config_dirs(self) -> Path:
        return self.root / "config-dirs"

    def user(self, text: str) -> None:
        path = self.config_home / "uv" / "uv.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def system(self, text: str) -> None:
        path = self.config_dirs / "uv" / "uv.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def projects(self, files: dict[str, str]) -> tuple[Path, Path]:
        made = []
        for who in ("uv", "accord"):
            project = self.root / who / "proj"
            for name, text in files.items():
                (project / name).parent.mkdir(parents=True, exist_ok=True)
                (project / name).write_text(text, encoding="utf-8")
            made.append(project)
        return made[0], made[1]

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_CONFIG_DIRS": str(self.config_dirs),
            **extra,
        }


def _uv(
    cli: Cli, project: Path, setup: Setup, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
    for name in ("UV_NO_CONFIG", "UV_DEFAULT_INDEX"):
        del environment[name]
    environment.update(setup.env(**env))
    return subprocess.run(
        [str(cli.uv_bin), *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _accord(
    cli: Cli, project: Path, setup: Setup, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli.accord), *args, "--python", str(cli.python)],
        cwd=project,
        env=clean_environment(setup.env(**env)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _lock_both(
    cli: Cli, setup: Setup, files: dict[str, str], *args: str, **env: str
) -> tuple[str, str, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    theirs, ours = setup.projects(files)
    uv = _uv(cli, theirs, setup, "lock", *args, **env)
    assert uv.returncode == 0, uv.stderr
    accord = _accord(cli, ours, setup, "lock", *args, **env)
    assert accord.returncode == 0, accord.stderr
    return (
        (theirs / "uv.lock").read_text(encoding="utf-8"),
        (ours / "uv.lock").read_text(encoding="utf-8"),
        uv,
        accord,
    )


def _registry(lock: str) -> str:
    return lock.split('source = { registry = "', 2)[2].split('"', 1)[0]


def _versions(lock: str, name: str) -> list[str]:
    marker = f'name = "{name}"\nversion = "'
    return sorted(part.split('"', 1)[0] for part in lock.split(marker)[1:])


def test_user_config_decides_the_index(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\n')
    theirs, ours, _, _ = _lock_both(scli, setup, {"pyproject.toml": PYPROJECT})
    assert _registry(theirs) == scli.index_url
    assert ours == theirs


def test_system_config_under_xdg_config_dirs_is_read(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.system(f'index-url = "{scli.index_url}"\nresolution = "lowest"\n')
    theirs, ours, _, _ = _lock_both(scli, setup, {"pyproject.toml": PYPROJECT})
    assert _versions(theirs, "st-top") == ["1.0"]
    assert ours == theirs


def test_user_config_beats_system_config(
    scli: Cli, second_index: IndexServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\n')
    setup.system(f'index-url = "{second_index.url}"\nresolution = "lowest"\n')
    theirs, ours, _, _ = _lock_both(scli, setup, {"pyproject.toml": PYPROJECT})
    assert _registry(theirs) == scli.index_url
    assert _versions(theirs, "st-top") == ["1.0"]  # a key the user file leaves is the system's
    assert ours == theirs


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_no_config_ignores_the_files_and_the_project_settings(
    scli: Cli, second_index: IndexServer, tmp_path: Path, how: str
) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{second_index.url}"\n')
    pyproject = PYPROJECT + '\n[tool.uv]\nresolution = "lowest"\n'
    args, env = (("--no-config",), {}) if how == "flag" else ((), {"UV_NO_CONFIG": "1"})
    theirs, ours, _, _ = _lock_both(
        scli,
        setup,
        {"pyproject.toml": pyproject},
        "--default-index",
        scli.index_url,
        *args,
        **env,
    )
    assert _registry(theirs) == scli.index_url
    assert _versions(theirs, "st-top") == ["3.0"]
    assert ours == theirs


def test_project_uv_toml_beats_tool_uv_with_uvs_warning(
    scli: Cli, second_index: IndexServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path)
    pyproject = PYPROJECT + (
        f'\n[tool.uv]\nindex-url = "{second_index.url}"\nresolution = "lowest"\n'
        'constraint-dependencies = ["st-base<3"]\n'
    )
    files = {"pyproject.toml": pyproject, "uv.toml": f'index-url = "{scli.index_url}"\n'}
    theirs, ours, uv, accord = _lock_both(scli, setup, files)
    assert _registry(theirs) == scli.index_url
    # resolution is masked; the constraint still applies (uv reads it from pyproject.toml)
    assert _versions(theirs, "st-top") == ["2.0"]
    assert ours == theirs
    warning = (
        "warning: Found both a `uv.toml` file and a `[tool.uv]` section in an adjacent "
        "`pyproject.toml`. The following fields from `[tool.uv]` will be ignored in favor of "
        "the `uv.toml` file:\n- index-url\n- resolution\n- constraint-dependencies\n"
    )
    assert warning in uv.stderr
    assert warning in accord.stderr


def test_project_config_is_found_above_the_project(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    theirs, ours = setup.projects({"pyproject.toml": PYPROJECT})
    for project in (theirs, ours):
        (project.parent / "uv.toml").write_text(f'index-url = "{scli.index_url}"\n')
    assert _uv(scli, theirs, setup, "lock").returncode == 0
    result = _accord(scli, ours, setup, "lock")
    assert result.returncode == 0, result.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


def test_lists_are_joined_project_first(
    scli: Cli, second_index: IndexServer, tmp_path: Path
) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\nextra-index-url = ["{scli.index_url}"]\n')
    pyproject = PYPROJECT + f'\n[tool.uv]\nextra-index-url = ["{second_index.url}"]\n'
    theirs, ours, _, _ = _lock_both(scli, setup, {"pyproject.toml": pyproject})
    assert _versions(theirs, "st-base") == ["9.0"]  # the project's extra index is searched first
    assert ours == theirs


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_config_file_replaces_every_other_file(
    scli: Cli, second_index: IndexServer, tmp_path: Path, how: str
) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{second_index.url}"\n')
    config = tmp_path / "chosen.toml"
    config.write_text(f'index-url = "{scli.index_url}"\n', encoding="utf-8")
    pyproject = PYPROJECT + '\n[tool.uv]\nresolution = "lowest"\n'
    args, env = (
        (("--config-file", str(config)), {})
        if how == "flag"
        else ((), {"UV_CONFIG_FILE": str(config)})
    )
    theirs, ours, _, _ = _lock_both(scli, setup, {"pyproject.toml": pyproject}, *args, **env)
    assert _registry(theirs) == scli.index_url
    assert _versions(theirs, "st-top") == ["3.0"]
    assert ours == theirs


def test_a_malformed_uv_toml_names_file_line_and_column(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    files = {"pyproject.toml": PYPROJECT, "uv.toml": 'resolution = "lowest"\nindex-url = "http\n'}
    theirs, ours = setup.projects(files)
    uv = _uv(scli, theirs, setup, "lock")
    assert uv.returncode == 2
    assert "error: Failed to parse: uv.toml\n  cause: TOML parse error at line 2, column 18" in (
        uv.stderr
    )
    result = _accord(scli, ours, setup, "lock")
    assert (result.returncode, result.stderr) == (2, uv.stderr)
    assert not (ours / "uv.lock").exists()


def test_a_bad_value_in_a_user_uv_toml_names_the_file(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.user('resolution = "newest"\n')
    theirs, ours = setup.projects({"pyproject.toml": PYPROJECT})
    uv = _uv(scli, theirs, setup, "lock")
    result = _accord(scli, ours, setup, "lock")
    path = setup.config_home / "uv" / "uv.toml"
    assert result.stderr == (
        f"error: Failed to parse: {path}\n"
        "  cause: TOML parse error at line 1, column 14\n"
        "           |\n"
        '         1 | resolution = "newest"\n'
        "           |              ^^^^^^^^\n"
        "         unknown variant `newest`, expected one of `highest`, `lowest`, `lowest-direct`\n"
    )
    assert (result.returncode, result.stderr) == (uv.returncode, uv.stderr)


@pytest.mark.parametrize("key", ["sources = {}", "managed = true", "environments = []"])
def test_a_project_only_key_in_uv_toml_is_refused_as_uv_does(
    scli: Cli, tmp_path: Path, key: str
) -> None:
    setup = Setup(tmp_path)
    theirs, ours = setup.projects({"pyproject.toml": PYPROJECT, "uv.toml": key + "\n"})
    uv = _uv(scli, theirs, setup, "lock")
    result = _accord(scli, ours, setup, "lock")
    assert (uv.returncode, result.returncode) == (2, 2)
    assert result.stderr == uv.stderr


def test_a_refused_key_in_uv_toml_is_named_with_its_file(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\nminimum-libc-version = "2.28"\n')
    _, ours = setup.projects({"pyproject.toml": PYPROJECT})
    result = _accord(scli, ours, setup, "lock")
    assert result.returncode == 2
    path = setup.config_home / "uv" / "uv.toml"
    assert result.stderr.startswith(
        f"error: `{path}` sets `minimum-libc-version`, which accord does not support yet"
    )


def test_an_unknown_key_in_uv_toml_is_refused_as_uv_refuses_it(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\nindex-ulr = "x"\n')
    theirs, ours = setup.projects({"pyproject.toml": PYPROJECT})
    uv = _uv(scli, theirs, setup, "lock")
    result = _accord(scli, ours, setup, "lock")
    assert "unknown field `index-ulr`, expected one of `required-version`" in result.stderr
    assert (result.returncode, result.stderr) == (uv.returncode, uv.stderr) == (2, uv.stderr)


def test_a_changed_user_config_takes_the_slow_path(scli: Cli, tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.user(f'index-url = "{scli.index_url}"\n')
    _, ours = setup.projects({"pyproject.toml": PYPROJECT})
    run = ("run", "--python", str(scli.python), "python", "-c", "pass")
    first = subprocess.run(
        [str(scli.accord), *run],
        cwd=ours,
        env=clean_environment(setup.env()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    setup.user(f'index-url = "{scli.index_url}"\nresolution = "lowest"\n')
    second = subprocess.run(
        [str(scli.accord), *run],
        cwd=ours,
        env=clean_environment(setup.env()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    assert 'resolution-mode = "lowest"' in (ours / "uv.lock").read_text(encoding="utf-8")
