"""What a query means beyond its words: a place and a year.

A place is a run of free query syllables that the gazetteer knows, in any spelling it knows
("khanh hoa", "tp hcm", "tphcm", "sai gon", "tt hue", "tỉnh Quảng Trị"), longest run first. It
means the articles *of* that place, as its province page lists them (the ``province`` field of
the index: written there, or in a former province now inside that unit). Words that belong to
a longer phrase are no place: when a syllable next to the run forms with it a phrase that more
articles hold than the place has ("an ninh bình thường": "an ninh"), the run stays words.

A year is a free syllable of four digits between :data:`FIRST_YEAR` and :data:`LAST_YEAR`.
Both only reorder or widen what the other words match (see :mod:`portal.search.searcher`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal import gazetteer, urls
from portal.search.parser import ParsedQuery

FIRST_YEAR, LAST_YEAR = 1975, 2100
LONGEST_PLACE = 6  # syllables: "thanh pho ba ria vung tau"
_PREFIXES = (("tinh",), ("thanh", "pho"), ("tp",))  # before a name, folded


@dataclass
class Intent:
    """A query split into what it names (a place, a year) and the rest of its words."""

    rest: ParsedQuery
    province: gazetteer.Province | None = None  # the unit whose page lists the place
    place_words: tuple[str, ...] = ()  # folded syllables of the name as typed (no prefix)
    year: int | None = None
    without_place: str = ""  # the query without the place, and without the year
    without_year: str = ""
    named: str = ""  # the place and the year as typed
    names: list[tuple[str, ...]] = field(default_factory=list)  # folded names to find in text

    @property
    def slug(self) -> str | None:
        return self.province.slug if self.province else None

    def as_json(self) -> dict:
        """``{"province": {slug, label, current, url} or None, "year": N or None}``."""
        place = None
        if self.province is not None:
            place = {
                "slug": self.province.slug,
                "label": self.province.label,
                "current": self.province.current.label,
                "url": "/" + urls.PROVINCE_URL.format(slug=self.province.slug),
            }
        return {"province": place, "year": self.year}


def understand(sets, parsed: ParsedQuery) -> Intent:
    """The place and year of ``parsed`` (free words only), checked against the index."""
    folded = [f for _, f in parsed.words]
    used: set[int] = set()
    province, place_words = None, ()
    span = _place_span(sets, folded)
    if span is not None:
        start, name_start, end, province = span
        place_words = tuple(folded[name_start:end])
        used.update(range(start, end))
    year = year_at = None
    for index, (exact, _) in enumerate(parsed.words):
        if index not in used and _is_year(exact):
            year, year_at = int(exact), index
            break
    keep = [w for i, w in enumerate(parsed.words) if i not in used and i != year_at]
    rest = ParsedQuery(words=keep, phrases=parsed.phrases, excluded=parsed.excluded)
    intent = Intent(rest=rest, province=province, place_words=place_words, year=year)
    intent.without_place = _text(parsed, used)
    intent.without_year = _text(parsed, {year_at} if year_at is not None else set())
    named = sorted(used | ({year_at} if year_at is not None else set()))
    intent.named = " ".join(parsed.words[i][0] for i in named)
    if province is not None:  # the name as typed: the canonical one may also be a person's
        intent.names = [place_words]
    return intent


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR


def _place_span(sets, folded: list[str]):
    """(start with prefix, start of the name, end, province page) of the first place, or None."""
    places = gazetteer.load()
    for start in range(len(folded)):
        for end in range(min(len(folded), start + LONGEST_PLACE), start, -1):
            province = places.resolve(" ".join(folded[start:end]))
            if province is None or province.era == gazetteer.NATIONAL:
                continue
            name_start = start
            for prefix in _PREFIXES:  # "tỉnh", "thành phố", "TP" before the name
                after = name_start + len(prefix)
                if tuple(folded[name_start:after]) == prefix and after < end \
                        and places.resolve(" ".join(folded[after:end])) == province:
                    name_start = after
                    break
            page = province.page
            if _in_longer_phrase(sets, folded, start, name_start, end, page.slug):
                break  # these syllables are words here; try from the next one
            return start, name_start, end, page
    return None


def _in_longer_phrase(sets, folded, start, name_start, end, slug) -> bool:
    """True when a syllable next to the name forms with it a phrase more articles hold than
    the place has (its articles, or the name written in text)."""
    name = tuple(folded[name_start:end])
    own = len(sets.term("province", slug).union(_holders(sets, name)))
    crossing = []
    if start == name_start and start > 0:  # no "tỉnh" before: check the word before
        crossing.append((folded[start - 1], folded[start]))
    if end < len(folded):
        crossing.append((folded[end - 1], folded[end]))
    return any(len(_holders(sets, pair)) > own for pair in crossing)


def _holders(sets, words: tuple[str, ...]):
    return sets.term("content", words[0]) if len(words) == 1 else sets.phrase("content", words)


def _text(parsed: ParsedQuery, dropped: set[int]) -> str:
    """The query as text without the free words at ``dropped``."""
    parts = [exact for i, (exact, _) in enumerate(parsed.words) if i not in dropped]
    parts += ['"' + " ".join(e for e, _ in phrase) + '"' for phrase in parsed.phrases]
    parts += ["-" + ('"' + " ".join(e for e, _ in ex) + '"' if len(ex) > 1 else ex[0][0]) for ex in parsed.excluded]
    return " ".join(parts)
