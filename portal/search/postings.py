"""Posting lists read a block at a time — the one module that knows Whoosh's private names.

Whoosh's matchers step through postings one Python call at a time; its ``whoosh3`` codec
stores them in blocks (up to 128 postings) that decode in one C call each. Reading blocks
directly makes a term's documents a set and its BM25F scores an array in a fraction of the
time, which is what keeps a query fast (:mod:`portal.search.searcher` caches them).

Doing so reaches into Whoosh: the attributes listed in :data:`PRIVATE_NAMES` are not its
public API. ``tests/test_search_postings.py`` checks that each still exists and that the
results equal Whoosh's own matchers, so a Whoosh upgrade that changes them fails the tests,
not the service. No other module of the portal may use them.
"""

from __future__ import annotations

import bisect
import itertools

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, MultiMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer

PRIVATE_NAMES = {  # class → the names read here that are not Whoosh's public API
    W3LeafMatcher: ("_ids", "_data", "_byteids", "_i", "_weights", "_values", "_read_data", "_read_weights",
                    "_read_values", "_next_block", "block_max_id"),
    FilterMatcher: ("child", "_ids", "_exclude"),
    MultiMatcher: ("matchers", "offsets"),
    BM25FScorer: ("idf", "K1", "B", "avgfl"),
}


def blocks(matcher, weights: bool = False, values: bool = False, wanted: list[int] | None = None):
    """A posting list a block at a time: ``(ids, weights, values)`` (``None`` where not asked).

    With ``wanted`` (sorted document ids), only blocks that may hold one of them are read.
    Several segments and deleted documents are handled as Whoosh's reader presents them;
    other matchers (another codec) are walked posting by posting.
    """
    if isinstance(matcher, MultiMatcher):  # an index of several segments
        for sub, offset in zip(matcher.matchers, matcher.offsets, strict=True):
            shifted = [doc - offset for doc in wanted] if wanted is not None else None
            for ids, w, v in blocks(sub, weights, values, shifted):
                yield [doc + offset for doc in ids], w, v
        return
    if isinstance(matcher, FilterMatcher):  # a segment with deleted documents
        skip, exclude = matcher._ids, matcher._exclude
        for ids, w, v in blocks(matcher.child, weights, values, wanted):
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


def term_ids(reader, field: str, text: str) -> frozenset:
    """Documents holding ``text`` in ``field`` (none for an unknown term)."""
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return frozenset()
    return frozenset(itertools.chain.from_iterable(ids for ids, _, _ in blocks(matcher)))


def bm25_scores(searcher, field: str, text: str, lengths) -> dict[int, float]:
    """Whoosh's score of ``text`` in ``field`` for each document holding it; for BM25F (the
    portal's weighting) computed a block at a time from the statistics of Whoosh's scorer
    (idf, average field length) and ``lengths`` (the field's length in every document)."""
    try:
        scorer = searcher.weighting.scorer(searcher, field, text)
        matcher = searcher.reader().postings(field, text)
    except TermNotFound:
        return {}
    if not isinstance(scorer, BM25FScorer):  # another weighting: Whoosh scores each posting
        matcher, pairs = searcher.postings(field, text), {}
        while matcher.is_active():
            pairs[matcher.id()] = matcher.score()
            matcher.next()
        return pairs
    idf, k1, b, avgfl = scorer.idf, scorer.K1, scorer.B, scorer.avgfl
    top = idf * (k1 + 1)
    pairs: dict[int, float] = {}
    norm = k1 * b / avgfl
    base = k1 * (1 - b)
    for ids, weights, _ in blocks(matcher, weights=True):
        pairs.update((doc, top * tf / (tf + base + norm * lengths[doc])) for doc, tf in zip(ids, weights, strict=True))
    return pairs


def phrase_in(searcher, field: str, words: tuple[str, ...], candidates) -> set[int]:
    """Which of ``candidates`` (document ids) hold ``words`` adjacent and in order in
    ``field``: the position lists of those documents only are decoded and intersected."""
    reader = searcher.reader()
    if field not in searcher.schema or not all((field, w) in reader for w in words):
        return set()
    decode = searcher.schema[field].format.decode_positions
    remaining = sorted(candidates)
    per_word = []
    for word in words:  # each word's raw positions in the candidates still possible
        values = {}
        for ids, _, raw in blocks(reader.postings(field, word), values=True, wanted=remaining):
            values.update(zip(ids, raw, strict=True))  # a few documents more than wanted: harmless
        remaining = [doc for doc in remaining if doc in values]
        per_word.append(values)
        if not remaining:
            return set()
    return {doc for doc in remaining if adjacent([decode(values[doc]) for values in per_word])}


def adjacent(position_lists) -> set[int]:
    """Start positions where each list's position follows the previous one."""
    starts = set(position_lists[0])
    for offset, positions in enumerate(position_lists[1:], 1):
        starts.intersection_update(p - offset for p in positions)
        if not starts:
            break
    return starts
