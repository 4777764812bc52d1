"""Write the search index incrementally, to a new folder that is swapped in whole.

:func:`write_index` takes every document of the site and the folder of the previous index:

* the previous index is linked (hard links; Whoosh never rewrites a segment file) into the
  new folder, and only what changed is written: documents whose fingerprint changed are
  re-analysed, removed ones are deleted, the rest is left alone. Nothing is written through
  a link: the manifest is not linked, and it is written to a new file renamed into place;
* a manifest (``manifest.json``: schema version, URL → fingerprint, and the size and CRC-32 of
  every index file, :mod:`portal.search.integrity`) says what is inside. A previous file
  that fails its checksum is not reused: its segment is dropped and the documents it held
  are indexed again;
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
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from portal.search import integrity
from portal.search.schema import SCHEMA_VERSION, SearchDocument, build_schema

MANIFEST = "manifest.json"


class PortalCodec(W3Codec):
    """Whoosh's ``whoosh3`` codec, with two changes to its writer; the files are Whoosh's own
    and segments keep this class's name (``portal.search.indexer.PortalCodec``) to read them:

    * each document's field length is looked up once (:class:`_LengthsOnce`) rather than once
      per posting;
    * the postings of a term found in one document only are kept in the term's own entry
      ("inlined", :class:`_PostingsWriter`) rather than in a block of their own: most syllable
      pairs are such terms."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=2):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


class _PostingsWriter(W3PostingsWriter):
    """Inlines a term's postings when they are fewer than ``inlinelimit``. Whoosh reads
    inlined postings, but its writer never inlines: it would call ``set_inline``, a method its
    term info does not have (``set_inlined``), under a condition its default limit never meets.
    This is Whoosh's ``finish_postings`` with that name right, and with the values of a format
    that has none stored as the empty bytes its blocks give (a merge of segments reads them)."""

    def finish_postings(self):
        terminfo = self._terminfo
        values = self._values or [b""] * len(self._ids)
        if not self.written() and len(self._ids) < self._inlinelimit and len(values) == len(self._ids):
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, values)
        else:
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        return super().add_postings(schema, _LengthsOnce(lengths) if lengths else lengths, items)


class _LengthsOnce:
    """A segment's field lengths, each read once: Whoosh reads a document's length in a field
    for every posting of it (a term's block keeps the shortest and longest), a sixth of the
    time it takes to write the index. Postings come field by field: one field's are kept."""

    def __init__(self, lengths):
        self.lengths, self.field, self.known = lengths, None, {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if fieldname != self.field:
            self.field, self.known = fieldname, {}
        length = self.known.get(docnum)
        if length is None:
            length = self.known[docnum] = self.lengths.doc_field_length(docnum, fieldname, default)
        return length


def postings_codec() -> W3Codec:
    """The codec, zlib on the posting blocks (Whoosh's default). Without positions (phrases
    are answered by syllable pairs, :mod:`portal.search.analysis`) the blocks a query reads are
    small and are read once per open index (:mod:`portal.search.searcher` caches them), so
    decompressing them costs little; figures in BENCHMARKS.md. Blocks say whether they are
    compressed, so indexes written either way stay readable."""
    return PortalCodec(compression=3)


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = False
    damaged: list[str] = field(default_factory=list)  # files of the previous index that failed their checksum
    unreadable_manifest: bool = False  # the previous index's manifest was there but could not be used

    def __str__(self) -> str:
        kind = "full" if self.full else "incremental"
        return (
            f"search index ({kind}): {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


def read_manifest(folder: str | os.PathLike) -> dict | None:
    """The manifest of an index folder, or None when it is missing, damaged, outdated or has
    no checksums (written by an older version)."""
    manifest = _load_manifest(folder)
    return manifest if _usable(manifest) else None


_MISSING, _UNREADABLE = object(), object()


def _load_manifest(folder: str | os.PathLike):
    """The manifest's JSON value, or ``_MISSING`` or ``_UNREADABLE``."""
    try:
        with open(Path(folder) / MANIFEST, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return _MISSING
    except (OSError, ValueError):
        return _UNREADABLE


def _usable(manifest) -> bool:
    return (
        isinstance(manifest, dict)
        and manifest.get("schema") == SCHEMA_VERSION
        and isinstance(manifest.get("documents"), dict)
        and integrity.valid_records(manifest.get("files"))
    )


def _outdated(manifest) -> bool:
    """Written by another schema version: a full index is expected, not a sign of damage."""
    return isinstance(manifest, dict) and manifest.get("schema") != SCHEMA_VERSION


def _link_files(source: Path, target: Path, files: dict[str, dict]) -> dict[str, dict]:
    """Link (or copy) the verified ``files`` of ``source`` into ``target``; their records, with
    the inode each now has in ``target`` (see :func:`integrity.record`)."""
    carried = {}
    for name, item in files.items():
        try:
            os.link(source / name, target / name)
        except OSError:
            shutil.copy2(source / name, target / name)
        carried[name] = {**item, "inode": os.stat(target / name).st_ino}
    return carried


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
    loaded = _load_manifest(previous) if previous.exists() else _MISSING
    manifest = loaded if _usable(loaded) else None
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=target.parent))
    try:
        report = _write(documents, staging, previous, manifest, procs)
        report.unreadable_manifest = loaded is not _MISSING and manifest is None and not _outdated(loaded)
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
    known, carried = _reuse(previous, staging, manifest, report) if manifest is not None else (None, {})
    if known is None:
        report.full = True
        ix = whoosh_index.create_in(str(staging), build_schema())
        todo = documents
        report.added = len(documents)
        stale: list[str] = []
    else:
        ix = whoosh_index.open_dir(str(staging))
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
    files = integrity.record(staging, carried)
    manifest = {"schema": SCHEMA_VERSION, "documents": fingerprints, "files": files}
    write_new_file(staging / MANIFEST, json.dumps(manifest))
    return report


def _reuse(previous: Path, staging: Path, manifest: dict, report: IndexReport):
    """Link the files of the previous index that pass their checksums into ``staging``: the
    URL → fingerprint of the documents they hold and the links' records, or ``(None, {})``
    when nothing can be reused (the index is written in full).

    A damaged segment file drops its segment (the documents it held are indexed again); a
    damaged table of contents drops everything."""
    files = manifest["files"]
    bad = integrity.damaged(previous, files)
    report.damaged = bad
    if not bad:
        return manifest["documents"], _link_files(previous, staging, files)
    dropped = {integrity.segment_of(name) for name in bad}
    if None in dropped:  # the table of contents itself
        return None, {}
    good = {name: item for name, item in files.items() if integrity.segment_of(name) not in dropped}
    carried = _link_files(previous, staging, good)
    try:
        storage = FileStorage(str(staging))
        toc = TOC.read(storage, "MAIN")
        segments = [segment for segment in toc.segments if segment.segment_id() not in dropped]
        old_tocs = [name for name in os.listdir(staging) if integrity.is_toc(name)]
        TOC(toc.schema, segments, toc.generation + 1).write(storage, "MAIN")
        for name in old_tocs:  # links: removing them changes nothing else
            os.unlink(staging / name)
        with whoosh_index.open_dir(str(staging)).searcher() as searcher:
            present = {url for url in searcher.reader().field_terms("url")
                       if searcher.document_number(url=url) is not None}
    except Exception:  # whatever Whoosh makes of it: start afresh
        for item in staging.iterdir():
            item.unlink()
        return None, {}
    known = {url: value for url, value in manifest["documents"].items() if url in present}
    return known, {name: item for name, item in carried.items() if not integrity.is_toc(name)}


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
