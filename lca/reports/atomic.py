"""Atomic file writes: a temporary file in the same folder, then a rename.

An interrupted run therefore leaves either the previous file or the new one,
never a partial file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "write_text"]


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: Path | str, text: str | bytes | Callable[[IO[str]], None]) -> Path:
    """Write ``text`` (UTF-8), bytes, or what ``text(handle)`` writes to a text handle, to ``target`` atomically."""
    with atomic_path(target) as tmp:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        elif isinstance(text, str):
            tmp.write_text(text, encoding="utf-8")
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                text(handle)
    return Path(target)
