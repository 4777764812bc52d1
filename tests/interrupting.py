"""Run ``pelican`` and signal it at a chosen moment (tests of interrupted builds).

``python -m tests.interrupting MODULE:FUNCTION[:after] SIGNAL PELICAN-ARGS…`` sends SIGNAL
(``SIGKILL``, ``SIGINT``, ``SIGTERM``) to the build process just before (or just after) the
named function runs: a function of a module, or a method of one of its objects (the state
of a plugin). Plugins are importable by name (``search_index:index_job.finish:after``).
With ``INTERRUPTING_NO_EXCHANGE=1`` the build swaps as on a file system without
``renameat2(RENAME_EXCHANGE)`` (two renames).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stop_at(where: str, signal_name: str) -> None:
    module_name, function_name, *when = where.split(":")
    owner = importlib.import_module(module_name)
    *path, function_name = function_name.split(".")
    for name in path:  # "index_job.finish": a method of the plugin's state object
        owner = getattr(owner, name)
    original = getattr(owner, function_name)
    number = getattr(signal, signal_name)

    def stopping(*args, **kwargs):
        if not when:
            os.kill(os.getpid(), number)
        result = original(*args, **kwargs)
        if when:
            os.kill(os.getpid(), number)
        return result

    setattr(owner, function_name, stopping)  # before register() connects it


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    stop_at(sys.argv[1], sys.argv[2])
    if os.environ.get("INTERRUPTING_NO_EXCHANGE"):
        from portal import oscalls

        oscalls.exchange = lambda first, second: False
    from pelican import main

    main(sys.argv[3:])
