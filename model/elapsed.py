"""A duration as uv prints one (``240ms``). Standard library only, and nothing else: the
environment replay (``reconciler.replay``, before any third-party import) prints it too."""

__all__ = ["checked_line", "format_elapsed", "resolved_line"]


def resolved_line(count: int, elapsed: str) -> str:
    """uv's ``Resolved 3 packages in 12ms`` (``Resolved in 12ms`` when nothing was resolved)."""
    amount = f"{count} package{'' if count == 1 else 's'} " if count else ""
    return f"Resolved {amount}in {elapsed}"


def checked_line(count: int, elapsed: str) -> str:
    """uv's ``Checked 3 packages in 0.05ms`` (``Checked in 0.00ms`` when the environment is to
    hold no package)."""
    return "Checked" + resolved_line(count, elapsed).removeprefix("Resolved")


def format_elapsed(seconds: float) -> str:
    """A duration as uv prints one: ``0.19ms``, ``240ms``, ``1.04s``, ``2m 05s``."""
    whole = int(seconds)
    if whole >= 60:
        return f"{whole // 60}m {whole % 60:02d}s"
    if whole > 0:
        return f"{whole}.{int((seconds - whole) * 100):02d}s"
    millis = int(seconds * 1000)
    if millis > 0:
        return f"{millis}ms"
    return f"0.{int(seconds * 100_000):02d}ms"
