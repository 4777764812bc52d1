""""Did you mean": a query that finds nothing, with its unknown syllables replaced, or the place
it nearly names."""

from __future__ import annotations

import difflib
import itertools

from portal import gazetteer, vietnamese
from portal.search.parser import ParsedQuery, adjacency_plan, parse, ranked_plan

MAX_TRIED = 9
PLACE_CUTOFF = 0.8  # how close a query must be to a place name to be suggested as that place


def suggest(sets, parsed: ParsedQuery) -> str | None:
    """A place name the query nearly spells (places are suggested as places: "khanh hao" →
    "khanh hoa", never "thanh hoa"), else the query with unknown syllables replaced by near
    indexed ones: the first combination (nearest edits first, at most :data:`MAX_TRIED`) whose
    syllables are found together — adjacent, when there are several — checked by the same
    plan evaluation as any query."""
    place = _place(sets, parsed)
    if place is not None:
        return place
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
        found = ranked_plan(parse(candidate)).ids(sets)
        adjacency = adjacency_plan(parse(candidate))
        if found and (adjacency is None or adjacency.holding(sets, found)):  # not scattered syllables
            return candidate
    return None


def _place(sets, parsed: ParsedQuery) -> str | None:
    """The name of a place with articles that the free words nearly spell, written as the
    query was (without diacritics when it had none)."""
    if not 2 <= len(parsed.words) <= 6 or parsed.phrases:
        return None
    places = gazetteer.load()
    typed = " ".join(f for _, f in parsed.words)
    for name in places.suggest(typed, limit=1):
        key = vietnamese.match_key(name)
        province = places.resolve(name)
        if province is None or difflib.SequenceMatcher(None, typed, key).ratio() < PLACE_CUTOFF:
            continue
        if sets.term("province", places.page_of(province).slug):
            return name if parsed.has_diacritics else key
    return None
