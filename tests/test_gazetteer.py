"""The gazetteer, against the facts in ../shared/data and on its own."""

import csv
import datetime as dt
import unicodedata

import pytest

from portal import gazetteer
from tests.conftest import SHARED, needs_shared

BEFORE = dt.date(2020, 1, 1)
AFTER = dt.date(2025, 8, 1)


@pytest.fixture(scope="module")
def places():
    return gazetteer.load()


def _rows(name):
    path = needs_shared(SHARED / "data" / name)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sizes(places):
    assert len(places.current) == 34
    assert len(places.former) == 63
    assert sum(p.kind == "thành phố" for p in places.current) == 6


def test_each_of_the_63_maps_to_one_of_the_34(places):
    rows = _rows("vn-provinces.csv")
    assert len(rows) == 63
    for row in rows:
        former = places.resolve(row["old_name"], BEFORE)
        assert former is not None and former.era == gazetteer.FORMER, row
        assert former.code == row["old_code"]
        now = places.current_of(former)
        assert (now.code, now.name, now.kind) == (row["new_code"], row["new_name"], row["new_kind"])
        assert former in places.formers_of(now)


def test_codes_are_separate_namespaces(places):
    assert places.resolve("Quảng Bình", BEFORE).code == "44"
    assert places.current_of(places.resolve("Quảng Bình", BEFORE)).name == "Quảng Trị"
    assert places.resolve("Quảng Trị", AFTER).code == "44"
    assert places.resolve("Quảng Trị", BEFORE).code == "45"


def test_every_alias_resolves(places):
    for row in _rows("vn-province-aliases.csv"):
        for when in (BEFORE, AFTER, None):
            found = places.resolve(row["alias"], when)
            assert found is not None, row
            assert places.resolve(row["name"], when) == found, row


@pytest.mark.parametrize(
    "spelling",
    ["Khánh Hoà", "khánh hòa", "KHÁNH HÒA", "tỉnh Khánh Hòa", "Tỉnh Khánh Hoà",
     unicodedata.normalize("NFD", "Khánh Hòa"), "  Khánh   Hòa "],
)
def test_spellings_resolve_to_one_unit(places, spelling):
    assert places.resolve(spelling, BEFORE) == places.resolve("Khánh Hòa", BEFORE)


@pytest.mark.parametrize("spelling", ["TP. Hồ Chí Minh", "thành phố Hồ Chí Minh", "TP.HCM", "Sài Gòn", "TP HCM"])
def test_city_prefixes_and_aliases(places, spelling):
    assert places.current_of(places.resolve(spelling, BEFORE)).name == "Hồ Chí Minh"


def test_national_news(places):
    assert places.resolve("Toàn quốc").era == gazetteer.NATIONAL
    assert places.resolve("toàn quốc").slug == "toan-quoc"


def test_same_named_former_unit_is_told_apart(places):
    former = places.resolve("An Giang", dt.date(2023, 8, 30))
    current = places.resolve("An Giang", AFTER)
    assert former.era == gazetteer.FORMER and current.era == gazetteer.CURRENT
    assert former.label == "An Giang (cũ)" and former.slug == "an-giang-cu"
    assert current.slug == "an-giang"
    # a unit that simply continued keeps one page
    cao_bang = places.resolve("Cao Bằng", BEFORE)
    assert cao_bang.slug == "cao-bang" and not places.has_own_page(cao_bang)


def test_huế_became_a_city(places):
    old = places.resolve("Thừa Thiên Huế", BEFORE)
    assert places.current_of(old).title == "thành phố Huế"


def test_suggestions_for_unknown_names(places):
    assert places.resolve("An Gian") is None
    assert places.suggest("An Gian")[0] == "An Giang"
    assert "Quảng Bình" in places.suggest("Quang Binhh")


def test_slugs_are_unique(places):
    slugs = [p.slug for p in places.all_units() if places.has_own_page(p)]
    assert len(slugs) == len(set(slugs))


def test_a_province_knows_its_page_and_current_unit(places):
    former = places.resolve("Quảng Bình", BEFORE)
    assert former.current is places.resolve("Quảng Trị") and former.page is former
    cao_bang = places.resolve("Cao Bằng", BEFORE)
    assert cao_bang.current is places.resolve("Cao Bằng") is cao_bang.page  # continues: one page
    assert places.national.current is places.national is places.national.page
    for province in places.all_units():
        assert province.current.is_current and province.page in (province, province.current)


def test_a_pickled_province_is_the_gazetteers(places):
    import pickle

    former = places.resolve("Quảng Bình", BEFORE)
    copy = pickle.loads(pickle.dumps([former, former.current]))
    assert copy[0] is former and copy[1] is former.current
    # pickled before provinces knew their links (Pelican's content cache): unpickling sets the state
    old = object.__new__(gazetteer.Province)
    old.__setstate__({name: getattr(former, name) for name in ("era", "code", "name", "kind", "slug", "label",
                                                                "current_code")})
    assert old == former and old.current is former.current and old.page is former
