"""The gazetteer: which province a name means, what it is now, which former provinces it holds.

Facts live in ``portal/data/gazetteer.toml``; this module only reads them. Names resolve
whatever their spelling (aliases, old/new tone placement, "tỉnh"/"TP." prefixes, case, NFD),
through :func:`portal.vietnamese.match_key`.

Two eras of units share names (former An Giang, code 89, is part of today's An Giang, code 91),
so a name resolves against the date of the article: before the merger date it means the former
unit, from that day on the current one. Articles keep the province they were written in;
:meth:`Gazetteer.current_of` says what it belongs to today.
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from portal import vietnamese

DATA_FILE = Path(__file__).with_name("data") / "gazetteer.toml"

FORMER = "former"  # one of the 63 units before the merger date
CURRENT = "current"  # one of the 34 units from the merger date
NATIONAL = "national"  # "Toàn quốc": national news, no province

_PREFIXES = ("tinh ", "thanh pho ", "tp ")


@dataclass(frozen=True)
class Province:
    """One provincial unit of one era, knowing the unit it belongs to today (``current``)
    and the province whose page lists its articles (``page``). It pickles as a reference
    (era and code) to the gazetteer's own object, so a cached article's province is the
    gazetteer's."""

    era: str
    code: str
    name: str
    kind: str
    slug: str
    label: str
    current_code: str
    current: Province = field(init=False, compare=False, repr=False)  # itself when current or national
    page: Province = field(init=False, compare=False, repr=False)  # itself, or its unit when it continues

    def __reduce__(self):
        return _unit, (self.era, self.code)

    def __setstate__(self, state):  # pickled by an older version: take the gazetteer's links
        unit = _unit(state["era"], state["code"])
        self.__dict__.update(state, current=unit.current, page=unit.page)

    @property
    def is_current(self) -> bool:
        return self.era != FORMER

    @property
    def title(self) -> str:
        """Name with its kind, as Vietnamese text writes it: "tỉnh An Giang"."""
        if self.era == NATIONAL:
            return self.name
        return f"{self.kind} {self.name}"

    def __str__(self) -> str:
        return self.label


