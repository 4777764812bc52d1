"""Checksums of the search index's files, recorded in its manifest when the index is written.

Every file Whoosh reads (the ``_MAIN_<n>.toc`` table of contents and the ``MAIN_<id>.*`` segment
files) is recorded as ``{"size": …, "crc32": "…"}`` under ``"files"`` in ``manifest.json``. A
build checks the previous index before reusing any of its files (a damaged file is never linked
into the new index; the articles it held are indexed again) and the service checks an index
before answering from it (a damaged index is refused with 503, never a wrong answer or a 500).
CRC-32 finds what damages files by accident (junk written over them, a truncated copy, a disk
error); it is no defence against someone who may write the index, which nobody but the build may.
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

BLOCK = 1 << 20
_TOC = re.compile(r"^_MAIN_[0-9]+\.toc$")
_SEGMENT_FILE = re.compile(r"^(MAIN_[0-9a-z]+)\.[A-Za-z0-9_.]+$")


class DamagedIndex(FileNotFoundError):
    """An index file does not match its recorded checksum: like a missing index, there is no
    index to use until a build writes a good one."""


def is_index_file(name: str) -> bool:
    """A file Whoosh reads: the table of contents or a segment file (not locks, temporary
    files or the manifest)."""
    return bool(_TOC.match(name) or _SEGMENT_FILE.match(name))


def is_toc(name: str) -> bool:
    return bool(_TOC.match(name))


def segment_of(name: str) -> str | None:
    """The segment id (``MAIN_<id>``) a segment file belongs to."""
    match = _SEGMENT_FILE.match(name)
    return match.group(1) if match else None


def crc32(path: str | os.PathLike) -> str:
    value = 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            value = zlib.crc32(block, value)
    return f"{value:08x}"


def record(folder: str | os.PathLike, carried: dict[str, dict] | None = None) -> dict[str, dict]:
    """The records of every index file in ``folder``. ``carried``: records of files already
    verified (reused from a previous index), by name, with the inode they were verified as;
    those are not read again while they are still the same file."""
    folder = Path(folder)
    carried = carried or {}
    files = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not entry.is_file(follow_symlinks=False) or not is_index_file(entry.name):
            continue
        info = entry.stat(follow_symlinks=False)
        known = carried.get(entry.name)
        if known is not None and known.get("inode") == info.st_ino and known["size"] == info.st_size:
            files[entry.name] = {"size": known["size"], "crc32": known["crc32"]}
        else:
            files[entry.name] = {"size": info.st_size, "crc32": crc32(entry.path)}
    return files


def damaged(folder: str | os.PathLike, files: dict[str, dict], verified: dict | None = None) -> list[str]:
    """Names of the recorded files that are missing or differ (size, then checksum), and of
    unrecorded tables of contents (Whoosh would read the newest one).

    ``verified`` (kept by a long-running reader, the service): files already found good, by
    name, with their inode, size and modification and change times; a file still the same is
    not read again (a build reuses most files of an index as links, and writing into a file
    changes its times). Updated with the files found good."""
    folder = Path(folder)
    bad = []
    for name, expected in sorted(files.items()):
        try:
            info = os.stat(folder / name)
            key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, expected["crc32"])
            if verified is not None and verified.get(name) == key:
                continue
            if info.st_size != expected["size"] or crc32(folder / name) != expected["crc32"]:
                bad.append(name)
            elif verified is not None:
                verified[name] = key
        except OSError:
            bad.append(name)
    try:
        extra = [name for name in os.listdir(folder) if is_toc(name) and name not in files]
    except OSError:
        extra = []
    return bad + sorted(extra)


def valid_records(files) -> bool:
    """Whether ``files`` (read from a manifest) has the shape :func:`record` writes."""
    return isinstance(files, dict) and sum(map(is_toc, files)) == 1 and all(
        isinstance(name, str) and is_index_file(name) and isinstance(item, dict)
        and isinstance(item.get("size"), int) and isinstance(item.get("crc32"), str)
        for name, item in files.items()
    )


def check(folder: str | os.PathLike, files: dict[str, dict], verified: dict | None = None) -> None:
    """Raise :class:`DamagedIndex` naming the damaged files, if any (``verified``: see
    :func:`damaged`)."""
    bad = damaged(folder, files, verified)
    if bad:
        names = ", ".join(bad[:3]) + ("…" if len(bad) > 3 else "")
        raise DamagedIndex(
            f"chỉ mục tìm kiếm trong {folder} bị hỏng ({names} không khớp tổng kiểm); "
            "hãy xây dựng lại trang (make html)"
        )


def stamp(folder: str | os.PathLike, files) -> tuple:
    """What changes when any recorded file is replaced or written to (one ``stat`` each)."""
    folder = Path(folder)
    result = []
    for name in files:
        try:
            info = os.stat(folder / name)
            result.append((info.st_ino, info.st_size, info.st_mtime_ns))
        except OSError:
            result.append(None)
    return tuple(result)
