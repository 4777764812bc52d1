"""Run ``pelican`` and signal it at a chosen moment (tests of interrupted builds).

``python -m tests.interrupting MODULE:FUNCTION[:after] SIGNAL PELICAN-ARGS…`` sends SIGNAL
(``SIGKILL``, ``SIGINT``, ``SIGTERM``) to the build process just before (or just after) the
named function runs. Plugins are importable by name (``search_index:finish:after``).
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
    module = importlib.import_module(module_name)
    original = getattr(module, function_name)
    number = getattr(signal, signal_name)

    def stopping(*args, **kwargs):
        if not when:
            os.kill(os.getpid(), number)
        result = original(*args, **kwargs)
        if when:
            os.kill(os.getpid(), number)
        return result

    setattr(module, function_name, stopping)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    stop_at(sys.argv[1], sys.argv[2])
    if os.environ.get("INTERRUPTING_NO_EXCHANGE"):
        from portal import oscalls

        oscalls.exchange = lambda first, second: False
    from pelican import main

    main(sys.argv[3:])
