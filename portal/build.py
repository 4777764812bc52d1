"""The portal's Pelican class (``PELICAN_CLASS``): builds into a separate folder and swaps it in.

A build that stops (bad article, crash, Ctrl-C, kill, full disk) leaves the last good site —
and the search index inside it — where it was. Plugins that read the previous build (the
incremental search index, the render cache) find it at ``settings["PORTAL_FINAL_OUTPUT_PATH"]``
and never write into it. The swap runs after every ``finalized`` receiver (the sitemap writes
there), which a plugin cannot guarantee since signal receivers have no order.

* **One step.** The new folder and the output are exchanged with ``renameat2(RENAME_EXCHANGE)``
  (:mod:`portal.oscalls`): ``output/`` is never missing. Where the file system cannot, two
  renames do it, and a build that died between them leaves the previous site as the spare,
  which the next build puts back before anything else.
* **One build at a time.** A build holds ``<output>.lock`` (``flock``); a second build of the
  same output stops at once with a message.
* **Nothing left behind.** ``<output>.building-*`` folders of killed builds are deleted by the
  next build. Ctrl-C and SIGTERM stop the build with one line and exit 128 + the signal
  number; a full disk is one line, and the failed build's files are deleted.

The site that a swap replaces is kept beside the output as ``<output>.spare/`` and the next
build is written into it, after removing its files but keeping its folders: with directory
URLs every article is a folder, and creating thousands of folders anew is most of what a
small rebuild would otherwise cost. Unchanged pages are hard links shared with the live site
(see the render cache), so the spare costs little disk; deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from pelican import Pelican

from portal import oscalls, pelican_cache, pelican_speed, precompress

FINAL_OUTPUT_SETTING = "PORTAL_FINAL_OUTPUT_PATH"
SPARE_SUFFIX = ".spare"
LOCK_SUFFIX = ".lock"
BUILDING_INFIX = ".building-"
_LEFTOVER_INFIXES = (BUILDING_INFIX, ".old-")  # ".old-": folders of the two-rename swap of older versions
_STOPPING = (signal.SIGINT, signal.SIGTERM)


class BuildInterrupted(BaseException):
    """SIGINT or SIGTERM arrived during a build."""

    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


class PortalPelican(Pelican):
    def __init__(self, settings):
        final = os.path.abspath(settings["OUTPUT_PATH"])
        os.makedirs(os.path.dirname(final), exist_ok=True)
        settings[FINAL_OUTPUT_SETTING] = final
        super().__init__(settings)

    def _get_generator_classes(self):
        # Pelican's content caches are advice: an unreadable one is a warning and a cold build.
        # and Pelican's year pages in linear time (portal.pelican_speed)
        return [pelican_cache.advisory(pelican_speed.linear(cls)) for cls in super()._get_generator_classes()]

    def run(self):
        """One build (``pelican --autoreload`` runs several): into its own folder, then swapped in."""
        final = self.settings[FINAL_OUTPUT_SETTING]
        building = None
        with build_lock(final), _stopped_by_signals():
            try:
                repair(final)
                remove_leftovers(final)
                building = claim_building_folder(final)
                self.output_path = self.settings["OUTPUT_PATH"] = building
                super().run()
                prune_empty_folders(building)
                if precompress.wanted(self.settings):  # after every plugin, the sitemap included
                    precompress.compress_site(building, live=final)
                with _signals_held():
                    swap_in(building, final)
            except BuildInterrupted as stop:
                _discard(building)
                name = signal.Signals(stop.number).name
                sys.stderr.write(f"Đã dừng xây dựng trang ({name}): không có gì thay đổi, "
                                 f"trang web vẫn như trước ({final}).\n")
                raise SystemExit(128 + stop.number) from None
            except OSError as error:
                if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                _discard(building)
                sys.stderr.write(f"Dừng xây dựng trang: hết chỗ trên đĩa ({os.path.dirname(final)}). "
                                 "Trang web vẫn như trước; đã xoá các tệp của lần xây dựng này. "
                                 "Giải phóng chỗ trống rồi chạy lại.\n")
                raise SystemExit(1) from None
            finally:
                if building and os.path.exists(building):  # the build stopped: its folder is the spare again
                    keep_as_spare(building, final)
                self.output_path = self.settings["OUTPUT_PATH"] = final


@contextlib.contextmanager
def build_lock(final: str):
    """Hold ``<final>.lock`` for the build; a second build of the same output stops at once."""
    with open(final + LOCK_SUFFIX, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(f"Dừng xây dựng trang: một lần xây dựng khác đang ghi vào {final}. "
                             "Chờ nó xong rồi chạy lại.\n")
            raise SystemExit(1) from None
        yield


@contextlib.contextmanager
def _stopped_by_signals():
    """SIGINT and SIGTERM raise :class:`BuildInterrupted` (outside the main thread: unchanged)."""
    def stop(number, _frame):
        for each in _STOPPING:  # a second Ctrl-C must not interrupt the clean-up
            signal.signal(each, signal.SIG_IGN)
        raise BuildInterrupted(number)

    try:
        previous = {number: signal.signal(number, stop) for number in _STOPPING}
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _signals_held():
    """No signal interrupts the swap; once it is done, the build is finished and they are ignored."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
        for number in _STOPPING:
            with contextlib.suppress(ValueError):
                signal.signal(number, signal.SIG_IGN)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)


