"""Pelican's content cache kept in the preview worker's memory between builds.

Pelican reads its cache of parsed articles from a pickle at the start of every build and
writes it back at the end — at 2,000 articles most of a second each way. The worker keeps the
cache's dictionary instead (files are still compared by their time, as Pelican does) and
writes it once, for the next session. Each
build gets its own shallow copy of a cached article, so what plugins set on it (URLs fixed for
the build, neighbours, the publication state) never reaches the next build.

Pelican has no hook for this: :func:`install` replaces three methods of its cache classes, in
the worker process only.
"""

from __future__ import annotations

import copy
import os

from pelican import cache

_MEMORY: dict[str, dict] = {}
_installed: list = []
_saved: set[str] = set()


def install() -> None:
    if _installed:
        return
    loader = cache.FileDataCacher.__init__
    stamped_get = cache.FileStampDataCacher.get_cached_data
    stamped_put = cache.FileStampDataCacher.cache_data

    def __init__(self, settings, cache_name, caching_policy, load_policy):
        path = os.path.join(settings["CACHE_PATH"], cache_name)
        kept = _MEMORY.get(path) if caching_policy else None
        loader(self, settings, cache_name, caching_policy, load_policy and kept is None)
        if caching_policy:
            self._cache = _MEMORY.setdefault(path, self._cache if kept is None else kept)

    def get_cached_data(self, filename, default=None):
        data = stamped_get(self, filename, default)
        return data if data is default else copy.copy(data)

    def cache_data(self, filename, data):
        stamped_put(self, filename, copy.copy(data))

    cache.FileDataCacher.__init__ = __init__
    cache.FileStampDataCacher.get_cached_data = get_cached_data
    cache.FileStampDataCacher.cache_data = cache_data
    saver = cache.FileDataCacher.save_cache

    def save_cache(self):
        if self._cache_path not in _saved:  # once, for the next preview session; then kept in memory
            _saved.add(self._cache_path)
            saver(self)

    cache.FileDataCacher.save_cache = save_cache
    _installed.append(True)
