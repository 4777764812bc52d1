"""Answer a reader's query from the index: parse, filter, rank, snippet, facets, suggestion.

Free text, no syntax to learn and nothing that can fail: ``"quoted words"`` must appear as a
phrase, ``-word`` excludes, everything else (wildcards, ``field:``, brackets, markup) is just
text that the Vietnamese analysis reduces to syllables. Work per query is bounded: the query
is cut to :data:`MAX_QUERY_CHARS` and :data:`MAX_SYLLABLES`, and no query expands wildcards.

Ranking, for a query of syllables s1 s2 … (all required):

* BM25F over title (weighted ×2) and body, on folded syllables, so typing without diacritics,
  in capitals, in NFD or with the other tone placement finds the same articles;
* articles holding the syllables adjacent and in order (a phrase) come before those where
  they are scattered (BM25F orders each group);
* when the query carries diacritics, the best candidates are re-ranked: the exact phrase
  first, then the folded phrase, then scattered syllables, exact ones before folded-only
  ("đường" before "dương");
* abbreviations expand both ways: "ANTQ" also finds "an ninh Tổ quốc", "uy ban nhan dan"
  also finds "UBND"; an article scores by the best of the forms it holds.

Matching and scoring run on :class:`PostingSets` (posting lists as sets, BM25F scores as
arrays, computed once per opened index with Whoosh's own matchers and weighting) rather than
through Whoosh's collectors, which walk every matching document in Python.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import heapq
import itertools
import os
import re
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul
from pathlib import Path

from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, IntersectionMatcher, MultiMatcher, NullMatcher, WrappingMatcher
from whoosh.query import And, AndNot, DisjunctionMax, Every, Or, Phrase, Query, Term
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer
from whoosh.util import make_binary_tree

from portal import gazetteer, urls, vietnamese
from portal.search.analysis import abbreviation_forms, normalize_same_length, query_syllables
from portal.search.indexer import read_manifest

MAX_QUERY_CHARS = 300
MAX_SYLLABLES = 16
MAX_LIMIT = 100
MAX_PAGE = 500
RERANK_DEPTH = 30
CANDIDATES = 200  # BM25 candidates checked for adjacency before scanning every match
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_PART = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_SORTS = ("relevance", "newest")


class OutdatedIndex(FileNotFoundError):
    """The index was written by another version of the schema: the site must be rebuilt."""


class BadRequest(ValueError):
    """A parameter outside what the service accepts (answered with 400, never 500)."""


@dataclass
class SearchRequest:
    q: str = ""
    province: str | None = None
    year: int | None = None
    page: int = 1
    limit: int = 10
    sort: str = "relevance"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> SearchRequest:
        """Validate raw parameters (strings) of the API, the results page or the CLI."""
        q = clean_query(params.get("q") or "")
        province = (params.get("province") or "").strip() or None
        if province is not None and gazetteer.load().by_slug(province) is None:
            raise BadRequest("tỉnh không hợp lệ (dùng slug như 'quang-tri')")
        year = _int_param(params, "year", None, 1900, 2100, "năm")
        page = _int_param(params, "page", 1, 1, MAX_PAGE, "trang")
        limit = _int_param(params, "limit", 10, 1, None, "số kết quả")
        sort = (params.get("sort") or "relevance").strip()
        if sort not in _SORTS:
            raise BadRequest("sort phải là 'relevance' hoặc 'newest'")
        return cls(q, province, year, page, min(limit, MAX_LIMIT), sort)


def _int_param(params, name, default, low, high, label):
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise BadRequest(f"{label} ({name}) phải là số")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise BadRequest(f"{label} ({name}) ngoài khoảng cho phép")
    return value


def clean_query(text: str) -> str:
    """The query as the service reads it: NFC, no control characters, bounded length."""
    text = _CONTROL.sub(" ", vietnamese.nfc(text[: MAX_QUERY_CHARS * 4]))
    return vietnamese.clean_spaces(text)[:MAX_QUERY_CHARS]


@dataclass
class Hit:
    url: str
    title: str
    date: dt.datetime
    province: str
    snippet: str  # HTML: escaped text with <mark> around matches
    score: float


@dataclass
class SearchResponse:
    query: str
    total: int = 0
    results: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {"province": {}, "year": {}})
    suggestion: str | None = None
    page: int = 1
    pages: int = 0
    limit: int = 10
    sort: str = "relevance"

    def as_json(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "sort": self.sort,
            "results": [
                {
                    "url": "/" + hit.url.lstrip("/"),
                    "title": hit.title,
                    "date": hit.date.date().isoformat(),
                    "province": hit.province,
                    "snippet": hit.snippet,
                    "score": round(hit.score, 4),
                }
                for hit in self.results
            ],
            "facets": self.facets,
            "suggestion": self.suggestion,
        }


@dataclass
class ParsedQuery:
    """What a query asks for, in folded and exact syllables."""

    words: list[tuple[str, str]] = field(default_factory=list)  # (exact, folded), free words
    phrases: list[list[tuple[str, str]]] = field(default_factory=list)  # quoted
    excluded: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def has_diacritics(self) -> bool:
        return any(e != f for e, f in self.words + [s for p in self.phrases for s in p])


def parse(text: str) -> ParsedQuery:
    parsed = ParsedQuery()
    budget = MAX_SYLLABLES
    for match in _PART.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        quoted = match.group(2) is not None
        syllables = query_syllables(match.group(2) if quoted else match.group(4))[:budget]
        budget -= len(syllables)
        if not syllables:
            continue
        if negated:
            parsed.excluded.append(syllables)
        elif quoted and len(syllables) > 1:
            parsed.phrases.append(syllables)
        else:
            parsed.words.extend(syllables)
        if budget <= 0:
            break
    return parsed


_request_memo = threading.local()  # per search request: phrase → ids of documents holding it


class AdjacentPhrase(Phrase):
    """Whoosh's ``Phrase`` (slop 1) with a faster check of adjacency, done once per request.

    Whoosh builds a ``Span`` object for every position of every term in every candidate
    document; here the decoded position lists are intersected as sets. The documents holding the
    phrase are found in one scan, remembered for the rest of the request (ranking, counting and
    boosts all use the phrase) and served by skipping straight to them.
    """

    def _present(self, searcher) -> bool:
        reader = searcher.reader()
        return self.fieldname in searcher.schema and all((self.fieldname, w) in reader for w in self.words)

    def holders(self, searcher, context=None) -> list[int]:
        """Sorted ids of the documents holding the phrase (remembered per opened index when
        a :class:`PostingSets` serves the request, else per request)."""
        if not self._present(searcher):
            return []
        sets = getattr(_request_memo, "sets", None)
        if sets is not None and sets.searcher is searcher:
            return sets.phrase(self)
        memo = getattr(_request_memo, "phrases", None)
        key = (id(searcher.reader()), self.fieldname, tuple(self.words))
        ids = memo.get(key) if memo is not None else None
        if ids is None:
            scan = _AdjacentMatcher([Term(self.fieldname, w).matcher(searcher, context) for w in self.words])
            ids = list(scan.all_ids())
            if memo is not None:
                memo[key] = ids
        return ids

    def holding(self, searcher, candidates) -> set[int]:
        """Which of ``candidates`` (document ids) hold the phrase, checking only those."""
        if not self._present(searcher):
            return set()
        reader = searcher.reader()
        decode = searcher.schema[self.fieldname].format.decode_positions
        remaining = sorted(candidates)
        per_word = []
        for word in self.words:  # each word's raw positions in the candidates still possible
            values = {}
            for ids, _, raw in _blocks(reader.postings(self.fieldname, word), values=True, wanted=remaining):
                values.update(zip(ids, raw, strict=True))  # a few documents more than wanted: harmless
            remaining = [doc for doc in remaining if doc in values]
            per_word.append(values)
            if not remaining:
                return set()
        return {doc for doc in remaining if _adjacent([decode(values[doc]) for values in per_word])}

    def matcher(self, searcher, context=None):
        ids = self.holders(searcher, context)
        if not ids:
            return NullMatcher()
        terms = [Term(self.fieldname, w).matcher(searcher, context) for w in self.words]
        return _KnownIdsMatcher(make_binary_tree(IntersectionMatcher, terms), ids, self.boost)


def _adjacent(position_lists) -> set[int]:
    """Start positions where each list's position follows the previous one."""
    starts = set(position_lists[0])
    for offset, positions in enumerate(position_lists[1:], 1):
        starts.intersection_update(p - offset for p in positions)
        if not starts:
            break
    return starts


