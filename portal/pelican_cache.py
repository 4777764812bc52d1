"""Pelican's content caches as advice: a cache that cannot be read is discarded, never an error.

Pelican (``CONTENT_CACHING_LAYER = "generator"``) pickles each generator's articles into
``CACHE_PATH/<GeneratorClass>`` and fails every later build with ``EOFError`` or
``ValueError`` when that file is empty, truncated (a killed build) or garbage. The generator
classes of the portal's Pelican class (:func:`advisory`) turn any unreadable cache into one
warning and a cold build, and save it as a new file renamed into place, so a killed build
leaves the previous cache or the new one, never half of one. They keep Pelican's own loading
and saving (which the preview extends, :mod:`portal.preview.memory`) and wrap them.

They also stamp a file before reading it (:class:`StampBeforeReading`), not after as Pelican
does: an article saved while a build read it was otherwise cached as its old text with its new
time, and every later build showed the old text until the next save.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile

from pelican.cache import FileDataCacher
from pelican.generators import CachingGenerator

logger = logging.getLogger(__name__)
_MESSAGE = "Bỏ qua bộ nhớ đệm không đọc được %s (%s); đọc lại mọi bài."


def _discarded(path: str, why: str) -> None:
    logger.warning(_MESSAGE, path, " ".join(why.split())[:200])


def _well_formed(cache) -> bool:
    """What ``FileStampDataCacher`` expects: file name → (stamp, data)."""
    return isinstance(cache, dict) and all(isinstance(v, tuple) and len(v) == 2 for v in cache.values())


class _OneLine(logging.Filter):
    """Pelican's own warning for a cache it cannot unpickle, as the portal's one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Cannot unpickle cache") and len(record.args or ()) == 2:
            path, error = record.args
            record.msg, record.args = _MESSAGE, (path, " ".join(f"{type(error).__name__}: {error}".split())[:200])
        return True


logging.getLogger("pelican.cache").addFilter(_OneLine())


@contextlib.contextmanager
def _replacing(opener, path, mode="rb"):
    """``opener(path, mode)``; for writing, a new file renamed over ``path`` when complete."""
    if "w" not in mode:
        with opener(path, mode) as handle:
            yield handle
        return
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path) or ".")
    os.close(fd)
    try:
        with opener(temporary, mode) as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class AdvisoryCache(FileDataCacher):
    """Placed after ``FileStampDataCacher`` in a generator's MRO (:func:`advisory`): loads the
    cache where Pelican does (before the generator's init signal), but an unreadable one is
    a warning and an empty cache; saves it whole."""

    def __init__(self, settings, cache_name, caching_policy, load_policy):
        path = os.path.join(settings["CACHE_PATH"], cache_name)
        try:
            super().__init__(settings, cache_name, caching_policy, load_policy)
        except Exception as error:  # empty, truncated, garbage: Pelican's loading raised
            _discarded(path, f"{type(error).__name__}: {error}")
            self._cache = {}
        if not _well_formed(self._cache):
            _discarded(path, "không đúng dạng")
            if isinstance(self._cache, dict):
                self._cache.clear()  # the same dictionary: whoever holds it sees it empty
            else:
                self._cache = {}
        self._cache_open = functools.partial(_replacing, self._cache_open)


class StampBeforeReading:
    """Placed before ``FileStampDataCacher``: a file's stamp is taken once per build, when the
    generator asks the cache for it (before reading the file), and the text read is cached
    with that stamp. Pelican takes it again when caching, after reading: a save in between
    paired the old text with the new stamp. Now such a file is only read again next time.

    The size and time of each source, taken then too, are :attr:`source_stats` (absolute
    path → (size, mtime_ns)): the render cache keys pages with them for the same reason."""

    def _get_file_stamp(self, filename):
        stamps = self.__dict__.setdefault("_stamps_before_reading", {})  # one generator: one build
        if filename not in stamps:
            path = os.path.abspath(os.path.join(self.path, filename))
            try:
                info = os.stat(path)
            except OSError:
                info = None
            else:
                self.source_stats[path] = (info.st_size, info.st_mtime_ns)
            if info is not None and self._filestamp_func is os.path.getmtime:  # Pelican's stamp, one stat
                stamps[filename] = info.st_mtime
            else:
                stamps[filename] = super()._get_file_stamp(filename)
        return stamps[filename]

    @property
    def source_stats(self) -> dict[str, tuple[int, int]]:
        return self.__dict__.setdefault("_source_stats", {})


def advisory(generator_class: type) -> type:
    """``generator_class`` with an advisory cache stamped before reading (same name: the cache
    file keeps its name)."""
    if not issubclass(generator_class, CachingGenerator):
        return generator_class
    return type(generator_class.__name__, (StampBeforeReading, generator_class, AdvisoryCache),
                {"__module__": __name__})
