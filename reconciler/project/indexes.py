"""Discover stage: the package indexes a project's settings name, in uv's search order.

Reads no file: it takes the index options and the ``[tool.uv]`` table already read (a
pyproject.toml's, a script's, or the merged uv settings'), and the environment's
``ACCORD_INDEX_URL``. Logins in the URLs are handed to ``reconciler.credentials`` here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from accord.model.request import IndexOptions
from accord.reconciler.errors import ProjectInvalid

if TYPE_CHECKING:
    from accord.model.find_links import FlatSource
    from accord.model.uv_config import ConfigLayer

__all__ = [
    "DEFAULT_INDEX",
    "INDEX_STRATEGIES",
    "configured_find_links",
    "configured_indexes",
    "configured_strategy",
]

DEFAULT_INDEX = "https://pypi.org/simple"

INDEX_STRATEGIES = ("first-index", "unsafe-first-match", "unsafe-best-match")
"""uv's ``index-strategy`` values; the first is the default."""


def configured_indexes(index: IndexOptions, pyproject: Mapping[str, Any]) -> tuple[list[str], bool]:
    """The indexes in search order, and whether any was configured explicitly.

    Extra indexes (``--extra-index-url``, non-default ``[[tool.uv.index]]``) come before the
    default one, as in uv; the default is ``--default-index``/``--index-url``, else
    ``ACCORD_INDEX_URL``, else a ``[[tool.uv.index]]`` with ``default = true``, else
    ``tool.uv.index-url``, else PyPI. ``tool.uv.extra-index-url`` entries come after the
    ``[[tool.uv.index]]`` ones; ``tool.uv.no-index`` leaves no index at all.
    """
    from accord.reconciler.credentials import remember_index
    from accord.reconciler.project.discover import toml_table

    uv = toml_table(pyproject, "tool", "uv")
    declared = [e for e in uv.get("index", []) if isinstance(e, dict) and "url" in e]
    # Logins are taken out of the URLs here (and sent as HTTP Basic auth): the lock, the
    # cache and every message only ever see the bare URLs.
    declared = [
        dict(e, url=remember_index(str(e["url"]), str(e["name"]) if e.get("name") else None))
        for e in declared
    ]
    if index.no_index or uv.get("no-index") is True:
        return [], True  # only local sources can be resolved (uv: `--no-index`)
    settings_extras = uv.get("extra-index-url", [])
    if not isinstance(settings_extras, list) or not all(
        isinstance(url, str) for url in settings_extras
    ):
        raise ProjectInvalid("`tool.uv.extra-index-url` must be a list of index URLs")
    index_url = uv.get("index-url")
    if index_url is not None and not isinstance(index_url, str):
        raise ProjectInvalid("`tool.uv.index-url` must be an index URL")
    extras = [remember_index(url) for url in index.extra_index_urls]
    extras += [str(e["url"]) for e in declared if not e.get("default") and not e.get("explicit")]
    # uv searches [[tool.uv.index]] entries before the (deprecated) extra-index-url ones.
    extras += [remember_index(str(url)) for url in settings_extras]
    given = index.default_index or os.environ.get("ACCORD_INDEX_URL")
    default = remember_index(given) if given else None
    default = default or next((str(e["url"]) for e in declared if e.get("default")), None)
    if default is None and index_url is not None:
        default = remember_index(index_url)
    explicit = bool(default or extras)
    ordered = [*extras, default or DEFAULT_INDEX]
    return list(dict.fromkeys(ordered)), explicit


def configured_strategy(index: IndexOptions, pyproject: Mapping[str, Any]) -> str:
    """uv's ``index-strategy``: ``--index-strategy`` (``UV_INDEX_STRATEGY``), else
    ``tool.uv.index-strategy``, else ``first-index``. It decides which versions are
    candidates; uv records nothing of it in the lock."""
    from accord.reconciler.project.discover import toml_table

    if index.index_strategy is not None:
        return index.index_strategy
    value = toml_table(pyproject, "tool", "uv").get("index-strategy", INDEX_STRATEGIES[0])
    if value not in INDEX_STRATEGIES:
        choices = ", ".join(f"`{strategy}`" for strategy in INDEX_STRATEGIES)
        raise ProjectInvalid(f"`tool.uv.index-strategy` must be one of {choices}, not {value!r}")
    return str(value)


def configured_find_links(
    index: IndexOptions, layers: Sequence[ConfigLayer], root: Path
) -> tuple[FlatSource, ...]:
    """The ``find-links`` sources: ``--find-links`` (``UV_FIND_LINKS``) first, relative to the
    working directory, then each configuration file's ``find-links``, relative to that file,
    as uv combines them. They are searched even with ``--no-index`` (uv's rule)."""
    from accord.model.find_links import flat_sources
    from accord.reconciler.credentials import remember_index

    entries = [(entry, PurePosixPath(Path.cwd())) for entry in index.find_links]
    for layer in layers:
        value = layer.table.get("find-links")
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProjectInvalid(
                f"`{layer.key_name('find-links')}` in `{layer.path}` must be a list of paths or "
                "URLs",
                path=Path(layer.path),
            )
        entries += [(entry, PurePosixPath(layer.path).parent) for entry in value]
    # Logins are taken out of page URLs here, as for indexes.
    entries = [
        (remember_index(e) if e.startswith(("http:", "https:")) else e, base) for e, base in entries
    ]
    try:
        return flat_sources(entries, PurePosixPath(root))
    except ValueError as exc:
        raise ProjectInvalid(f"`find-links`: {exc}") from exc
