"""`[tool.uv] exclude-newer` and `exclude-newer-package`: accord's lock against real uv's.

The fork catalogue's `fk-unrelated` 2.0 is served with a 2025-06-01 upload time (every other
file: 2024-01-01), so a limit between the two decides the version; each lock must equal uv
0.13.8's byte for byte and pass `uv lock --check`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.model.exclude_newer import ExcludeNewer, ExcludeNewerInvalid, parse_exclude_newer
from fixtures.fork_catalog import build_fork_catalog
from fixtures.index import IndexServer, build_index
from tests.cli.support import Cli

NEWER = "fk_unrelated-2.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = build_fork_catalog(tmp_path_factory.mktemp("dated-dists"))
    simple = build_index(
        sorted(dists),
        tmp_path_factory.mktemp("dated-index"),
        upload_times={NEWER: "2025-06-01T12:00:00.000000Z"},
    )
    with IndexServer(simple) as server:
        yield server


@pytest.fixture
def dcli(cli: Cli, dated_index: IndexServer) -> Cli:
    return dataclasses.replace(cli, index_url=dated_index.url)


def _lock_both(cli: Cli, tmp_path: Path, settings: str) -> tuple[str, str]:
    pyproject = (
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["fk-unrelated", "fk-common"]\n\n[tool.uv]\n' + settings + "\n"
    )
    locks = []
    for who in ("uv", "accord"):
        project = tmp_path / who / "proj"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        if who == "uv":
            result = cli.uv(project, "lock", settings=True)
        else:
            result = cli.invoke(project, "lock", "--python", str(cli.python))
        assert result.returncode == 0, result.stderr
        assert "tool.uv.exclude-newer" not in result.stderr  # honoured, not warned about
        locks.append((project / "uv.lock").read_text(encoding="utf-8"))
    check = cli.uv(tmp_path / "accord" / "proj", "lock", "--check", settings=True)
    assert check.returncode == 0, check.stderr
    return locks[0], locks[1]


@pytest.mark.parametrize(
    ("settings", "version"),
    [
        pytest.param('exclude-newer = "2025-01-01T00:00:00Z"', "1.0", id="timestamp"),
        pytest.param('exclude-newer = "2025-05-31"', "1.0", id="date-before"),
        pytest.param('exclude-newer = "2025-06-01T12:00:00Z"', "1.0", id="at-the-cutoff"),
        pytest.param('exclude-newer = "2025-06-01"', "2.0", id="date-includes-the-day"),
        pytest.param('exclude-newer = "7 days"', "2.0", id="span"),
        pytest.param(
            'exclude-newer = "2025-01-01T00:00:00Z"\n'
            "exclude-newer-package = { fk-unrelated = false }",
            "2.0",
            id="package-unlimited",
        ),
        pytest.param(
            'exclude-newer-package = { fk-unrelated = "2025-01-01" }', "1.0", id="package-date"
        ),
    ],
)
def test_exclude_newer_locks_like_uv(
    dcli: Cli, tmp_path: Path, settings: str, version: str
) -> None:
    theirs, ours = _lock_both(dcli, tmp_path, settings)
    assert f'name = "fk-unrelated"\nversion = "{version}"' in theirs
    assert ours == theirs


@pytest.mark.parametrize(
    ("text", "recorded"),
    [  # what uv 0.13.8 writes in [options] for each form (checked side by side)
        ("2026-05-26", ("2026-05-27T00:00:00Z", None)),
        ("2026-05-26T10:11:12Z", ("2026-05-26T10:11:12Z", None)),
        ("2026-05-26T10:11:12.5+02:00", ("2026-05-26T08:11:12.5Z", None)),
        ("7 days", (None, "P7D")),
        ("1 day", (None, "P1D")),
        ("2 weeks", (None, "P2W")),
        ("24 hours", (None, "PT24H")),
        ("P7D", (None, "P7D")),
        ("P1W", (None, "P1W")),
    ],
)
def test_exclude_newer_forms_are_recorded_as_uv_records_them(
    text: str, recorded: tuple[str | None, str | None]
) -> None:
    assert parse_exclude_newer(text) == recorded


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "3 fortnights", "P"])
def test_exclude_newer_rejects_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ExcludeNewerInvalid):
        ExcludeNewer.from_settings(text, None)


def test_exclude_newer_refuses_a_relative_limit_per_package() -> None:
    with pytest.raises(ExcludeNewerInvalid, match="per package"):
        ExcludeNewer.from_settings(None, {"pkg": "7 days"})
