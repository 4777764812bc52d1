"""Query text → what it asks for (:class:`ParsedQuery`) → the plans that answer it.

Free text, no syntax to learn and nothing that can fail: ``"quoted words"`` must appear as a
phrase, ``-word`` excludes, everything else (wildcards, ``field:``, brackets, markup) is just
text that the Vietnamese analysis reduces to syllables. At most :data:`MAX_SYLLABLES` are
read, and no query expands wildcards.

Abbreviations expand both ways (``portal/data/abbreviations.csv``): "ANTQ" also finds "an
ninh Tổ quốc", "uy ban nhan dan" also finds "UBND"; an article scores by the best of the
forms it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.search.analysis import abbreviation_forms, query_syllables
from portal.search.plan import AllOf, AnyOf, BestOf, Node, Phrase, Term, Without

MAX_SYLLABLES = 16
_PART = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


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


def _sequence(folded: tuple[str, ...], field: str = "content") -> Node:
    """Folded syllables in order in one field (the body field holds the title too)."""
    return Term(field, folded[0]) if len(folded) == 1 else Phrase(field, tuple(folded))


def _fields_or(form: tuple[str, ...], fields: tuple[str, ...]) -> Node:
    parts = tuple(_sequence(form, field) for field in fields)
    return AnyOf(parts) if len(parts) > 1 else parts[0]


def _groups(words: list[tuple[str, str]], with_title: bool = False) -> list[Node]:
    """One required clause per syllable, or per abbreviation span with its other forms;
    ``with_title`` also scores each form in the title and the metadata (weighted by the schema)."""
    forms = abbreviation_forms()
    fields = ("content", "title", "meta") if with_title else ("content",)
    longest = max((len(k) for k in forms), default=1)
    folded = [f for _, f in words]
    clauses: list[Node] = []
    index = 0
    while index < len(folded):
        for size in range(min(longest, len(folded) - index), 0, -1):
            span = tuple(folded[index: index + size])
            if span in forms:
                # the best-scoring form counts, so an article is not favoured for spelling it out
                clauses.append(BestOf(tuple(_fields_or(form, fields) for form in (span, *forms[span]))))
                index += size
                break
        else:
            terms = tuple(Term(field, folded[index]) for field in fields)
            clauses.append(AnyOf(terms) if len(terms) > 1 else terms[0])
            index += 1
    return clauses


def required_plan(parsed: ParsedQuery, with_title: bool = False) -> Node:
    """What every result must hold: each syllable (or abbreviation form), each quoted phrase,
    none of the excluded words. It decides the total and the facets. ``with_title``: each
    free syllable is also scored in the title (:func:`ranked_plan`)."""
    clauses = _groups(parsed.words, with_title=with_title)
    clauses += [_sequence(tuple(f for _, f in phrase)) for phrase in parsed.phrases]
    plan: Node = AllOf(tuple(clauses)) if len(clauses) > 1 else clauses[0]
    excluded = excluded_plan(parsed)
    return plan if excluded is None else Without(plan, excluded)


def excluded_plan(parsed: ParsedQuery) -> Node | None:
    """What no result may hold (``-word``, ``-"a phrase"``), or None."""
    if not parsed.excluded:
        return None
    return AnyOf(tuple(_sequence(tuple(f for _, f in ex)) for ex in parsed.excluded))


def ranked_plan(parsed: ParsedQuery) -> Node:
    """The plan that scores: the required part, each free syllable also scored in the title and
    the metadata. Adjacency is ranked apart (:func:`adjacency_plan`)."""
    return required_plan(parsed, with_title=True)


def adjacency_plan(parsed: ParsedQuery) -> Phrase | None:
    """The free syllables adjacent and in order; its holders rank above the others."""
    folded = tuple(f for _, f in parsed.words)
    return Phrase("content", folded) if len(folded) > 1 else None
