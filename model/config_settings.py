"""PEP 517 ``config_settings`` as uv 0.13.8 gathers them (pure).

uv passes one mapping of settings to every hook of every build (``get_requires_for_build_*``,
``prepare_metadata_for_build_*``, ``build_wheel``, ``build_editable``): from ``-C KEY=VALUE``
(repeatable), ``--config-settings-package PACKAGE:KEY=VALUE`` and the ``config-settings`` and
``config-settings-package`` settings of its configuration files. A key given more than once
becomes a list, in the order the values came (the command line first, then the files in
precedence order); a package's own settings come before everyone's (uv's
``ConfigSettings::merge`` and ``config_settings_for``, read in uv's source and checked side by
side). uv records the settings a dist was built with in its ``uv_build.json``
(``BuildInfo``), and an install built with other settings is out of date; nothing goes into
``uv.lock``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import attrs
from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from accord.model.extra_build import ExtraBuild, ExtraBuildSettings

__all__ = [
    "BuildSettings",
    "ConfigSettings",
    "parse_entry",
    "parse_package_entry",
    "read_config_settings",
    "read_package_config_settings",
]

Value = str | tuple[str, ...]


def _merge_value(first: Value, second: Value) -> Value:
    left = (first,) if isinstance(first, str) else first
    right = (second,) if isinstance(second, str) else second
    return (*left, *right)


@attrs.frozen
class ConfigSettings:
    """One mapping of settings for a backend: each key with a string or a list of strings."""

    items: tuple[tuple[str, Value], ...] = ()
    """Sorted by key (uv keeps them in a ``BTreeMap``)."""
    extra: ExtraBuild = attrs.field(factory=ExtraBuild)
    """The build's extra requirements and variables (``model.extra_build``): not settings the
    hooks get, but recorded beside them in ``uv_build.json``."""

    @classmethod
    def of(cls, mapping: Mapping[str, Value]) -> ConfigSettings:
        return cls(tuple(sorted(mapping.items())))

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str]]) -> ConfigSettings:
        """``KEY=VALUE`` entries as uv collects them: a repeated key becomes a list."""
        mapping: dict[str, Value] = {}
        for key, value in entries:
            mapping[key] = _merge_value(mapping[key], value) if key in mapping else value
        return cls.of(mapping)

    @property
    def is_empty(self) -> bool:
        return not self.items and self.extra.is_empty

    def merge(self, other: ConfigSettings) -> ConfigSettings:
        """uv's ``merge``: a key in both gets this side's values, then ``other``'s."""
        mapping = dict(self.items)
        for key, value in other.items:
            mapping[key] = _merge_value(mapping[key], value) if key in mapping else value
        return attrs.evolve(ConfigSettings.of(mapping), extra=self.extra.merge(other.extra))

    def for_hooks(self) -> dict[str, str | list[str]]:
        """The mapping a PEP 517 hook gets as ``config_settings``."""
        return {key: value if isinstance(value, str) else list(value) for key, value in self.items}

    def cache_shard(self) -> str | None:
        """A short digest naming builds made with these settings apart from others (None
        without any: such builds keep the cache entries they always had)."""
        if self.is_empty:
            return None
        import hashlib

        return hashlib.sha256(self.uv_build_json()).hexdigest()[:16]

    def uv_build_json(self) -> bytes:
        """uv's ``uv_build.json`` for a dist built with these settings, as serde_json writes
        it: ``{}`` without any, else ``{"config_settings":{...}}`` (compact, keys sorted), then
        ``extra_build_requires`` and ``extra_build_variables`` when there are any."""
        members = []
        if self.items:
            settings = json.dumps(self.for_hooks(), separators=(",", ":"), ensure_ascii=False)
            members.append(f'"config_settings":{settings}')
        if not self.extra.is_empty:
            members.append(self.extra.build_info_json())
        return ("{" + ",".join(members) + "}").encode()


@attrs.frozen
class BuildSettings:
    """Everyone's settings and each package's own, gathered from every source."""

    common: ConfigSettings = ConfigSettings()
    packages: tuple[tuple[NormalizedName, ConfigSettings], ...] = ()
    """Sorted by name."""
    extra: ExtraBuildSettings = attrs.field(factory=ExtraBuildSettings)
    """Each package's ``extra-build-dependencies`` and ``extra-build-variables``."""

    @property
    def is_empty(self) -> bool:
        return self.common.is_empty and not self.packages and not self.extra.packages

    def merge(self, other: BuildSettings) -> BuildSettings:
        """This side's values first, key by key, for everyone and for each package."""
        packages = dict(self.packages)
        for name, settings in other.packages:
            packages[name] = packages[name].merge(settings) if name in packages else settings
        return BuildSettings(
            self.common.merge(other.common),
            tuple(sorted(packages.items())),
            self.extra.merge(other.extra),
        )

    def for_package(self, name: str | None) -> ConfigSettings:
        """What the build of ``name`` gets (None: a build of no known name): its own settings
        first, then everyone's; with its extra build requirements and variables."""
        settings = self.common
        if name is not None:
            wanted = canonicalize_name(name)
            for package, own in self.packages:
                if package == wanted:
                    settings = own.merge(self.common)
        return attrs.evolve(settings, extra=self.extra.for_package(name))


def parse_entry(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (both stripped); ``ValueError`` in uv's words."""
    key, found, value = text.partition("=")
    if not found:
        raise ValueError(f"Invalid config setting: {text} (expected `KEY=VALUE`)")
    return key.strip(), value.strip()


def parse_package_entry(text: str) -> tuple[NormalizedName, str, str]:
    """``PACKAGE:KEY=VALUE``; ``ValueError`` in uv's words."""
    package, found, rest = text.partition(":")
    if not found:
        raise ValueError(f"Invalid config setting: {text} (expected `PACKAGE:KEY=VALUE`)")
    try:
        name = canonicalize_name(package.strip(), validate=True)
    except InvalidName:
        raise ValueError(
            f'Invalid package name: Not a valid package or extra name: "{package.strip()}". '
            "Names must start and end with a letter or digit and may only contain -, _, ., "
            "and alphanumeric characters."
        ) from None
    key, value = parse_entry(rest)
    return name, key, value


def read_config_settings(key: str, value: object) -> ConfigSettings:
    """A ``config-settings`` table: each value a string or a list of strings (``ValueError``
    naming ``key`` otherwise)."""
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` must be a table of strings or lists of strings")
    mapping: dict[str, Value] = {}
    for name, item in value.items():
        if isinstance(item, str):
            mapping[name] = item
        elif isinstance(item, list) and all(isinstance(v, str) for v in item):
            mapping[name] = tuple(item)
        else:
            raise ValueError(f"`{key}.{name}` must be a string or a list of strings")
    return ConfigSettings.of(mapping)


def read_package_config_settings(key: str, value: object) -> BuildSettings:
    """A ``config-settings-package`` table: package names to ``config-settings`` tables."""
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` must be a table of package names to tables")
    packages: dict[NormalizedName, ConfigSettings] = {}
    for package, table in value.items():
        try:
            name = canonicalize_name(package, validate=True)
        except InvalidName:
            raise ValueError(f"`{key}`: `{package}` is not a valid package name") from None
        packages[name] = read_config_settings(f"{key}.{package}", table)
    return BuildSettings(packages=tuple(sorted(packages.items())))
