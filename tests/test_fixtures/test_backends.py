"""The build-backend wheel list (fixtures/backends.py), without downloading anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.backends import ENV_VAR, PINNED, add_backends, download_command, is_complete

WHEELS = [
    "editables-0.6-py3-none-any.whl",
    "flit_core-4.2.0-py3-none-any.whl",
    "hatchling-1.33.0-py3-none-any.whl",
    "packaging-26.3-py3-none-any.whl",
    "pathspec-1.1.1-py3-none-any.whl",
    "pdm_backend-2.5.0-py3-none-any.whl",
    "pluggy-1.7.0-py3-none-any.whl",
    "setuptools-84.2.1-py3-none-any.whl",
    "tomli-2.5.0-py3-none-any.whl",
    "tomlkit-0.15.2-py3-none-any.whl",
    "trove_classifiers-2026.9.21.13-py3-none-any.whl",
]


def _fill(directory: Path, names: list[str]) -> Path:
    directory.mkdir()
    for name in names:
        (directory / name).write_bytes(b"")
    return directory


def test_download_command_fetches_pure_wheels_of_the_pinned_list() -> None:
    command = download_command(Path("/d"), python="python3")
    assert command[:4] == ["python3", "-m", "pip", "download"]
    assert "--only-binary=:all:" in command
    assert "--no-deps" in command
    assert command[command.index("--platform") + 1] == "any"
    assert command[-len(PINNED) :] == list(PINNED)


def test_is_complete_needs_every_pinned_wheel(tmp_path: Path) -> None:
    assert is_complete(_fill(tmp_path / "all", WHEELS))
    assert not is_complete(_fill(tmp_path / "some", WHEELS[1:]))
    assert not is_complete(tmp_path / "missing")


def test_add_backends_copies_only_a_complete_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(_fill(tmp_path / "some", WHEELS[1:])))
    assert add_backends(tmp_path / "none") == []
    monkeypatch.setenv(
        ENV_VAR, str(_fill(tmp_path / "all", [*WHEELS, "other-1.0-py3-none-any.whl"]))
    )
    copied = add_backends(tmp_path / "dest")
    assert sorted(path.name for path in copied) == WHEELS
    assert sorted(path.name for path in (tmp_path / "dest").iterdir()) == WHEELS
