"""Where a ``next`` parameter may send the browser: a path of this site, nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """``target`` when it is a local path (one leading ``/``), else None.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``: ``/\\t/evil.example/``
    and ``/\\evil.example`` become ``//evil.example``, another site. So any whitespace, control
    character or backslash refuses the target, as do a scheme or a host, and CR/LF never reach
    a header (werkzeug would refuse them with a 500).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(char.isspace() or not char.isprintable() or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
