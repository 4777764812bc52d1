"""``python -m portal``: see :mod:`portal.cli`."""

from portal.cli import main

raise SystemExit(main())
