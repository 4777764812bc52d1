"""The portal's Pelican class (``PELICAN_CLASS``): builds into a separate folder and swaps it in.

A build that stops (bad article, crash, Ctrl-C) leaves the last good site — and the search
index inside it — where it was. Plugins that read the previous build (the incremental search
index, the render cache) find it at ``settings["PORTAL_FINAL_OUTPUT_PATH"]``. The swap runs
after every ``finalized`` receiver (pelican-sitemap writes there), which a plugin cannot
guarantee since signal receivers have no order.

The site that a swap replaces is kept beside the output as ``<output>.spare/`` and the next
build is written into it, after removing its files but keeping its folders: with directory
URLs every article is a folder, and creating thousands of folders anew is most of what a
small rebuild would otherwise cost. Unchanged pages are hard links shared with the live site
(see the render cache), so the spare costs little disk; deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile

from pelican import Pelican

from portal import precompress

FINAL_OUTPUT_SETTING = "PORTAL_FINAL_OUTPUT_PATH"
SPARE_SUFFIX = ".spare"


class PortalPelican(Pelican):
    def __init__(self, settings):
        final = os.path.abspath(settings["OUTPUT_PATH"])
        os.makedirs(os.path.dirname(final), exist_ok=True)
        settings[FINAL_OUTPUT_SETTING] = final
        super().__init__(settings)

    def run(self):
        """One build (``pelican --autoreload`` runs several): into its own folder, then swapped in."""
        building = claim_building_folder(self.settings[FINAL_OUTPUT_SETTING])
        self.output_path = self.settings["OUTPUT_PATH"] = building
        try:
            super().run()
            prune_empty_folders(building)
            if precompress.wanted(self.settings):  # after every plugin, the sitemap included
                precompress.compress_site(building, live=self.settings[FINAL_OUTPUT_SETTING])
            swap_in(building, self.settings[FINAL_OUTPUT_SETTING])
        finally:
            final = self.settings[FINAL_OUTPUT_SETTING]
            if os.path.exists(building):  # the build stopped: its folder becomes the spare again
                keep_as_spare(building, final)
            self.output_path = self.settings["OUTPUT_PATH"] = final


def claim_building_folder(final: str) -> str:
    """A new folder to build into: the spare of the last swap, emptied of files, if there is one."""
    building = tempfile.mkdtemp(prefix=os.path.basename(final) + ".building-", dir=os.path.dirname(final))
    try:
        os.rename(final + SPARE_SUFFIX, building)  # atomic: of two builds at once, one gets the spare
    except OSError:
        pass  # none (or another build took it): start from the empty folder
    else:
        remove_files(building)
    os.chmod(building, 0o755)
    return building


def remove_files(folder: str) -> None:
    """Delete every file under ``folder`` and keep the folders."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                remove_files(entry.path)
            else:
                os.unlink(entry.path)


def prune_empty_folders(folder: str) -> None:
    """Remove the folders the build left empty (pages of articles that are gone)."""
    for parent, _dirs, files in os.walk(folder, topdown=False):
        if not files and parent != folder:
            with contextlib.suppress(OSError):  # not empty: a subfolder holds files
                os.rmdir(parent)


def swap_in(building: str, final: str) -> None:
    """Replace ``final`` by ``building`` with two renames (the gap is microseconds)."""
    if not os.path.exists(final):
        os.rename(building, final)
        return
    previous = tempfile.mkdtemp(prefix=os.path.basename(final) + ".old-", dir=os.path.dirname(final))
    old_site = os.path.join(previous, "site")
    os.rename(final, old_site)
    os.rename(building, final)
    try:
        os.rename(old_site, final + SPARE_SUFFIX)
        os.rmdir(previous)
    except OSError:  # a spare is already there (another build's): this one goes
        remove_later(previous)


def keep_as_spare(folder: str, final: str) -> None:
    """Keep ``folder`` for the next build to write into, or delete it if a spare is already there."""
    try:
        os.rename(folder, final + SPARE_SUFFIX)
    except OSError:
        remove_later(folder)


def remove_later(folder: str) -> None:
    """Delete ``folder`` without making the build wait (a detached ``rm`` where there is one)."""
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen([rm, "-rf", "--", folder], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        shutil.rmtree(folder, ignore_errors=True)
