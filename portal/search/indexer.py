"""Write the search index incrementally, to a new folder that is swapped in whole.

:func:`write_index` takes every document of the site and the folder of the previous index:

* the previous index is linked (hard links; Whoosh never rewrites a segment file) into the
  new folder, and only what changed is written: documents whose fingerprint changed are
  re-analysed, removed ones are deleted, the rest is left alone. Nothing is written through
  a link: the manifest is not linked, and it is written to a new file renamed into place;
* a manifest (``manifest.json``: schema version, URL → fingerprint) says what is inside;
* the new folder is complete before anyone may open it; when the build writes the index into
  its temporary output, the whole site swaps in at once (``portal.build``). Used on its own,
  :func:`write_index` swaps the folder itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from portal.search.schema import SCHEMA_VERSION, SearchDocument, build_schema

MANIFEST = "manifest.json"


def postings_codec() -> W3Codec:
    """Whoosh's codec without zlib on the posting blocks: a query reads a few hundred blocks
    and decompressing them was a sixth of its time; the index is about 1.8× larger for it
    (figures in BENCHMARKS.md). Blocks say whether they are compressed, so older segments
    stay readable."""
    return W3Codec(compression=0)


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = False

    def __str__(self) -> str:
        kind = "full" if self.full else "incremental"
        return (
            f"search index ({kind}): {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


def read_manifest(folder: str | os.PathLike) -> dict | None:
    """The manifest of an index folder, or None when it is missing, damaged or outdated."""
    try:
        with open(Path(folder) / MANIFEST, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("documents"), dict):
        return None
    if manifest.get("schema") != SCHEMA_VERSION or not whoosh_index.exists_in(str(folder)):
        return None
    return manifest


def _link_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        # The manifest is written anew: linking it would let that write change the previous index.
        if item.is_file() and not item.name.endswith(".lock") and item.name != MANIFEST:
            try:
                os.link(item, target / item.name)
            except OSError:
                shutil.copy2(item, target / item.name)


def write_index(
    documents: list[SearchDocument],
    target: str | os.PathLike,
    previous: str | os.PathLike | None = None,
    procs: int = 1,
) -> IndexReport:
    """Write the index of ``documents`` into ``target`` (a folder that must not exist yet or
    that is replaced whole), reusing ``previous`` (default: ``target`` itself)."""
    target = Path(target)
    previous = Path(previous) if previous else target
    manifest = read_manifest(previous) if previous.exists() else None
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=target.parent))
    try:
        report = _write(documents, staging, previous, manifest, procs)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".index-old-", dir=target.parent))
            os.rename(target, old / "index")
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, target)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(documents, staging: Path, previous: Path, manifest: dict | None, procs: int) -> IndexReport:
    report = IndexReport()
    fingerprints = {doc.url: doc.fingerprint() for doc in documents}
    if manifest is None:
        report.full = True
        ix = whoosh_index.create_in(str(staging), build_schema())
        todo = documents
        report.added = len(documents)
        stale: list[str] = []
    else:
        _link_tree(previous, staging)
        ix = whoosh_index.open_dir(str(staging))
        known: dict[str, str] = manifest["documents"]
        todo = [doc for doc in documents if known.get(doc.url) != fingerprints[doc.url]]
        report.added = sum(1 for doc in todo if doc.url not in known)
        report.updated = len(todo) - report.added
        stale = [url for url in known if url not in fingerprints]
        report.removed = len(stale)
        report.unchanged = len(documents) - len(todo)

    if todo or stale or report.full:
        options = {"limitmb": 256, "codec": postings_codec()}
        if procs > 1 and report.full and len(todo) > 500:
            options.update(procs=procs, multisegment=True)
        writer = ix.writer(**options)
        for url in stale:
            writer.delete_by_term("url", url)
        adding = writer.add_document if report.full else writer.update_document
        for doc in todo:
            adding(**doc.fields())
        writer.commit()
    ix.close()
    write_new_file(staging / MANIFEST, json.dumps({"schema": SCHEMA_VERSION, "documents": fingerprints}))
    return report


def write_new_file(path: Path, text: str) -> None:
    """Write ``text`` to a new file renamed over ``path``: never into a file that may be shared
    (a hard link to the live index) or left half-written."""
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a service run as another user
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
