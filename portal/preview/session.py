"""The preview session: a first build, then a build after every change that matters.

Watches the content folder, the theme, the plugins, the portal's code and data and the
settings files. A change of Python code or data files starts a fresh build worker (the
build must run the code on disk); anything else is rebuilt by the running worker, which
keeps what it knows between builds. Changes made during a build are built next, together.
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

    def build(self) -> BuildResult:
        self.state.started()
        result = self.worker.build()
        self.state.finished(result)
        self.report(result)
        return result

    def report(self, result: BuildResult) -> None:
        if self.quiet:
            return
        if result.ok:
            print(f"Đã xây dựng lại trang ({result.seconds:.2f} giây).", file=sys.stderr, flush=True)
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

        self.build()
        settings = [ROOT / name for name in SETTINGS_FILES]
        stamps = {path: _stamp(path) for path in settings}
        output = str(self.output)
        for changes in watchfiles.watch(*self.watched(), stop_event=self._stop, yield_on_timeout=True,
                                        rust_timeout=1000, debounce=400, step=30,
                                        watch_filter=_relevant, raise_interrupt=False):
            paths = {path for _change, path in changes if not path.startswith(output)}
            for path in settings:  # single files: checked by their time (editors replace them)
                if _stamp(path) != stamps[path]:
                    stamps[path] = _stamp(path)
                    paths.add(str(path))
            if not paths:
                continue
            if any(_is_code(path) for path in paths):
                self.worker.restart()
            self.build()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
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