class _AdjacentMatcher(SpanWrappingMatcher):
    """Documents where the terms' positions follow one another."""

    def __init__(self, matchers):
        self.matchers = matchers
        super().__init__(make_binary_tree(IntersectionMatcher, matchers))

    def copy(self):
        return self.__class__([m.copy() for m in self.matchers])

    def _get_spans(self):
        starts = _adjacent([matcher.value_as("positions") for matcher in self.matchers])
        last = len(self.matchers) - 1
        return [Span(start, start + last) for start in sorted(starts)]


class _KnownIdsMatcher(WrappingMatcher):
    """The child's postings (and scores) restricted to a sorted list of document ids."""

    def __init__(self, child, ids, boost=1.0):
        super().__init__(child, boost=boost)
        self._ids = ids
        self._index = 0
        self._align()

    def _align(self):
        ids, child = self._ids, self.child
        while self._index < len(ids) and child.is_active():
            target = ids[self._index]
            if child.id() < target:
                child.skip_to(target)
                continue
            if child.id() == target:
                return
            self._index = bisect.bisect_left(ids, child.id(), self._index)
        self._index = len(ids)

    def is_active(self):
        return self._index < len(self._ids) and self.child.is_active()

    def copy(self):
        matcher = self.__class__(self.child.copy(), self._ids, self.boost)
        matcher._index = self._index
        return matcher

    def _replacement(self, newchild):
        return self.__class__(newchild, self._ids, self.boost)

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    def supports_block_quality(self):
        return False

    def next(self):
        self._index += 1
        self._align()

    def skip_to(self, id):
        self._index = bisect.bisect_left(self._ids, id, self._index)
        self._align()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()


