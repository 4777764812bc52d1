"""Builds of the preview, in a long-lived worker process that keeps Pelican loaded.

:class:`Builder` runs one build with the preview settings (``previewconf.py``) and returns a
:class:`BuildResult`: whether it succeeded, the messages an editor reads (the same
``path:line: message`` lines as the command line) and the drafts it wrote. A failed build
changes nothing in the output (see :mod:`portal.build`).

:func:`worker` is the loop of the worker process (:class:`Worker` starts it): one build per
request on a pipe. A fresh process is started when the portal's own code changes, so a
build always runs the code on disk. A build is stopped by SIGINT (:meth:`Worker.interrupt`):
the live site stays as it was, and so does what the quick rebuild knows of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from portal.preview import memory
from portal.preview.quick import QuickRebuild

ROOT = Path(__file__).resolve().parents[2]
PREVIEW_SETTINGS = ROOT / "previewconf.py"


@dataclasses.dataclass
class BuildResult:
    ok: bool
    messages: str = ""  # what the editor must fix, as the command line prints it
    seconds: float = 0.0
    drafts: list = dataclasses.field(default_factory=list)  # (title, url, scheduled)
    quick: bool = False  # only the saved articles' pages (see portal.preview.quick)
    stopped: bool = False  # interrupted (a newer save comes first): nothing changed
    peak_mb: int = 0  # the worker's peak memory so far (bench build reports it)


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def describe_exception(error: BaseException) -> str:
    """One line an editor can act on for an unexpected build error (template, settings…)."""
    where = ""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if filename:
        where = f"{os.path.relpath(filename) if os.path.isabs(filename) else filename}:{line or 1}: "
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if str(ROOT) in f.filename]
        if frames:
            where = f"{os.path.relpath(frames[-1].filename)}:{frames[-1].lineno}: "
    message = getattr(error, "message", None) or str(error) or error.__class__.__name__
    return f"{where}lỗi khi xây dựng trang: {error.__class__.__name__}: {message}"


class Builder:
    """In-process builds of ``content`` into ``output`` with the preview settings."""

    def __init__(self, content: str | os.PathLike, output: str | os.PathLike,
                 settings_file: str | os.PathLike = PREVIEW_SETTINGS, cache_path: str | None = None):
        self.content = os.path.abspath(content)
        self.output = os.path.abspath(output)
        self.settings_file = str(settings_file)
        # Pelican keys its cache by the path inside the content folder: one cache per folder
        digest = hashlib.sha1(self.content.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        self.cache_path = cache_path or os.path.join("cache", f"preview-{digest}")
        self.quick = QuickRebuild()
        self._drafts: list = []
        self._generator = None
        self._emptying: threading.Thread | None = None

    def settings(self) -> dict:
        """The settings, read again at every build (an edit of them takes effect)."""
        from pelican.settings import read_settings

        # the index is written in this process, where the text of unchanged articles is remembered
        override = {"PATH": self.content, "OUTPUT_PATH": self.output, "SEARCH_INDEX_PARALLEL": False,
                    "CACHE_PATH": self.cache_path}
        return read_settings(self.settings_file, override=override)

    def rebuild(self, paths: list[str] | None = None, quiet: bool = False) -> BuildResult:
        """Only the pages of ``paths`` when their text alone changed, else a full build
        (``quiet``: its messages are only returned, not printed)."""
        started = time.perf_counter()
        if paths and self.quick.rebuild(paths):
            return BuildResult(True, "", time.perf_counter() - started, self._drafts, quick=True)
        return self.build(quiet)

    def build(self, quiet: bool = False) -> BuildResult:
        from pelican import signals
        from pelican.contents import Content

        from portal.build import BuildInterrupted

        started = time.perf_counter()
        self._wait_for_spare()
        Content.get_content.cache.clear()  # Pelican memoizes every article's text, build after build
        Content.get_summary.cache.clear()
        kept = self.quick.generator, self.quick.final, self._drafts  # an interrupted build changes nothing
        self.quick.forget()
        self._generator = None
        captured = io.StringIO()
        self._drafts = []
        signals.article_generator_finalized.connect(self._record_drafts)
        ok, messages, stopped = True, "", False
        try:
            with contextlib.redirect_stderr(captured if quiet else _Tee(sys.stderr, captured)):
                settings = self.settings()
                cls = settings["PELICAN_CLASS"]
                if isinstance(cls, str):
                    module, name = cls.rsplit(".", 1)
                    cls = getattr(__import__(module, fromlist=[name]), name)
                cls(settings).run()
        except SystemExit as stop:  # the portal's plugins stop a build with a message
            ok = stop.code in (0, None)
            stopped = stop.code == 128 + signal.SIGINT  # portal.build: interrupted, nothing changed
            messages = captured.getvalue().strip() or f"Dừng xây dựng trang (mã {stop.code})."
        except BuildInterrupted:  # at the very start of PortalPelican.run: nothing changed either
            ok, stopped, messages = False, True, "Đã dừng xây dựng trang."
        except Exception as error:  # a template, setting or plugin error: one line, no traceback
            ok, messages = False, describe_exception(error)
            sys.stderr.write(messages + "\n")
        finally:
            signals.article_generator_finalized.disconnect(self._record_drafts)
        if stopped:
            if kept[0] is not None:
                self.quick.remember(kept[0], kept[1])
            self._drafts = kept[2]
            return BuildResult(False, messages, time.perf_counter() - started, self._drafts, stopped=True)
        if ok and self._generator is not None:
            self.quick.remember(self._generator, self.output)
        return BuildResult(ok, messages, time.perf_counter() - started, self._drafts if ok else [])

    def empty_spare(self) -> None:
        """Remove the files of the site the last swap replaced (the next full build writes
        there), in a thread: tens of thousands of files take seconds, and a quick rebuild
        meanwhile need not wait (a full build does)."""
        from portal.build import SPARE_SUFFIX, remove_files

        def empty():
            with contextlib.suppress(OSError):
                remove_files(self.output + SPARE_SUFFIX)

        self._wait_for_spare()
        self._emptying = threading.Thread(target=empty, name="preview-empty-spare", daemon=True)
        self._emptying.start()

    def _wait_for_spare(self) -> None:
        if self._emptying is not None:
            self._emptying.join()
            self._emptying = None

    def _record_drafts(self, generator) -> None:
        self._generator = generator
        self._drafts = [(a.title, a.url, bool(getattr(a, "scheduled", False))) for a in generator.drafts]


def worker(connection, content: str, output: str, settings_file: str, cache_path: str | None) -> None:
    """The worker process: a build for every request received on ``connection``."""
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING)
    # SIGINT stops a build (Worker.interrupt, or Ctrl-C in the terminal); between builds it is
    # ignored: the preview server stops the worker itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    memory.install()
    builder = Builder(content, output, settings_file, cache_path)
    while True:
        try:
            request = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if not (isinstance(request, tuple) and request[0] == "build"):
            return
        result = builder.rebuild(*request[1:])
        result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
        connection.send(result)
        builder.empty_spare()  # while the editor reads the page: the next build starts sooner


class Worker:
    """The worker process seen from the preview server: ``build()`` waits for one build."""

    def __init__(self, content, output, settings_file=PREVIEW_SETTINGS, cache_path=None):
        self.args = (os.path.abspath(content), os.path.abspath(output), str(settings_file), cache_path)
        self.process = None
        self.connection = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")  # fresh imports: the code on disk now
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker, args=(child, *self.args))
        self.process.start()
        child.close()

    def build(self, paths: list[str] | None = None, quiet: bool = False) -> BuildResult:
        """A full build, or with ``paths`` (saved articles) perhaps only their pages;
        ``quiet``: the build's messages are returned, not printed."""
        if self.process is None or not self.process.is_alive():
            self.start()
        try:
            self.connection.send(("build", paths, quiet))
            return self.connection.recv()
        except (EOFError, OSError):  # the worker died (a crash in Pelican or a plugin)
            self.stop()
            return BuildResult(False, "Tiến trình xây dựng trang dừng bất ngờ; xem thông báo trong cửa sổ lệnh.")

    def interrupt(self) -> None:
        """Stop the build under way, if any (the live site is left as it was)."""
        if self.process is not None and self.process.pid:
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signal.SIGINT)

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.connection.send("stop")
        self.process.join(5)
        if self.process.is_alive():  # in the middle of a build
            self.process.kill()
            self.process.join(5)
        self.connection.close()
        self.process = self.connection = None
