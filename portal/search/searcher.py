"""Answer a reader's query from the index of a built site: open it (again when a build swapped
it), keep its posting sets and scores cached, warm them up, and run a request through the
parser, the plan, the ranking, the snippets and the suggestion.

Matching and scoring run on :class:`PostingSets` (posting lists as sets, BM25F scores as
arrays, computed once per opened index by :mod:`portal.search.postings`) rather than through
Whoosh's collectors, which walk every matching document in Python. Work per query is bounded:
the query is cut (:mod:`portal.search.request`, :mod:`portal.search.parser`) and no query
expands wildcards.
"""

from __future__ import annotations

import functools
import heapq
import os
import threading
from array import array
from collections import OrderedDict
from pathlib import Path

from whoosh import index as whoosh_index

from portal import urls
from portal.search import integrity, postings
from portal.search.analysis import pair_term
from portal.search.indexer import read_manifest
from portal.search.intent import understand
from portal.search.parser import excluded_plan, parse, required_plan
from portal.search.plan import Everything
from portal.search.ranking import VERIFY_SLACK, rank, verified
from portal.search.request import Hit, SearchRequest, SearchResponse
from portal.search.schema import PAIRS_OF
from portal.search.snippets import held_by, highlights, mark_all, snippet_of
from portal.search.suggest import suggest


class OutdatedIndex(FileNotFoundError):
    """The index was written by another version of the schema: the site must be rebuilt."""