class Gazetteer:
    """Look-ups over the 63 former units, the 34 current ones and "Toàn quốc"."""

    def __init__(self, data: dict):
        self.merger_date: dt.date = data["merger_date"]
        national = data["national"]
        self.national = Province(
            NATIONAL, "00", national["name"], "toàn quốc", national["slug"], national["name"], "00"
        )
        self.current: list[Province] = []
        self.former: list[Province] = []
        self._formers_of: dict[str, list[Province]] = {}
        for unit in data["unit"]:
            slug = vietnamese.slugify(unit["name"])
            now = Province(CURRENT, unit["code"], unit["name"], unit["kind"], slug, unit["name"], unit["code"])
            self.current.append(now)
            formers = []
            for old in unit["former"]:
                old_slug, label = vietnamese.slugify(old["name"]), old["name"]
                if old_slug == slug and len(unit["former"]) > 1:
                    # A former unit named like the merged one it is now part of: "An Giang (cũ)".
                    old_slug, label = f"{slug}-cu", f"{old['name']} (cũ)"
                formers.append(Province(FORMER, old["code"], old["name"], old["kind"], old_slug, label, unit["code"]))
            self._formers_of[now.code] = sorted(formers, key=lambda p: vietnamese.sort_key(p.label))
            self.former.extend(formers)

        self._current_by_code = {p.code: p for p in self.current}
        for province in [self.national, *self.current, *self.former]:  # linked once, here
            object.__setattr__(province, "current", self._current_by_code.get(province.current_code, province)
                               if province.era == FORMER else province)
        for province in [self.national, *self.current, *self.former]:
            page = province if province.era != FORMER or province.slug != province.current.slug else province.current
            object.__setattr__(province, "page", page)
        self._by_era_code = {(p.era, p.code): p for p in [self.national, *self.current, *self.former]}
        self._by_slug: dict[str, Province] = {self.national.slug: self.national}
        for province in self.former + self.current:  # a current unit wins a shared slug
            self._by_slug[province.slug] = province

        self._by_key: dict[str, list[Province]] = {}
        self._display: dict[str, str] = {}  # match key -> name to suggest
        for province in [self.national, *self.current, *self.former]:
            self._add_key(province.name, province)
        for alias in national.get("aliases", []):
            self._add_key(alias, self.national)
        for alias, name in data.get("aliases", {}).items():
            for province in self._by_key[vietnamese.match_key(name)]:
                self._add_key(alias, province, display=name)

    def _add_key(self, text: str, province: Province, display: str | None = None) -> None:
        key = vietnamese.match_key(text)
        entries = self._by_key.setdefault(key, [])
        if province not in entries:
            entries.append(province)
        self._display.setdefault(key, display or province.name)

    # -- look-ups -------------------------------------------------------------------------

    def resolve(self, text: str, on: dt.date | None = None) -> Province | None:
        """The unit ``text`` names on date ``on`` (today's unit when no date), or None."""
        candidates = self._candidates(text)
        if not candidates:
            return None
        if len(candidates) > 1:
            era = CURRENT if on is None or on >= self.merger_date else FORMER
            for province in candidates:
                if province.era == era:
                    return province
        return candidates[0]

    def _candidates(self, text: str) -> list[Province]:
        key = vietnamese.match_key(text)
        if key in self._by_key:
            return self._by_key[key]
        for prefix in _PREFIXES:
            if key.startswith(prefix) and key[len(prefix):] in self._by_key:
                return self._by_key[key[len(prefix):]]
        return []

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Names close to an unknown ``text``, best first ("An Gian" → ["An Giang"])."""
        key = vietnamese.match_key(text)
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
        names: list[str] = []
        for match in difflib.get_close_matches(key, self._by_key, n=limit * 3, cutoff=0.6):
            name = self._display[match]
            if name not in names:
                names.append(name)
        return names[:limit]

    def by_slug(self, slug: str) -> Province | None:
        return self._by_slug.get(slug)

    def label_of(self, slug: str) -> str:
        """The label of the province whose page is ``slug`` ("Quảng Bình (cũ)"), else ``slug``."""
        place = self._by_slug.get(slug)
        return place.label if place else slug

    def current_of(self, province: Province) -> Province:
        """The unit ``province`` belongs to today (itself when it is current or national)."""
        return province.current

    def formers_of(self, current: Province) -> list[Province]:
        """Former units merged into ``current`` (empty for "Toàn quốc")."""
        return list(self._formers_of.get(current.code, [])) if current.era == CURRENT else []

    def has_own_page(self, province: Province) -> bool:
        """False for a former unit that simply continues under the same name (Cao Bằng)."""
        return province.page is province

    def unknown(self, name: str) -> str:
        """What to tell an editor about a province name that resolves to nothing."""
        near = self.suggest(name)
        return f'không biết tỉnh "{name}".' + (f" Có phải: {', '.join(near)}?" if near else "")

    def page_of(self, province: Province) -> Province:
        """The province whose page lists ``province``'s articles: itself, or its unit when it
        continues under the same name."""
        return province.page

    def unit(self, era: str, code: str) -> Province:
        return self._by_era_code[(era, code)]

    def all_units(self) -> list[Province]:
        return [*self.current, *self.former, self.national]

    def alias_names(self) -> dict[str, str]:
        """Match key (see :func:`vietnamese.match_key`) of every known spelling → canonical name."""
        return dict(self._display)


@cache
def load(path: str | Path = DATA_FILE) -> Gazetteer:
    """The gazetteer from its data file (read once per process)."""
    with open(path, "rb") as handle:
        return Gazetteer(tomllib.load(handle))


def _unit(era: str, code: str) -> Province:
    """The gazetteer's province of ``era`` and ``code`` (how a province unpickles)."""
    return load().unit(era, code)
