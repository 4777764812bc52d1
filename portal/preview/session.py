"""The preview session: a first build, then a build after every change that matters.

Watches the content folder, the theme, the plugins, the portal's code and data and the
settings files. A change of Python code or data files starts a fresh build worker (the
build must run the code on disk); anything else is rebuilt by the running worker, which
keeps what it knows between builds. Changes made during a build are built next, together.

After a quick rebuild (see :mod:`portal.preview.quick`) the search index and the feeds are
behind; a full build brings them up to date once the editor pauses. It runs in the
background, and a save during it stops it (the worker's build is interrupted, the live site
is unchanged): the saved page comes first, whatever the size of the site.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from portal.preview.app import PreviewState
from portal.preview.builder import PREVIEW_SETTINGS, ROOT, BuildResult, Worker

CODE_FOLDERS = ("plugins", "portal")
SETTINGS_FILES = ("pelicanconf.py", "previewconf.py")
ARTICLE_SUFFIXES = (".md", ".markdown")
_IGNORED_SUFFIXES = (".pyc", ".swp", ".swx", "~", ".tmp")


class Session:
    def __init__(self, content, output, settings_file=PREVIEW_SETTINGS, cache_path=None, quiet=False):
        self.content = Path(os.path.abspath(content))
        self.output = Path(os.path.abspath(output))
        self.worker = Worker(self.content, self.output, settings_file, cache_path)
        self.state = PreviewState()
        self.quiet = quiet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.catch_up = False  # a quick rebuild left the index and feeds behind
        self._catching_up: threading.Thread | None = None  # that full build, in the background

    def build(self, paths: list[str] | None = None, silent: bool = False) -> BuildResult:
        """A build (quick when ``paths`` allow it); ``silent``: pages reload only if it fails."""
        self.state.started()
        result = self.worker.build(paths, quiet=silent)
        if result.stopped:  # interrupted by a newer save: nothing changed, still behind
            self.state.finished(None, notify=False)
            return result
        # after a failed build the next save builds everything: nothing to catch up with
        self.catch_up = self.state.behind = result.quick
        self.state.finished(result, notify=not (silent and result.ok))
        if silent and not result.ok and not self.quiet:
            print(result.messages, file=sys.stderr, flush=True)
        if not silent or not result.ok:
            self.report(result)
        return result

    def start_catch_up(self) -> None:
        """The full build after quick rebuilds, in the background."""
        if self._catching_up is None or not self._catching_up.is_alive():
            self._catching_up = threading.Thread(target=self.build, kwargs={"silent": True},
                                                 name="preview-catch-up", daemon=True)
            self._catching_up.start()

    def stop_catch_up(self, timeout: float | None = None) -> None:
        """Interrupt the background full build, if one runs, and wait until it has stopped."""
        thread, self._catching_up = self._catching_up, None
        if thread is None:
            return
        waited = 0.0
        while thread.is_alive() and (timeout is None or waited < timeout):
            self.worker.interrupt()  # again until it stops: the build may not have begun yet
            thread.join(0.1)
            waited += 0.1

    def report(self, result: BuildResult) -> None:
        if self.quiet:
            return
        if result.ok:
            what = "trang của bài vừa lưu" if result.quick else "trang"
            print(f"Đã xây dựng lại {what} ({result.seconds:.2f} giây).", file=sys.stderr, flush=True)
        else:
            print("Lỗi khi xây dựng trang; trang cũ vẫn được phục vụ. Sửa tệp rồi lưu lại.",
                  file=sys.stderr, flush=True)

    def watched(self) -> list[Path]:
        folders = [self.content, ROOT / "theme", *(ROOT / name for name in CODE_FOLDERS)]
        return [folder for folder in folders if folder.is_dir()]

    def start(self) -> None:
        """Build, then watch and rebuild, in a background thread."""
        self._thread = threading.Thread(target=self.watch, name="preview-watch", daemon=True)
        self._thread.start()

    def watch(self) -> None:
        import watchfiles

        settings = [ROOT / name for name in SETTINGS_FILES]
        stamps = {path: _stamp(path) for path in settings}
        output = str(self.output)
        built = False  # the first build runs once the watch is in place: no save is missed
        for changes in watchfiles.watch(*self.watched(), stop_event=self._stop, yield_on_timeout=True,
                                        rust_timeout=1000, debounce=400, step=30,
                                        watch_filter=_relevant, raise_interrupt=False):
            if not built:
                built = True
                self.build()
                continue
            paths = {path for _change, path in changes if not path.startswith(output)}
            for path in settings:  # single files: checked by their time (editors replace them)
                if _stamp(path) != stamps[path]:
                    stamps[path] = _stamp(path)
                    paths.add(str(path))
            if not paths:
                if self.catch_up:  # the editor paused: bring the index and feeds up to date
                    self.start_catch_up()
                continue
            self.stop_catch_up()  # the saved page first
            if any(_is_code(path) for path in paths):
                self.worker.restart()
                self.build()
            elif all(path.endswith(ARTICLE_SUFFIXES) and os.path.isfile(path) for path in paths):
                self.build(sorted(paths))
            else:
                self.build()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.stop_catch_up(timeout=5)
        self.worker.stop()


def _stamp(path: Path):
    try:
        info = path.stat()
        return info.st_mtime_ns, info.st_size
    except OSError:
        return None


def _relevant(_change, path: str) -> bool:
    name = os.path.basename(path)
    return not (name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES) or "__pycache__" in path)


def _is_code(path: str) -> bool:
    for folder in CODE_FOLDERS:
        base = str(ROOT / folder) + os.sep
        if path.startswith(base):
            return True
    return path.endswith(".py")
