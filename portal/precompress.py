"""Precompressed siblings for web servers: ``page.html`` → ``page.html.gz`` (nginx ``gzip_static``).

Asked for by a setting (``GZIP_OUTPUT = True``, as ``publishconf.py`` sets it) and run by the
build (``portal.build``) after every plugin, the sitemap included, and before the swap. The
files are deterministic (``gzip`` with no name and time 0, level 9): the same page gives the
same bytes in every build. A page the build reused from the live site (the same file through
a hard link, see the render cache) reuses the live site's ``.gz`` the same way, so a rebuild
compresses only what changed. Neither the search index nor hidden files are compressed (a web
server never serves them).
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

from portal import urls

SETTING = "GZIP_OUTPUT"
SUFFIXES = (".html", ".css", ".xml", ".json", ".js", ".svg", ".txt")
MIN_SIZE = 256  # smaller files gain nothing a client would notice
LEVEL = 9

logger = logging.getLogger(__name__)


def wanted(settings: dict) -> bool:
    return bool(settings.get(SETTING))


def compressible(folder: str) -> list[str]:
    """Site-relative paths of the files under ``folder`` worth a ``.gz`` sibling."""
    found = []
    for parent, dirs, files in os.walk(folder):
        relative = os.path.relpath(parent, folder)
        if relative == ".":
            dirs[:] = [d for d in dirs if d != urls.SEARCH_INDEX_DIR]
            relative = ""
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(relative, name) for name in files
                  if name.endswith(SUFFIXES) and not name.startswith(".")]
    return sorted(found)


def compress_site(folder: str, live: str | None = None, threads: int | None = None) -> dict:
    """Write the ``.gz`` sibling of every compressible file under ``folder``.

    ``live``: the site now in place; its ``.gz`` of a file ``folder`` shares with it (same
    inode) is linked instead of compressing again. Returns counts and the time taken.
    """
    started = time.perf_counter()
    paths = compressible(folder)
    counts = {"compressed": 0, "reused": 0, "skipped": 0}

    def one(relative: str) -> str:
        source = os.path.join(folder, relative)
        target = source + ".gz"
        if live is not None and _reuse(source, os.path.join(live, relative), target):
            return "reused"
        with open(source, "rb") as handle:
            data = handle.read()
        if len(data) < MIN_SIZE:
            return "skipped"
        packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)  # zlib releases the GIL
        if len(packed) >= len(data):
            return "skipped"
        with open(target, "xb") as handle:  # never through an existing file (or link)
            handle.write(packed)
        return "compressed"

    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        for outcome in pool.map(one, paths, chunksize=64):
            counts[outcome] += 1
    counts["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("gzip: %d compressed, %d reused (%.2f s)", counts["compressed"], counts["reused"], counts["seconds"])
    return counts


def _reuse(source: str, live_source: str, target: str) -> bool:
    """Link the live site's ``.gz`` when ``source`` is the live file itself."""
    try:
        mine, theirs = os.stat(source), os.stat(live_source)
        if (mine.st_ino, mine.st_dev) != (theirs.st_ino, theirs.st_dev):
            return False
        packed = os.stat(live_source + ".gz")
        if packed.st_mtime_ns < theirs.st_mtime_ns:
            return False  # not made from this file
        os.link(live_source + ".gz", target)
    except OSError:
        return False
    return True