def _discard(building: str | None) -> None:
    """Delete a stopped build's folder, after killing the child processes (the search index)
    that write into it."""
    for child in multiprocessing.active_children():
        child.kill()
        child.join()
    if building:
        shutil.rmtree(building, ignore_errors=True)


def repair(final: str) -> None:
    """Put the previous site back when a build died between the two renames of a swap."""
    if not os.path.exists(final) and os.path.isdir(final + SPARE_SUFFIX):
        os.rename(final + SPARE_SUFFIX, final)


def remove_leftovers(final: str) -> None:
    """Delete the folders of builds that were killed (none runs: the caller holds the lock)."""
    for infix in _LEFTOVER_INFIXES:
        for folder in glob.glob(glob.escape(final + infix) + "*"):
            shutil.rmtree(folder, ignore_errors=True)


def claim_building_folder(final: str) -> str:
    """A new folder to build into: the spare of the last swap, emptied of files, if there is one."""
    building = tempfile.mkdtemp(prefix=os.path.basename(final) + BUILDING_INFIX, dir=os.path.dirname(final))
    try:
        os.rename(final + SPARE_SUFFIX, building)  # replaces the empty folder
    except OSError:
        pass  # none: start from the empty folder
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
    """Make ``building`` the output in one step; the site it replaces becomes the spare."""
    if not os.path.exists(final):
        os.rename(building, final)
    elif oscalls.exchange(building, final):
        keep_as_spare(building, final)  # ``building`` now holds the previous site
    else:
        set_aside(final)
        os.rename(building, final)


def set_aside(final: str) -> None:
    """First half of a swap without ``exchange``: the live site becomes the spare."""
    spare = final + SPARE_SUFFIX
    if os.path.exists(spare):
        remove_later(spare)
    os.rename(final, spare)


def keep_as_spare(folder: str, final: str) -> None:
    """Keep ``folder`` for the next build to write into, in place of any older spare."""
    spare = final + SPARE_SUFFIX
    if os.path.exists(spare):
        remove_later(spare)
    try:
        os.rename(folder, spare)
    except OSError:
        remove_later(folder)


def remove_later(folder: str) -> None:
    """Delete ``folder`` without making the build wait: renamed to a leftover name at once
    (so a later build deletes it if this one cannot), then a detached ``rm``."""
    final = folder.removesuffix(SPARE_SUFFIX)
    doomed = tempfile.mkdtemp(prefix=os.path.basename(final) + BUILDING_INFIX, dir=os.path.dirname(final))
    try:
        os.rename(folder, os.path.join(doomed, "site"))
    except OSError:
        shutil.rmtree(doomed, ignore_errors=True)
        doomed = folder
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen([rm, "-rf", "--", doomed], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        shutil.rmtree(doomed, ignore_errors=True)