def _sequence(folded: tuple[str, ...], field: str = "content", boost: float = 1.0) -> Query:
    """Folded syllables in order in one field (the body field holds the title too)."""
    if len(folded) == 1:
        return Term(field, folded[0], boost=boost)
    return AdjacentPhrase(field, list(folded), boost=boost)


def _fields_or(form: tuple[str, ...], fields: tuple[str, ...]) -> Query:
    parts = [_sequence(form, field) for field in fields]
    return Or(parts) if len(parts) > 1 else parts[0]


def _groups(words: list[tuple[str, str]], with_title: bool = False) -> list[Query]:
    """One required clause per syllable, or per abbreviation span with its other forms;
    ``with_title`` also scores each form in the title (weighted by the schema)."""
    forms = abbreviation_forms()
    fields = ("content", "title") if with_title else ("content",)
    longest = max((len(k) for k in forms), default=1)
    folded = [f for _, f in words]
    clauses: list[Query] = []
    index = 0
    while index < len(folded):
        for size in range(min(longest, len(folded) - index), 0, -1):
            span = tuple(folded[index: index + size])
            if span in forms:
                # the best-scoring form counts, so an article is not favoured for spelling it out
                alternatives = [_fields_or(form, fields) for form in (span, *forms[span])]
                clauses.append(DisjunctionMax(alternatives))
                index += size
                break
        else:
            terms = [Term(field, folded[index]) for field in fields]
            clauses.append(Or(terms) if len(terms) > 1 else terms[0])
            index += 1
    return clauses


def required_query(parsed: ParsedQuery, with_title: bool = False) -> Query:
    """What every result must hold: each syllable (or abbreviation form), each quoted phrase,
    none of the excluded words. Cheap to match: it decides the total and the facets.
    ``with_title``: each free syllable is also scored in the title (:func:`build_query`)."""
    clauses: list[Query] = _groups(parsed.words, with_title=with_title)
    clauses += [_sequence(tuple(f for _, f in phrase)) for phrase in parsed.phrases]
    query: Query = And(clauses) if len(clauses) > 1 else clauses[0]
    if parsed.excluded:
        query = AndNot(query, Or([_sequence(tuple(f for _, f in ex)) for ex in parsed.excluded]))
    return query


