"""Writing files so that a reader never sees half of one (bottom layer: standard library only)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path, text: str, encoding: str = "utf-8-sig") -> Path:
    """Write `text` to `path` via a temporary file in the same folder, so it is whole or absent.

    The default encoding is UTF-8 with BOM, so Excel shows the Chinese of a CSV file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
