"""Where accord's cache lives (shell side; touches only the cache directory itself).

``$ACCORD_CACHE_DIR`` wins, then uv's ``$UV_CACHE_DIR`` (accord's entries live beside uv's, in
folders of their own); otherwise the platform's user cache directory (``platformdirs``).
Stages ask for a named subdirectory (``interpreters``, ``wheels``, ...) and get it created.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["cache_root", "cache_subdir", "metadata_file"]


def cache_root() -> Path:
    """The cache root: ``$ACCORD_CACHE_DIR`` if set and non-empty, else ``$UV_CACHE_DIR``,
    else the user cache dir."""
    configured = os.environ.get("ACCORD_CACHE_DIR") or os.environ.get("UV_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().absolute()
    import platformdirs  # slow path only

    return Path(platformdirs.user_cache_dir("accord"))


def cache_subdir(name: str) -> Path:
    """``cache_root() / name``, created (with parents) if missing."""
    path = cache_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def metadata_file(cache: str, url: str) -> str:
    """Where the cache directory ``cache`` keeps the core metadata of the file at ``url``."""
    return os.path.join(cache, "metadata", hashlib.sha256(url.encode()).hexdigest())
