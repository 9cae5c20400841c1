"""Files that hold residents' personal data (exports, reports, letters, the SQLite database),
readable and writable by their owner only: an office computer is shared, and a list of names
with NIKs must not be readable by every account on it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600


def open_private(path: Path) -> BinaryIO:
    """`path` opened for writing from scratch, mode 0600. A new file is created 0600 (the
    umask can only take bits away); an existing one keeps its old mode through open(), so it
    is changed before a byte is written. A device or a pipe (/dev/stdout) is left as it is."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.fchmod(descriptor, PRIVATE)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "wb")


def create_private(path: Path) -> None:
    """An empty file at `path`, mode 0600, unless something is there already (then nothing
    changes) or its folder is missing (then whoever opens it next says so)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except (FileExistsError, FileNotFoundError):
        return
    os.close(descriptor)
