"""Two Linux system calls the standard library lacks (through ``ctypes``; elsewhere they
report that they cannot, and the callers fall back).

* :func:`exchange` — swap two paths in one atomic step (``renameat2(RENAME_EXCHANGE)``), so
  a folder is replaced without a moment when it is missing;
* :func:`die_with_parent` — a child process is killed when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), so a killed build leaves nothing running.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import signal

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1
# What renameat2 answers where the kernel, libc or file system cannot exchange.
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV}


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None


def exchange(first: str, second: str) -> bool:
    """Atomically swap the paths ``first`` and ``second`` (both must exist); False when the
    system or file system cannot, and nothing was done."""
    function = getattr(_libc(), "renameat2", None)
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in _UNSUPPORTED:
        return False
    raise OSError(number, os.strerror(number), first, None, second)


def die_with_parent(parent: int, number: int = signal.SIGKILL) -> None:
    """Have the kernel send this process ``number`` (kill it) when its parent (pid ``parent``)
    dies; kept across ``exec``."""
    function = getattr(_libc(), "prctl", None)
    if function is not None:
        function(_PR_SET_PDEATHSIG, number, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
