"""The portal's Pelican class (``PELICAN_CLASS``): builds into a temporary folder and swaps it in.

A build that stops (bad article, crash, Ctrl-C) leaves the last good site — and the search
index inside it — where it was, and removes its half-written folder. Plugins that read the
previous build (the incremental search index) find it at ``settings["PORTAL_FINAL_OUTPUT_PATH"]``.
The swap runs after every ``finalized`` receiver (pelican-sitemap writes there), which a
plugin cannot guarantee since signal receivers have no order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from pelican import Pelican

FINAL_OUTPUT_SETTING = "PORTAL_FINAL_OUTPUT_PATH"


class PortalPelican(Pelican):
    def __init__(self, settings):
        final = os.path.abspath(settings["OUTPUT_PATH"])
        os.makedirs(os.path.dirname(final), exist_ok=True)
        building = tempfile.mkdtemp(prefix=os.path.basename(final) + ".building-", dir=os.path.dirname(final))
        os.chmod(building, 0o755)
        settings[FINAL_OUTPUT_SETTING] = final
        settings["OUTPUT_PATH"] = building
        super().__init__(settings)

    def run(self):
        building = self.output_path
        try:
            super().run()
            swap_in(building, self.settings[FINAL_OUTPUT_SETTING])
        finally:
            shutil.rmtree(building, ignore_errors=True)


def swap_in(building: str, final: str) -> None:
    """Replace ``final`` by ``building`` with two renames (the gap is microseconds)."""
    previous = None
    if os.path.exists(final):
        previous = tempfile.mkdtemp(prefix=os.path.basename(final) + ".old-", dir=os.path.dirname(final))
        os.rename(final, os.path.join(previous, "site"))
    os.rename(building, final)
    if previous:
        remove_later(previous)


def remove_later(folder: str) -> None:
    """Delete ``folder`` without making the build wait (a detached ``rm`` where there is one)."""
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen([rm, "-rf", "--", folder], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        shutil.rmtree(folder, ignore_errors=True)
