"""Snippets of a result: an escaped excerpt of its text with the query's syllables marked."""

from __future__ import annotations

import functools
import itertools
import re

from whoosh.highlight import htmlescape

from portal import vietnamese
from portal.search.analysis import normalize_same_length

SNIPPET_CHARS = 220


def snippet_of(stored: dict, terms: frozenset[str]) -> str:
    """The snippet of a result (its stored fields): around the matches in its body, else the
    beginning of its summary or body."""
    body = stored.get("body", "")
    return make_snippet(body, terms) or htmlescape((stored.get("summary") or body)[:SNIPPET_CHARS], quote=False)


def highlight_terms(plan) -> frozenset[str]:
    """Folded syllables of the body field that a snippet should mark."""
    return frozenset(text for field, text in plan.terms() if field == "content")


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
            pieces += [htmlescape(text[cursor:a], quote=False), "<mark>", htmlescape(text[a:b], quote=False), "</mark>"]
            cursor = b
    pieces.append(htmlescape(text[cursor:end], quote=False))
    body = _ADJACENT.sub(r"\1", " ".join("".join(pieces).split()))
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def mark_all(text: str, terms: frozenset[str]) -> str:
    """All of a short ``text`` (a title), escaped, with ``terms`` marked; adjacent matched
    syllables are one mark."""
    folded = vietnamese.fold(normalize_same_length(text))
    if len(folded) != len(text) or not terms:
        return htmlescape(text, quote=False)
    pieces, cursor = [], 0
    for match in itertools.islice(_terms_pattern(terms).finditer(folded), 300):
        a, b = match.span()
        pieces += [htmlescape(text[cursor:a], quote=False), "<mark>", htmlescape(text[a:b], quote=False), "</mark>"]
        cursor = b
    pieces.append(htmlescape(text[cursor:], quote=False))
    return _ADJACENT.sub(r"\1", "".join(pieces))


_ADJACENT = re.compile(r"</mark>(\s+)<mark>")  # syllables next to each other: one mark


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern:
    """Any of ``terms`` as a whole word (longest first, so no term hides a longer one)."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
