"""Pelican's content caches as advice: a cache that cannot be read is discarded, never an error.

Pelican (``CONTENT_CACHING_LAYER = "generator"``) pickles each generator's articles into
``CACHE_PATH/<GeneratorClass>`` and fails every later build with ``EOFError`` or
``ValueError`` when that file is truncated (a killed build) or garbage. The generator classes
the portal's Pelican class uses (:func:`advisory`) read the cache themselves: anything
unreadable is one warning and a cold build. They save it as a new file renamed into place,
so a killed build leaves the previous cache or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import pickle
import tempfile

from pelican.cache import FileDataCacher
from pelican.generators import CachingGenerator

logger = logging.getLogger(__name__)


def read_cache(path: str, opener=open) -> dict:
    """The cache pickled at ``path`` ({} when there is none or it cannot be read)."""
    try:
        with opener(path, "rb") as handle:
            data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as error:  # truncated, garbage, written by another version
        _discarded(path, f"{error.__class__.__name__}: {error}")
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, tuple) and len(v) == 2 for v in data.values()):
        _discarded(path, "không đúng dạng")
        return {}
    return data


def _discarded(path: str, why: str) -> None:
    why = " ".join(why.split())[:200]
    logger.warning("Bỏ qua bộ nhớ đệm không đọc được %s (%s); đọc lại mọi bài.", path, why)


class AdvisoryCache(FileDataCacher):
    """Pelican's ``FileDataCacher`` as a generator class loads and saves it: placed after
    ``FileStampDataCacher`` in the generator's MRO (:func:`advisory`), it loads the cache where
    Pelican would (before the generator's init signal) but safely, and saves it whole."""

    def __init__(self, settings, cache_name, caching_policy, load_policy):
        super().__init__(settings, cache_name, caching_policy, False)  # Pelican's loading raises
        if load_policy:
            self._cache = read_cache(self._cache_path, self._cache_open)

    def save_cache(self):
        if not self._cache_data_policy:
            return
        folder = self.settings["CACHE_PATH"]
        try:
            os.makedirs(folder, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        except OSError as error:
            logger.warning("Không ghi được bộ nhớ đệm %s: %s", self._cache_path, error)
            return
        try:
            os.close(fd)
            with self._cache_open(temporary, "wb") as handle:
                pickle.dump(self._cache, handle)
            os.replace(temporary, self._cache_path)
        except (OSError, pickle.PicklingError, TypeError) as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise  # the build stops, with one line (portal.build)
            logger.warning("Không ghi được bộ nhớ đệm %s: %s", self._cache_path, error)


def advisory(generator_class: type) -> type:
    """``generator_class`` with an advisory cache (same name: the cache file keeps its name)."""
    if not issubclass(generator_class, CachingGenerator):
        return generator_class
    return type(generator_class.__name__, (generator_class, AdvisoryCache), {"__module__": __name__})
