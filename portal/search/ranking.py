"""The order of the results, for a query of syllables s1 s2 … (all required):

* BM25F over title (weighted ×2), metadata (provinces, tags, author, source: ×1.5) and body,
  on folded syllables, so typing without diacritics, in capitals, in NFD or with the other
  tone placement finds the same articles;
* articles whose title holds the query as typed come first (a remembered title typed without
  diacritics; "ANTQ" in a title before "an ninh Tổ quốc" in a body), then those whose
  metadata holds it (a tag, the author, the source), then those holding the syllables
  adjacent and in order (a phrase), then those where they are scattered (BM25F orders each
  group);
* when the query carries diacritics, the best candidates are re-ranked: the exact phrase
  first, then the folded phrase, then scattered syllables, exact ones before folded-only
  ("đường" before "dương");
* sorted by date, or with no query words (filters only): newest first.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable

from portal.search.analysis import folded_text, holds_phrase, normalize_same_length
from portal.search.parser import ParsedQuery, adjacency_plan, ranked_plan
from portal.search.plan import Phrase
from portal.search.schema import STORED_TEXT

RERANK_DEPTH = 30
VERIFY_SLACK = 10  # documents ranked beyond the page in case some fail :func:`verified`
CANDIDATES = 200  # BM25 candidates checked for adjacency before scanning every match


def rank(sets, parsed: ParsedQuery, candidates, sort: str, wanted: int,
         stored: Callable[[int], dict]) -> tuple[list[int], dict[int, float]]:
    """The best ``wanted`` (or more) of ``candidates`` in order, and their scores.
    ``stored``: a document's stored fields (its text for the re-ranking by diacritics)."""
    rerank = parsed.has_diacritics and sort == "relevance"
    depth = max(wanted, RERANK_DEPTH) if rerank else wanted
    if sort == "newest" or parsed.empty:
        dates = sets.dates()
        ranked = heapq.nlargest(depth, candidates, key=lambda doc: (dates[doc], -doc))
        return ranked, dict.fromkeys(ranked, 0.0)
    ranked, scores, tiers = _tiers(sets, parsed, candidates, depth, wanted)
    if rerank:
        exactness = exactness_of(parsed)
        text = lambda doc: "\n".join(stored(doc).get(name) or "" for name in STORED_TEXT)  # noqa: E731
        classes = {doc: exactness(text(doc)) for doc in ranked}
        # the exact phrase first, then the folded phrase, then scattered syllables
        ranked.sort(key=lambda doc: (classes[doc] < 2, tiers[doc], -classes[doc], -scores[doc], doc))
    return ranked, scores


def _tiers(sets, parsed: ParsedQuery, candidates, depth: int, wanted: int):
    """Best ``depth`` documents: those whose title holds the query as typed first (a
    remembered title, "ANTQ" written so), then those whose metadata holds it, then those
    holding the syllables adjacent, then the rest; BM25F (title weighted) within each tier.
    Returns them, their scores and tiers.

    Within a tier the order is BM25F's, so when the best :data:`CANDIDATES` already hold
    the ``wanted`` documents of the page, they are the tier's best: only those candidates
    need their positions checked. Otherwise every candidate is checked (one scan)."""
    documents = list(candidates)
    scores = dict(zip(documents, ranked_plan(parsed).scores(sets, documents), strict=True))
    order = lambda doc: (scores[doc], -doc)  # noqa: E731 - deterministic ties
    pool = heapq.nlargest(max(CANDIDATES, 2 * depth), scores, key=order)
    titled = _holding(sets, parsed, pool, "title")
    described = _holding(sets, parsed, [doc for doc in pool if doc not in titled], "meta")
    adjacency = adjacency_plan(parsed)
    if adjacency is None:
        tiers = {doc: (0 if doc in titled else 1 if doc in described else 2) for doc in pool}
        ranked = sorted(pool, key=lambda doc: (tiers[doc], -scores[doc], doc))[:depth]
        return ranked, scores, tiers
    holding = adjacency.holding(sets, pool)
    if len(holding) < wanted and len(pool) < len(candidates):
        holding = adjacency.holders(sets) & candidates
        first = heapq.nlargest(depth, holding, key=order)
        rest = heapq.nlargest(depth, (d for d in candidates if d not in holding), key=order)
    else:
        first = [doc for doc in pool if doc in holding]
        rest = [doc for doc in pool if doc not in holding]
    ranked = first[:depth] + rest[: max(0, depth - len(first))]
    tiers = {doc: (0 if doc in titled else 1 if doc in described else 2 if doc in holding else 3) for doc in ranked}
    ranked.sort(key=lambda doc: (tiers[doc], -scores[doc], doc))
    return ranked, scores, tiers


def _holding(sets, parsed: ParsedQuery, pool, field: str) -> set[int]:
    """Which of ``pool`` have every free syllable of the query, adjacent and as typed (folded),
    in ``field`` (the title, the metadata)."""
    folded = tuple(f for _, f in parsed.words)
    if not folded or not pool:
        return set()
    if len(folded) == 1:
        return set(pool) & sets.term(field, folded[0])
    return Phrase(field, folded).holding(sets, pool)


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


def verified(sets, plan, ranked: list[int], stored: Callable[[int], dict], wanted: int) -> tuple[list[int], int]:
    """The first ``wanted`` of ``ranked`` that match ``plan`` by their text, and how many were
    passed over: a phrase of three syllables or more is matched by its pairs, which a document
    may hold apart ("a b … b c"). Its stored text (title, body, metadata) is read, and the
    ``meta`` field's positions (current units' names are not stored); only the documents up to
    the page shown are read."""
    kept, dropped = [], 0
    for doc in ranked:
        if len(kept) == wanted:
            break
        folded = folded_text(stored(doc).get(name) or "" for name in STORED_TEXT)
        holds = lambda words: holds_phrase(folded, words) or bool(sets.phrase_in("meta", words, (doc,)))  # noqa: E731, B023
        if plan.held_by(holds):
            kept.append(doc)
        else:
            dropped += 1
    return kept, dropped
