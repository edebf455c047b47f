"""Writing a user's output file without losing what was there.

``replacing`` writes a new file beside the target under a name of its own
(``mkstemp``: never a file the user already has) and renames it over the
target only when the writing finished; on any failure or interruption the
temporary file is removed and the target is left as it was.  A symbolic link
is written through (its file is replaced, the link stays), and a FIFO or
device (``-o /dev/stdout``) is written into, never replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def is_special(path: str | Path) -> bool:
    """True for an existing path that is not a regular file or folder (a FIFO,
    a device, a socket), following symbolic links."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when *a* and *b* both exist and are the same file (links followed)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def replacing(path: str | Path, mode: str = "w", *, newline: str | None = None
              ) -> Iterator:
    """Open a file whose contents replace *path* when the block ends without
    an exception (text modes write UTF-8)."""
    path = Path(path)
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": newline}
    if is_special(path):
        with open(path, mode, **text) as fh:
            yield fh
        return
    target = path.resolve() if path.is_symlink() else path
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **text) as fh:
            yield fh
        # mkstemp makes the file private (0600); keep the target's mode, or
        # give a new file the mode the user's umask gives any file.
        try:
            wanted = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            wanted = 0o666 & ~umask
        os.chmod(tmp, wanted)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Replace *path* with *text* (UTF-8) as ``replacing`` does."""
    with replacing(path) as fh:
        fh.write(text)