def build_query(parsed: ParsedQuery) -> Query:
    """The ranked query: the required part, each free syllable also scored in the title.

    Only ``And``/``Or`` of terms (and remembered phrases), so Whoosh can skip blocks of
    documents that cannot reach the top; adjacency is ranked by :func:`adjacency_query`."""
    return required_query(parsed, with_title=True)


def adjacency_query(parsed: ParsedQuery) -> Query | None:
    """The free syllables adjacent and in order; its holders rank above the others."""
    folded = tuple(f for _, f in parsed.words)
    return _sequence(folded) if len(folded) > 1 else None


def _exact_pattern(syllables: list[tuple[str, str]]) -> re.Pattern:
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(e) for e, _ in syllables) + r"(?!\w)")


def exactness_of(parsed: ParsedQuery):
    """A function of a text: 2 if it holds the query's exact phrases, 1 if every exact
    syllable, 0 if only folded matches (patterns compiled once per query)."""
    phrases = ([_exact_pattern(parsed.words)] if parsed.words else []) + [_exact_pattern(p) for p in parsed.phrases]
    syllables = {e for e, _ in parsed.words + [s for p in parsed.phrases for s in p]}
    each = [_exact_pattern([(e, e)]) for e in sorted(syllables)]

    def exactness(text: str) -> int:
        normalized = normalize_same_length(text)
        if parsed.words and all(pattern.search(normalized) for pattern in phrases):
            return 2
        return 1 if all(pattern.search(normalized) for pattern in each) else 0

    return exactness


SNIPPET_CHARS = 220


