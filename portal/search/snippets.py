"""Snippets of a result: an escaped excerpt of its text with the query's syllables marked.

Adjacent matched syllables are one mark. When the result holds the query's phrase (its free
syllables in order, a quoted phrase, or another form of them: "ANTQ" for "an ninh Tổ quốc"),
syllables of that phrase standing alone or in part ("Công an", "Công an tổ chức") are not
marked: the reader looks for the phrase, and a lone common syllable is noise.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from whoosh.highlight import htmlescape

from portal import vietnamese
from portal.search.analysis import abbreviation_forms, normalize_same_length
from portal.search.parser import ParsedQuery, required_plan
from portal.search.schema import STORED_TEXT

SNIPPET_CHARS = 220
MAX_FORMS = 8  # forms of one phrase (abbreviations substituted) checked for a match


@dataclass(frozen=True)
class Marks:
    """What to mark: folded syllables, and the forms of the query's phrases (folded)."""

    terms: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    @functools.cached_property
    def phrase_syllables(self) -> frozenset[str]:
        """Syllables that are not marked alone once a phrase is held (not a form by themselves)."""
        whole = {p[0] for p in self.phrases if len(p) == 1}
        return frozenset(s for p in self.phrases if len(p) > 1 for s in p) - whole

    def held_in(self, folded: str) -> bool:
        """Whether ``folded`` text holds one of the phrases."""
        return bool(self.phrases) and _phrases_pattern(self.phrases).search(folded) is not None


def highlights(parsed: ParsedQuery) -> Marks:
    """The marks of a query: every syllable it matches in the body field, and its phrases."""
    if parsed.empty:
        return Marks()
    terms = frozenset(text for field, text in required_plan(parsed).terms() if field == "content")
    phrases: list[tuple[str, ...]] = []
    for words in [parsed.words, *parsed.phrases]:
        forms = _forms(tuple(f for _, f in words))
        if any(len(form) > 1 for form in forms):
            phrases += [form for form in forms if form not in phrases]
    return Marks(terms, tuple(phrases))


def _forms(folded: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``folded`` and the same with one abbreviation span replaced by another form of it."""
    table = abbreviation_forms()
    forms = [folded] if folded else []
    for start in range(len(folded)):
        for end in range(len(folded), start, -1):
            for other in table.get(folded[start:end], ()):
                if len(forms) < MAX_FORMS:
                    forms.append(folded[:start] + other + folded[end:])
    return forms


def snippet_of(stored: dict, marks: Marks, held: bool | None = None) -> str:
    """The snippet of a result (its stored fields): around the matches in its body, else the
    beginning of its summary or body. ``held``: :func:`held_by` when known."""
    body = stored.get("body", "")
    return make_snippet(body, marks, held=held_by(stored, marks) if held is None else held) \
        or htmlescape((stored.get("summary") or body)[:SNIPPET_CHARS], quote=False)


def held_by(stored: dict, marks: Marks) -> bool:
    """Whether a result (its title, body or metadata) holds one of the query's phrases."""
    if not marks.phrases:
        return False
    return any(marks.held_in(_folded(stored.get(name) or "")) for name in STORED_TEXT)


@functools.lru_cache(maxsize=64)
def _folded(text: str) -> str:
    """``text`` folded, offsets kept; remembered for the few texts of a results page (whether
    a result holds the phrase, then its snippet, read the same body)."""
    return vietnamese.fold(normalize_same_length(text))


def make_snippet(text: str, marks: Marks, size: int = SNIPPET_CHARS, held: bool | None = None) -> str:
    """An escaped excerpt of ``text`` around the densest cluster of the marked syllables (the
    phrase preferred), each run of adjacent ones one ``<mark>``; "" when none occurs.
    ``held``: the result holds a phrase of the query (default: ``text`` does).

    Whoosh's highlighter re-analyses the whole text into Token objects for every hit; folding
    keeps character offsets (:func:`vietnamese.fold`), so one regular-expression pass over the
    folded text finds the same syllables for a fraction of the cost."""
    folded = _folded(text)
    if len(folded) != len(text) or not marks.terms:  # not NFC: offsets would drift
        return ""
    spans = [m.span() for m in itertools.islice(_terms_pattern(marks.terms).finditer(folded), 300)]
    if not spans:
        return ""
    phrase_at = [m.start() for m in _phrases_pattern(marks.phrases).finditer(folded)] if marks.phrases else []
    best_start, best_count, end_index = spans[0][0], (-1, -1), 0
    for index, (start, _) in enumerate(spans):
        end_index = max(end_index, index)
        while end_index + 1 < len(spans) and spans[end_index + 1][1] <= start + size:
            end_index += 1
        count = (any(start <= at < start + size - 40 for at in phrase_at),
                 len({folded[a:b] for a, b in spans[index:end_index + 1]}))
        if count > best_count:
            best_start, best_count = start, count
    start = max(0, best_start - 40)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + size)
    while end < len(text) and not text[end].isspace():
        end += 1
    held = marks.held_in(folded) if held is None else held
    inside = [(a, b) for a, b in spans if a >= start and b <= end]
    body = _marked(text, folded, inside, marks, held, start, end)
    return ("… " if start > 0 else "") + " ".join(body.split()) + (" …" if end < len(text) else "")


def mark_all(text: str, marks: Marks, held: bool | None = None) -> str:
    """All of a short ``text`` (a title), escaped, with the query's syllables marked as in
    :func:`make_snippet`."""
    folded = _folded(text)
    if len(folded) != len(text) or not marks.terms:
        return htmlescape(text, quote=False)
    spans = [m.span() for m in itertools.islice(_terms_pattern(marks.terms).finditer(folded), 300)]
    held = marks.held_in(folded) if held is None else held
    return _marked(text, folded, spans, marks, held, 0, len(text))


def _marked(text: str, folded: str, spans: list[tuple[int, int]], marks: Marks, held: bool,
            start: int, end: int) -> str:
    """``text[start:end]`` escaped, each run of adjacent ``spans`` one mark; when the result
    holds a phrase of the query, a run made only of that phrase's syllables without holding it
    whole is left unmarked."""
    runs: list[list[tuple[int, int]]] = []
    for span in spans:
        if runs and not folded[runs[-1][-1][1]:span[0]].strip():
            runs[-1].append(span)
        else:
            runs.append([span])
    pieces, cursor = [], start
    for run in runs:
        a, b = run[0][0], run[-1][1]
        if held and all(folded[x:y] in marks.phrase_syllables for x, y in run) and not marks.held_in(folded[a:b]):
            continue  # part of the phrase, not all of it: "Công an", "Công an tổ chức"
        pieces += [htmlescape(text[cursor:a], quote=False), "<mark>", htmlescape(text[a:b], quote=False), "</mark>"]
        cursor = b
    pieces.append(htmlescape(text[cursor:end], quote=False))
    return "".join(pieces)


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern:
    """Any of ``terms`` as a whole word (longest first, so no term hides a longer one)."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@functools.lru_cache(maxsize=256)
def _phrases_pattern(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern:
    """Any of ``phrases`` (folded syllables separated by spaces) as whole words."""
    alternatives = "|".join(r"\s+".join(map(re.escape, p)) for p in sorted(phrases, key=lambda p: -len(p)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
