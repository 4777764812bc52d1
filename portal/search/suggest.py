""""Did you mean": a query that finds nothing, with its unknown syllables replaced."""

from __future__ import annotations

import itertools

from portal.search.parser import ParsedQuery, parse, ranked_plan

MAX_TRIED = 9


def suggest(sets, parsed: ParsedQuery) -> str | None:
    """The query with unknown syllables replaced by near indexed ones, picking the first
    combination (nearest edits first, at most :data:`MAX_TRIED`) that finds something —
    checked by the same plan evaluation as any query."""
    corrector = sets.searcher.corrector("content")
    syllables = parsed.words + [s for p in parsed.phrases for s in p]
    choices: list[list[str]] = []
    for exact, folded in syllables:
        options = [exact]
        if sets.reader.doc_frequency("content", folded) == 0 and len(folded) > 2:
            options = corrector.suggest(folded, limit=3, maxdist=1) or corrector.suggest(folded, limit=3, maxdist=2)
        if not options:
            return None
        choices.append(options)
    if all(options == [exact] for options, (exact, _) in zip(choices, syllables, strict=True)):
        return None
    for combination in itertools.islice(itertools.product(*choices), MAX_TRIED):
        candidate = " ".join(combination)
        if ranked_plan(parse(candidate)).ids(sets):
            return candidate
    return None