def make_snippet(text: str, terms: frozenset[str], size: int = SNIPPET_CHARS) -> str:
    """An escaped excerpt of ``text`` around the densest cluster of ``terms`` (folded
    syllables), each marked ``<mark>``; "" when none occurs.

    Whoosh's highlighter re-analyses the whole text into Token objects for every hit; folding
    keeps character offsets (:func:`vietnamese.fold`), so one regular-expression pass over the
    folded text finds the same syllables for a fraction of the cost."""
    folded = vietnamese.fold(normalize_same_length(text))
    if len(folded) != len(text) or not terms:  # not NFC: offsets would drift
        return ""
    spans = [m.span() for m in itertools.islice(_terms_pattern(terms).finditer(folded), 300)]
    if not spans:
        return ""
    best_start, best_count, end_index = spans[0][0], 0, 0
    for index, (start, _) in enumerate(spans):
        end_index = max(end_index, index)
        while end_index + 1 < len(spans) and spans[end_index + 1][1] <= start + size:
            end_index += 1
        count = len({folded[a:b] for a, b in spans[index:end_index + 1]})
        if count > best_count:
            best_start, best_count = start, count
    start = max(0, best_start - 40)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + size)
    while end < len(text) and not text[end].isspace():
        end += 1
    pieces, cursor = [], start
    for a, b in spans:
        if a >= start and b <= end:
            pieces += [highlight.htmlescape(text[cursor:a], quote=False), "<mark>",
                       highlight.htmlescape(text[a:b], quote=False), "</mark>"]
            cursor = b
    pieces.append(highlight.htmlescape(text[cursor:end], quote=False))
    body = " ".join("".join(pieces).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern:
    """Any of ``terms`` as a whole word (longest first, so no term hides a longer one)."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _highlight_terms(query: Query) -> frozenset:
    """Folded syllables of the body field that a snippet should mark."""
    return frozenset(text for field, text in query.iter_all_terms() if field == "content")


def _blocks(matcher, weights: bool = False, values: bool = False, wanted: list[int] | None = None):
    """A posting list a block at a time: ``(ids, weights, values)`` (``None`` where not asked).

    Whoosh's matchers step through postings one Python call at a time; its ``whoosh3`` codec
    stores them in blocks (up to 128 postings) that decode in one C call each. With ``wanted``
    (sorted document ids), only blocks that may hold one of them are read. Several segments
    and deleted documents are handled as Whoosh's reader presents them; other matchers
    (another codec) are walked posting by posting.
    """
    if isinstance(matcher, MultiMatcher):  # an index of several segments
        for sub, offset in zip(matcher.matchers, matcher.offsets, strict=True):
            shifted = [doc - offset for doc in wanted] if wanted is not None else None
            for ids, w, v in _blocks(sub, weights, values, shifted):
                yield [doc + offset for doc in ids], w, v
        return
    if isinstance(matcher, FilterMatcher):  # a segment with deleted documents
        skip, exclude = matcher._ids, matcher._exclude
        for ids, w, v in _blocks(matcher.child, weights, values, wanted):
            keep = [i for i, doc in enumerate(ids) if (doc in skip) != exclude]
            if len(keep) == len(ids):
                yield ids, w, v
            elif keep:
                yield ([ids[i] for i in keep], None if w is None else [w[i] for i in keep],
                       None if v is None else [v[i] for i in keep])
        return
    if not isinstance(matcher, W3LeafMatcher):
        rows = []
        while matcher.is_active():
            rows.append((matcher.id(), matcher.weight() if weights else None, matcher.value() if values else None))
            matcher.next()
        if rows:
            ids, w, v = zip(*rows, strict=True)
            yield list(ids), (list(w) if weights else None), (list(v) if values else None)
        return
    position = 0  # in ``wanted``: the first id above the blocks already passed
    while matcher.is_active():
        if wanted is not None:
            if position == len(wanted):
                return
            block_max = matcher.block_max_id()
            if wanted[position] > block_max:  # nothing wanted in this block: don't read it
                matcher._next_block()
                continue
            position = bisect.bisect_right(wanted, block_max, position)
        if matcher._ids is None:  # Whoosh's _read_ids(), with its delta decoding done in C
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0]
            matcher._ids = ids if matcher._byteids else tuple(itertools.accumulate(ids))
        start = matcher._i
        w = v = None
        if weights:
            if matcher._weights is None:
                matcher._read_weights()
            w = matcher._weights[start:]
        if values:
            if matcher._values is None:
                matcher._read_values()
            v = matcher._values[start:]
        yield matcher._ids[start:], w, v
        matcher._next_block()


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
    one opened index.

    A query over common syllables matches thousands of documents; walking them through Whoosh
    matchers costs tens of microseconds each, for every query. Here a term's documents and
    scores are computed once (by Whoosh's own matcher and weighting) and kept: matching is a
    set intersection in C, scoring a few array look-ups per candidate.
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
            try:
                matcher = self.reader.postings(field, text)
            except Exception:  # whoosh raises TermNotFound for an unknown term
                ids = frozenset()
            else:
                ids = frozenset(itertools.chain.from_iterable(block for block, _, _ in _blocks(matcher)))
            self._found.put((field, text), ids)
        return ids

    def phrase(self, phrase: AdjacentPhrase) -> list[int]:
        """Sorted ids of the documents holding ``phrase``: positions are checked only in the
        documents holding all its syllables (a set intersection)."""
        key = ("phrase", phrase.fieldname, tuple(phrase.words))
        ids = self._found.get(key)
        if ids is None:
            parts = sorted((self.term(phrase.fieldname, w) for w in phrase.words), key=len)
            ids = sorted(phrase.holding(self.searcher, parts[0].intersection(*parts[1:])))
            self._found.put(key, ids)
        return ids

    def term_scores(self, field: str, text: str):
        """BM25F score of ``text`` in ``field`` per document: an array (indexed by document
        number) for common terms, a dict for rare ones."""
        key = ("score", field, text)
        scores = self._arrays.get(key)
        if scores is None:
            scores = self._found.get(key)
        if scores is not None:
            return scores
        pairs = self._bm25(field, text)
        if pairs is None:  # another weighting: Whoosh scores each posting
            matcher = Term(field, text).matcher(self.searcher)
            pairs = {}
            while matcher.is_active():
                pairs[matcher.id()] = matcher.score()
                matcher.next()
        if len(pairs) < self.CACHE_SCORES_FROM:
            return self._found.put(key, pairs)
        scores = array("f", bytes(4 * self.searcher.doc_count_all()))
        for docnum, value in pairs.items():
            scores[docnum] = value
        return self._arrays.put(key, scores)

    def _bm25(self, field: str, text: str) -> dict[int, float] | None:
        """Whoosh's BM25F scores of one term, computed a block of postings at a time from the
        same statistics as its scorer (idf, average and per-document field lengths)."""
        try:
            scorer = self.searcher.weighting.scorer(self.searcher, field, text)
            matcher = self.reader.postings(field, text)
        except TermNotFound:
            return {}
        if not isinstance(scorer, BM25FScorer):
            return None
        lengths = self._lengths(field)
        idf, k1, b, avgfl = scorer.idf, scorer.K1, scorer.B, scorer.avgfl
        top = idf * (k1 + 1)
        pairs: dict[int, float] = {}
        norm = k1 * b / avgfl
        base = k1 * (1 - b)
        for ids, weights, _ in _blocks(matcher, weights=True):
            pairs.update(
                (doc, top * tf / (tf + base + norm * lengths[doc])) for doc, tf in zip(ids, weights, strict=True)
            )
        return pairs

    def _lengths(self, field: str) -> list[int]:
        """Length of ``field`` in every document, as Whoosh's scorer reads it (once per index)."""
        lengths = self._field_lengths.get(field)
        if lengths is None:
            length, count = self.searcher.doc_field_length, self.searcher.doc_count_all()
            lengths = self._field_lengths[field] = [length(doc, field, 1) for doc in range(count)]
        return lengths

    def scores(self, query: Query, documents: list[int]) -> list[float]:
        """Scores of ``query`` for ``documents``, as Whoosh's matchers would add them up (And,
        Or: sums; DisjunctionMax: the best; a phrase: its terms, where it is held), computed
        with C-level ``map`` over the cached per-term arrays."""
        if isinstance(query, Term):
            values = self.term_scores(query.fieldname, query.text)
            found = map(values.__getitem__, documents) if isinstance(values, array) else (
                map(values.get, documents, repeat(0.0)))
            return list(map(mul, found, repeat(query.boost))) if query.boost != 1 else list(found)
        if isinstance(query, AdjacentPhrase):
            words = [Term(query.fieldname, w, boost=query.boost) for w in query.words]
            held = set(query.holders(self.searcher))
            return list(map(mul, self.scores(Or(words), documents), map(held.__contains__, documents)))
        if isinstance(query, DisjunctionMax):
            return list(map(max, *(self.scores(q, documents) for q in query.subqueries)))
        if isinstance(query, (And, Or)):
            parts = [self.scores(q, documents) for q in query.subqueries]
            return list(map(sum, zip(*parts, strict=True))) if len(parts) > 1 else parts[0]
        if isinstance(query, AndNot):
            return self.scores(query.a, documents)
        return [0.0] * len(documents)

    def dates(self):
        """Document number → sortable date value (Whoosh's column of the ``date`` field)."""
        return self.reader.column_reader("date", translate=False)

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

    def values(self, field: str) -> list[str]:
        """Every indexed value of a keyword field (years, units), read once per index."""
        if field not in self._values:
            self._values[field] = [v.decode("utf-8") if isinstance(v, bytes) else v for v in self.reader.lexicon(field)]
        return self._values[field]

    def ids(self, query: Query) -> frozenset | set:
        """Documents matching one of the queries this module builds."""
        if isinstance(query, Term):
            return self.term(query.fieldname, query.text)
        if isinstance(query, And):
            parts = sorted((self.ids(q) for q in query.subqueries), key=len)
            return parts[0].intersection(*parts[1:]) if parts else set()
        if isinstance(query, (Or, DisjunctionMax)):
            return set().union(*(self.ids(q) for q in query.subqueries))
        if isinstance(query, AndNot):
            return self.ids(query.a) - self.ids(query.b)
        if isinstance(query, AdjacentPhrase):
            return set(query.holders(self.searcher))
        if isinstance(query, Every):
            return frozenset(self.reader.all_doc_ids())
        return set(self.searcher.docs_for_query(query))


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
        self._searcher = None
        # One request at a time reads the index: Whoosh reads postings through shared file
        # objects (seek + read), and the work is Python-bound, so threads gain nothing here.
        self._search_lock = threading.Lock()
        self._warming = threading.Event()  # set: stop warming
        self._warmed = threading.Event()  # set: the frequent terms of the open index are cached

    @property
    def index_dir(self) -> Path:
        return self.site / urls.SEARCH_INDEX_DIR

    def _current(self):
        """The Whoosh searcher and posting sets of the index now in place, together (one stat
        per query; the index is reopened when a build swapped it)."""
        try:
            info = os.stat(self.index_dir / "manifest.json")
            stamp = (os.stat(self.index_dir).st_ino, info.st_ino, info.st_mtime_ns)
        except OSError:
            raise FileNotFoundError(f"không có chỉ mục tìm kiếm trong {self.site}; chạy make html") from None
        with self._lock:
            if stamp != self._stamp:
                if read_manifest(self.index_dir) is None:
                    raise OutdatedIndex(
                        f"chỉ mục tìm kiếm trong {self.site} do phiên bản cũ ghi; hãy xây dựng lại trang (make html)"
                    )
                index = whoosh_index.open_dir(str(self.index_dir))
                self._searcher, self._index, self._stamp = index.searcher(), index, stamp
                self._sets = PostingSets(self._searcher)
                self._warming.set()  # stop warming the previous index
                self._warming, self._warmed = threading.Event(), threading.Event()
                if self.warm_up:
                    threading.Thread(target=self._warm, args=(self._sets, self._warming, self._warmed),
                                     daemon=True).start()
                else:
                    self._warmed.set()
            return self._searcher, self._sets

    def _warm(self, sets, stop: threading.Event, done: threading.Event) -> None:
        try:
            sets.warm(self._search_lock, stop)
        finally:
            done.set()

    def status(self) -> dict:
        """For health checks: documents in the index, and whether its warm-up is over."""
        with self._search_lock:
            searcher, _ = self._current()
            documents = searcher.doc_count()
        return {"documents": documents, "ready": self._warmed.is_set()}

    def search(self, request: SearchRequest) -> SearchResponse:
        with self._search_lock:
            searcher, sets = self._current()
            _request_memo.phrases, _request_memo.sets = {}, sets
            try:
                return self._search(searcher, sets, request)
            finally:
                _request_memo.phrases = _request_memo.sets = None

    def _search(self, searcher, sets, request: SearchRequest) -> SearchResponse:
        response = SearchResponse(request.q, page=request.page, limit=request.limit, sort=request.sort)
        parsed = parse(request.q)
        if parsed.empty and not request.province and not request.year:
            return response
        required = Every() if parsed.empty else required_query(parsed)
        candidates, response.facets = self._filter_and_count(sets, sets.ids(required), request)
        response.total = len(candidates)
        response.pages = -(-response.total // request.limit)

        wanted = request.page * request.limit
        rerank = parsed.has_diacritics and request.sort == "relevance"
        depth = max(wanted, RERANK_DEPTH) if rerank else wanted
        if request.sort == "newest" or parsed.empty:
            dates = sets.dates()
            ranked = heapq.nlargest(depth, candidates, key=lambda doc: (dates[doc], -doc))
            scores, tiers = dict.fromkeys(ranked, 0.0), {}
        else:
            ranked, scores, tiers = self._ranked(searcher, sets, parsed, candidates, depth, wanted)
        stored = {doc: searcher.stored_fields(doc) for doc in ranked}
        if rerank:
            texts = {doc: f"{stored[doc]['title']}\n{stored[doc].get('body', '')}" for doc in ranked}
            exactness = exactness_of(parsed)
            classes = {doc: exactness(text) for doc, text in texts.items()}
            # the exact phrase first, then the folded phrase, then scattered syllables
            ranked.sort(key=lambda doc: (classes[doc] < 2, tiers[doc], -classes[doc], -scores[doc], doc))
        terms = _highlight_terms(required)
        response.results = [
            self._hit(stored[doc], scores[doc], terms) for doc in ranked[wanted - request.limit: wanted]
        ]
        if response.total == 0 and not parsed.empty:
            response.suggestion = self._suggest(searcher, parsed)
        return response

    def _ranked(self, searcher, sets, parsed: ParsedQuery, candidates, depth: int, wanted: int):
        """Best ``depth`` documents: those holding the syllables adjacent first, then the rest;
        BM25F (title weighted) within each tier. Returns them, their scores and tiers.

        Within a tier the order is BM25F's, so when the best :data:`CANDIDATES` already hold
        the ``wanted`` documents of the page, they are the tier's best: only those candidates
        need their positions checked. Otherwise every candidate is checked (one scan)."""
        documents = list(candidates)
        scores = dict(zip(documents, sets.scores(build_query(parsed), documents), strict=True))
        order = lambda doc: (scores[doc], -doc)  # noqa: E731 - deterministic ties
        pool = heapq.nlargest(max(CANDIDATES, 2 * depth), scores, key=order)
        adjacency = adjacency_query(parsed)
        if adjacency is None:
            return pool[:depth], scores, dict.fromkeys(pool, 0)
        holding = adjacency.holding(searcher, pool)
        if len(holding) < wanted and len(pool) < len(candidates):
            holding = set(adjacency.holders(searcher)) & candidates
            first = heapq.nlargest(depth, holding, key=order)
            rest = heapq.nlargest(depth, (d for d in candidates if d not in holding), key=order)
        else:
            first = [doc for doc in pool if doc in holding]
            rest = [doc for doc in pool if doc not in holding]
        ranked = first[:depth] + rest[: max(0, depth - len(first))]
        tiers = {doc: (0 if doc in holding else 1) for doc in ranked}
        return ranked, scores, tiers

    def _filter_and_count(self, sets, matching, request) -> tuple[frozenset | set, dict[str, dict[str, int]]]:
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

    def _hit(self, stored: dict, score: float, terms: frozenset) -> Hit:
        body = stored.get("body", "")
        snippet = make_snippet(body, terms)
        if not snippet:
            snippet = highlight.htmlescape((stored.get("summary") or body)[:220], quote=False)
        return Hit(
            url=stored["url"],
            title=stored["title"],
            date=stored["date"],
            province=stored.get("province_label", ""),
            snippet=snippet,
            score=score,
        )

    def _suggest(self, searcher, parsed: ParsedQuery) -> str | None:
        """The query with unknown syllables replaced by near indexed ones, picking the first
        combination (nearest edits first, at most 9 tried) that finds something."""
        corrector = searcher.corrector("content")
        reader = searcher.reader()
        syllables = parsed.words + [s for p in parsed.phrases for s in p]
        choices: list[list[str]] = []
        for exact, folded in syllables:
            options = [exact]
            if reader.doc_frequency("content", folded) == 0 and len(folded) > 2:
                options = corrector.suggest(folded, limit=3, maxdist=1) or corrector.suggest(folded, limit=3, maxdist=2)
            if not options:
                return None
            choices.append(options)
        if all(options == [exact] for options, (exact, _) in zip(choices, syllables, strict=True)):
            return None
        for combination in itertools.islice(itertools.product(*choices), 9):
            candidate = " ".join(combination)
            if searcher.search(build_query(parse(candidate)), limit=1).scored_length():
                return candidate
        return None


_searchers: dict[str, Searcher] = {}


def searcher_for(site: str | os.PathLike, warm_up: bool = False) -> Searcher:
    """One shared :class:`Searcher` per site folder in this process."""
    key = os.path.abspath(site)
    if key not in _searchers:
        _searchers[key] = Searcher(key, warm_up=warm_up)
    return _searchers[key]


__all__ = ["BadRequest", "SearchRequest", "SearchResponse", "Searcher", "searcher_for", "parse", "build_query"]