class _LRU:
    """A mapping that forgets its least recently used entries beyond ``size`` (thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        """Keep ``value`` under ``key``; return it."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class PostingSets:
    """Posting lists as sets of document numbers, and BM25F scores per document, cached for
    one opened index (what :mod:`portal.search.plan` evaluates plans on).

    A query over common syllables matches thousands of documents; walking them through Whoosh
    matchers costs tens of microseconds each, for every query. Here a term's documents and
    scores are computed once and kept: matching is a set intersection in C, scoring a few
    array look-ups per candidate.
    """

    CACHE_SIZE = 4096
    SCORE_CACHE_SIZE = 256  # terms whose scores are kept (each an array over all documents)
    CACHE_SCORES_FROM = 200  # postings; rarer terms are scored on the fly (cheap)

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self._found = _LRU(self.CACHE_SIZE)  # term and phrase → document ids; rare term → scores
        self._arrays = _LRU(self.SCORE_CACHE_SIZE)  # common term → scores of every document
        self._field_lengths: dict[str, list[int]] = {}
        self._values: dict[str, list[str]] = {}

    def term(self, field: str, text: str) -> frozenset:
        ids = self._found.get((field, text))
        if ids is None:
            ids = self._found.put((field, text), postings.term_ids(self.reader, field, text))
        return ids

    def every(self) -> frozenset:
        return frozenset(self.reader.all_doc_ids())

    def phrase(self, field: str, words: tuple[str, ...]) -> frozenset:
        """Documents holding ``words`` adjacent and in order in ``field`` (remembered). In a
        field indexed by pairs (``content``): the documents holding every two adjacent words,
        one set intersection — exact for two words; for more, a document may hold "a b" and
        "b c" apart (the page shown is checked against its text: :func:`verified`). Other
        fields: positions checked in the documents holding every word."""
        key = ("phrase", field, words)
        ids = self._found.get(key)
        if ids is None:
            pairs = PAIRS_OF.get(field)
            if pairs is not None:
                parts = sorted((self.term(pairs, pair) for pair in map(pair_term, words, words[1:])), key=len)
                ids = parts[0].intersection(*parts[1:])
            else:
                parts = sorted((self.term(field, w) for w in words), key=len)
                ids = frozenset(postings.phrase_in(self.searcher, field, words, parts[0].intersection(*parts[1:])))
            self._found.put(key, ids)
        return ids

    def phrase_in(self, field: str, words: tuple[str, ...], candidates) -> set[int]:
        """Which of ``candidates`` hold the phrase. In a field indexed by pairs, the phrase's
        set; otherwise positions are decoded only for candidates holding every word."""
        if field in PAIRS_OF:
            return self.phrase(field, words).intersection(candidates)
        candidates = set(candidates)
        for word in set(words):
            candidates &= self.term(field, word)
            if not candidates:
                return set()
        return postings.phrase_in(self.searcher, field, words, candidates)

    def term_scores(self, field: str, text: str):
        """BM25F score of ``text`` in ``field`` per document: an array (indexed by document
        number) for common terms, a dict for rare ones."""
        key = ("score", field, text)
        scores = self._arrays.get(key)
        if scores is None:
            scores = self._found.get(key)
        if scores is not None:
            return scores
        pairs = postings.bm25_scores(self.searcher, field, text, self.lengths(field))
        if len(pairs) < self.CACHE_SCORES_FROM:
            return self._found.put(key, pairs)
        scores = array("f", bytes(4 * self.searcher.doc_count_all()))
        for docnum, value in pairs.items():
            scores[docnum] = value
        return self._arrays.put(key, scores)

    def lengths(self, field: str) -> list[int]:
        """Length of ``field`` in every document, as Whoosh's scorer reads it (once per index)."""
        lengths = self._field_lengths.get(field)
        if lengths is None:
            length, count = self.searcher.doc_field_length, self.searcher.doc_count_all()
            lengths = self._field_lengths[field] = [length(doc, field, 1) for doc in range(count)]
        return lengths

    def dates(self):
        """Document number → sortable date value (Whoosh's column of the ``date`` field)."""
        return self.reader.column_reader("date", translate=False)

    def values(self, field: str) -> list[str]:
        """Every indexed value of a keyword field (years, units), read once per index."""
        if field not in self._values:
            self._values[field] = [v.decode("utf-8") if isinstance(v, bytes) else v for v in self.reader.lexicon(field)]
        return self._values[field]

    def warm(self, lock: threading.Lock, stop: threading.Event) -> None:
        """Compute the scores of the most frequent terms ahead of queries (run in a
        background thread when an index is opened; takes ``lock`` one term at a time)."""
        frequent: list[tuple[int, str, str]] = []
        for name, count in (("content", self.SCORE_CACHE_SIZE), ("title", self.SCORE_CACHE_SIZE // 4)):
            with lock:
                terms = [(info.doc_frequency(), name, text) for text, info in self.reader.iter_field(name)]
            frequent += heapq.nlargest(count, (t for t in terms if t[0] >= self.CACHE_SCORES_FROM))
        for _, name, text in sorted(frequent, reverse=True):
            if stop.is_set():
                return
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            with lock:
                self.term(name, text)
                self.term_scores(name, text)


class Searcher:
    """Queries over the index of one built site; reopens it when a build swapped it.

    ``warm_up``: when an index is opened, compute the scores of its most frequent terms in a
    background thread (the search service does; a one-off command line search does not)."""

    def __init__(self, site: str | os.PathLike, warm_up: bool = False):
        self.warm_up = warm_up
        self.site = Path(site)
        self._lock = threading.Lock()
        self._stamp = None
        self._index = None
        self._sets = None
        self._files: dict[str, dict] = {}  # the recorded files of the open index
        self._verified: dict[str, tuple] = {}  # files that passed their checksums (integrity.damaged)
        self._refusal: FileNotFoundError | None = None  # why the index in place is not used
        # One request at a time reads the index: Whoosh reads postings through shared file
        # objects (seek + read), and the work is Python-bound, so threads gain nothing here.
        self._search_lock = threading.Lock()
        self._warming = threading.Event()  # set: stop warming
        self._warmed = threading.Event()  # set: the frequent terms of the open index are cached

    @property
    def index_dir(self) -> Path:
        return self.site / urls.SEARCH_INDEX_DIR

    def posting_sets(self) -> PostingSets:
        """The posting sets of the index now in place (a few stats per query; the index is
        reopened when a build swapped it or a file of it changed, and used only when its
        files pass their checksums: :class:`integrity.DamagedIndex` otherwise)."""
        try:
            info = os.stat(self.index_dir / "manifest.json")
            stamp = (os.stat(self.index_dir).st_ino, info.st_ino, info.st_mtime_ns,
                     integrity.stamp(self.index_dir, self._files))
        except OSError:
            raise FileNotFoundError(f"không có chỉ mục tìm kiếm trong {self.site}; chạy make html") from None
        with self._lock:
            if stamp != self._stamp:
                self._open(stamp[:3])
            if self._refusal is not None:
                raise self._refusal
            return self._sets

    def _open(self, manifest_stamp: tuple) -> None:
        """Open the index in place, or remember why it cannot be used (until it changes)."""
        self._warming.set()  # stop warming the previous index
        self._warming, self._warmed = threading.Event(), threading.Event()
        self._sets = self._index = self._refusal = None
        manifest = read_manifest(self.index_dir)
        self._files = manifest["files"] if manifest else {}
        self._stamp = (*manifest_stamp, integrity.stamp(self.index_dir, self._files))
        try:
            if manifest is None:
                raise OutdatedIndex(
                    f"chỉ mục tìm kiếm trong {self.site} do phiên bản cũ ghi; hãy xây dựng lại trang (make html)"
                )
            self._verified = {name: key for name, key in self._verified.items() if name in self._files}
            integrity.check(self.index_dir, self._files, self._verified)
            index = whoosh_index.open_dir(str(self.index_dir))
        except Exception as error:  # missing, outdated, damaged
            self._refusal = error if isinstance(error, FileNotFoundError) else integrity.DamagedIndex(
                f"không mở được chỉ mục tìm kiếm trong {self.site} ({error.__class__.__name__}); "
                "hãy xây dựng lại trang (make html)"
            )
            return
        self._sets, self._index = PostingSets(index.searcher()), index
        if self.warm_up:
            threading.Thread(target=self._warm, args=(self._sets, self._warming, self._warmed), daemon=True).start()
        else:
            self._warmed.set()

    def _warm(self, sets, stop: threading.Event, done: threading.Event) -> None:
        try:
            sets.warm(self._search_lock, stop)
        finally:
            done.set()

    def status(self) -> dict:
        """For health checks: documents in the index, and whether its warm-up is over. Takes
        no turn on the index: it answers at once however many searches are waiting."""
        sets = self.posting_sets()
        return {"documents": sets.searcher.doc_count(), "ready": self._warmed.is_set()}

    def search(self, request: SearchRequest) -> SearchResponse:
        with self._search_lock:
            sets = self.posting_sets()
            try:
                return self._search(sets, request)
            except Exception as error:
                self._refuse_if_damaged(sets, error)
                raise

    def _refuse_if_damaged(self, sets: PostingSets, error: Exception) -> None:
        """After a failed search: when the files of the open index no longer pass their
        checksums (written to in place, unnoticed by the stats), refuse the index from now on."""
        with self._lock:
            if sets is not self._sets:
                return
            try:
                integrity.check(self.index_dir, self._files)
            except integrity.DamagedIndex as damaged:
                self._sets, self._refusal = None, damaged
                raise damaged from error

    def _search(self, sets: PostingSets, request: SearchRequest) -> SearchResponse:
        response = SearchResponse(request.q, page=request.page, limit=request.limit, sort=request.sort)
        parsed = parse(request.q)
        intent = understand(sets, parsed)
        response.understood = intent
        if parsed.empty and not request.province and not request.year:
            return response
        candidates, response.facets = filter_and_count(sets, matching(sets, intent), request)
        response.total = len(candidates)
        wanted = request.page * request.limit
        stored = functools.cache(sets.searcher.stored_fields)
        required = None if intent.rest.empty else required_plan(intent.rest)
        check = required is not None and required.approximate()  # a long phrase: check the text
        depth = wanted + VERIFY_SLACK if check else wanted
        ranked, scores = [], {}
        for group in intent_groups(sets, intent, candidates, request.sort):
            if len(ranked) >= depth:
                break
            order, values = rank(sets, intent.rest, group, request.sort, depth - len(ranked), stored)
            ranked += order[: depth - len(ranked)]
            scores.update(values)
        if check:
            ranked, dropped = verified(sets, required, ranked, stored, wanted)
            response.total -= dropped
        response.pages = -(-response.total // request.limit)
        marks = highlights(parsed)
        response.results = [_hit(stored(doc), scores[doc], marks) for doc in ranked[wanted - request.limit: wanted]]
        if response.total == 0 and not intent.rest.empty:
            response.suggestion = suggest(sets, intent.rest)
            if response.suggestion and intent.named:  # keep the place and the year
                response.suggestion = f"{intent.named} {response.suggestion}"
        return response


def matching(sets: PostingSets, intent) -> frozenset | set:
    """The documents a query matches: its other words, within the place when it names one
    (the place's articles, or its name written in text); a year widens a query that has
    nothing else (that year's articles, or the year written) and only reorders otherwise."""
    rest = intent.rest
    if not rest.empty:
        found = required_plan(rest).ids(sets)
    elif intent.province is not None:
        found = place_ids(sets, intent)
    elif intent.year is not None:
        found = sets.term("year", str(intent.year)) | sets.term("content", str(intent.year))
    else:
        found = Everything().ids(sets)
    if not rest.empty and intent.province is not None:
        found = found & place_ids(sets, intent)
    if rest.empty and rest.excluded:  # a place or a year, minus excluded words
        found = found - excluded_plan(rest).ids(sets)
    return found


def place_ids(sets: PostingSets, intent) -> set:
    """Articles of the understood place, and those whose text names it."""
    found = set(sets.term("province", intent.slug))
    for words in intent.names:
        found.update(sets.term("content", words[0]) if len(words) == 1 else sets.phrase("content", words))
    return found


def intent_groups(sets: PostingSets, intent, candidates, sort: str) -> list[set]:
    """``candidates`` in the order a reader expects them: the place's articles first, and
    within each, that year's articles, then those whose title names the year, then the rest.
    Sorting by date keeps one group."""
    if sort != "relevance" or (intent.province is None and intent.year is None):
        return [candidates]
    parts = [candidates]
    if intent.province is not None:
        place = candidates & sets.term("province", intent.slug)
        parts = [place, candidates - place]
    if intent.year is not None:
        year, titled = sets.term("year", str(intent.year)), sets.term("title", str(intent.year))
        parts = [group for part in parts for group in (part & year, (part & titled) - year, part - year - titled)]
    return [part for part in parts if part]


def _hit(stored: dict, score: float, marks) -> Hit:
    held = held_by(stored, marks)  # the result holds the query's phrase: lone syllables unmarked
    return Hit(url=stored["url"], title=stored["title"], date=stored["date"],
               province=stored.get("province_label", ""), snippet=snippet_of(stored, marks, held), score=score,
               title_html=mark_all(stored["title"], marks, held))


def filter_and_count(sets: PostingSets, matching, request: SearchRequest):
    """The matching documents within the province and year filters, and the counts per
    province (current unit) and year; each facet ignores its own filter, so readers see
    where else the query has results."""
    by_province = sets.term("province", request.province) if request.province else None
    by_year = sets.term("year", str(request.year)) if request.year else None
    in_year = matching & by_year if by_year is not None else matching
    in_province = matching & by_province if by_province is not None else matching
    found = in_year & by_province if by_province is not None else in_year
    provinces = {unit: len(in_year & sets.term("unit", unit)) for unit in sets.values("unit")}
    years = {year: len(in_province & sets.term("year", year)) for year in sets.values("year")}
    return found, {
        "province": dict(sorted(((k, v) for k, v in provinces.items() if v), key=lambda kv: (-kv[1], kv[0]))),
        "year": dict(sorted(((k, v) for k, v in years.items() if v), reverse=True)),
    }


_searchers: dict[str, Searcher] = {}


def searcher_for(site: str | os.PathLike, warm_up: bool = False) -> Searcher:
    """One shared :class:`Searcher` per site folder in this process."""
    key = os.path.abspath(site)
    if key not in _searchers:
        _searchers[key] = Searcher(key, warm_up=warm_up)
    return _searchers[key]
