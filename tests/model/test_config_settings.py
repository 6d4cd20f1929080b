"""PEP 517 config settings gathered as uv 0.13.8 gathers them (``model.config_settings``)."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from accord.model.config_settings import (
    BuildSettings,
    ConfigSettings,
    parse_entry,
    parse_package_entry,
    read_config_settings,
    read_package_config_settings,
)


def test_config_settings_repeated_key_becomes_a_list_in_order() -> None:
    settings = ConfigSettings.from_entries([("b", "1"), ("a", "2"), ("b", "3"), ("b", "4")])
    assert settings.for_hooks() == {"a": "2", "b": ["1", "3", "4"]}


def test_config_settings_merge_puts_this_side_first() -> None:
    first = ConfigSettings.of({"a": "cli", "only": "x"})
    second = ConfigSettings.of({"a": ("toml", "more"), "other": "y"})
    assert first.merge(second).for_hooks() == {
        "a": ["cli", "toml", "more"],
        "only": "x",
        "other": "y",
    }


def test_build_settings_a_package_gets_its_own_first_then_everyones() -> None:
    settings = BuildSettings(
        common=ConfigSettings.of({"a": "all"}),
        packages=((canonicalize_name("pkg"), ConfigSettings.of({"a": "own", "b": "x"})),),
    )
    assert settings.for_package("Pkg").for_hooks() == {"a": ["own", "all"], "b": "x"}
    assert settings.for_package("other").for_hooks() == {"a": "all"}
    assert settings.for_package(None).for_hooks() == {"a": "all"}


def test_config_settings_uv_build_json_is_serde_jsons_compact_form() -> None:
    assert ConfigSettings().uv_build_json() == b"{}"
    settings = ConfigSettings.of({"b": ("1", "2"), "a": "é"})
    assert settings.uv_build_json() == '{"config_settings":{"a":"é","b":["1","2"]}}'.encode()
    assert ConfigSettings().cache_shard() is None
    assert settings.cache_shard() != ConfigSettings.of({"a": "é"}).cache_shard()


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        pytest.param("k=v", ("k", "v"), id="plain"),
        pytest.param(" k = v=w ", ("k", "v=w"), id="trimmed-first-equals"),
        pytest.param("=v", ("", "v"), id="empty-key"),
    ],
)
def test_config_settings_parse_entry(text: str, parsed: tuple[str, str]) -> None:
    assert parse_entry(text) == parsed


def test_config_settings_parse_errors_in_uvs_words() -> None:
    with pytest.raises(ValueError, match=r"^Invalid config setting: k \(expected `KEY=VALUE`\)$"):
        parse_entry("k")
    with pytest.raises(ValueError, match=r"expected `PACKAGE:KEY=VALUE`"):
        parse_package_entry("k=v")
    assert parse_package_entry("My_Pkg:k=v") == ("my-pkg", "k", "v")


def test_config_settings_tables_must_hold_strings_or_lists_of_strings() -> None:
    assert read_config_settings("config-settings", {"a": ["x"]}).for_hooks() == {"a": ["x"]}
    with pytest.raises(ValueError, match=r"^`config-settings.a` must be a string or a list"):
        read_config_settings("config-settings", {"a": 1})
    with pytest.raises(ValueError, match=r"`bad name` is not a valid package name"):
        read_package_config_settings("config-settings-package", {"bad name": {}})
