"""Vietnamese analysis and query building, on a small index made in the test."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from portal.search import analysis
from portal.search.indexer import write_index
from portal.search.query import Searcher, SearchRequest, parse
from portal.search.schema import SearchDocument


def test_analyzer_emits_folded_and_exact_at_one_position():
    tokens = [(t.text, t.pos) for t in analysis.VietnameseAnalyzer()("Bảo vệ ANTQ, Khánh Hoà", positions=True)]
    assert tokens == [("bao", 0), ("bảo", 0), ("ve", 1), ("vệ", 1), ("antq", 2), ("khanh", 3), ("khánh", 3),
                      ("hoa", 4), ("hòa", 4)]


@pytest.mark.parametrize("text", ["Phong trào Toàn dân bảo vệ ANTQ — THUỶ, Uỷ ban; İstanbul 2022 x_y",
                                  unicodedata.normalize("NFD", "Đảng ủy Tổ quốc"), "a" * 60 + " ngắn"])
def test_bulk_postings_equal_the_analyzer(text):
    folded = analysis.VietnameseAnalyzer(exact=False)
    assert [t.text for t in folded(text)] == analysis.folded_syllables(text)


def test_no_stop_words_or_stemming():
    assert [t.text for t in analysis.VietnameseAnalyzer(exact=False)("an to the running")] == [
        "an", "to", "the", "running"]


def test_abbreviations_both_ways():
    forms = analysis.abbreviation_forms()
    assert ("an", "ninh", "to", "quoc") in forms[("antq",)]
    assert ("ubnd",) in forms[("uy", "ban", "nhan", "dan")]
    assert ("kinh", "te", "xa", "hoi") in forms[("kt", "xh")]


@pytest.mark.parametrize("hostile", ['"unbalanced', "title:x OR (", "*?~^", "a" * 20000, "<script>alert(1)</script>",
                                     "\x00\x1f\u202e", "- - --", '""', "-"])
def test_parse_never_fails(hostile):
    parsed = parse(hostile)
    assert len(parsed.words) + sum(map(len, parsed.phrases)) + sum(map(len, parsed.excluded)) <= 16


DOCS = [
    ("a/", "Đường giao thông nông thôn", "Xây dựng đường giao thông nông thôn mới.", "quang-binh"),
    ("b/", "Dương cầm trong nhà văn hóa", "Tiếng dương cầm vang lên ở nhà văn hóa.", "an-giang"),
    ("c/", "Hội nghị UBND tỉnh", "UBND tỉnh họp bàn về an ninh trật tự.", "an-giang"),
    ("d/", "Bảo vệ an ninh Tổ quốc", "Phong trào toàn dân bảo vệ an ninh Tổ quốc phát triển.", "cao-bang"),
    ("e/", "Tin rời rạc", "An toàn là trên hết, ninh thuận mưa, tổ dân phố họp, quốc lộ mở rộng.", "cao-bang"),
    ("f/", "Khánh Hoà tổng kết", "Tổng kết công tác hoà giải ở cơ sở.", "khanh-hoa"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mini")
    documents = [
        SearchDocument(url=url, title=title, text=text, date=dt.datetime(2020 + i, 1, 1), provinces=[prov],
                       province_slugs=[prov], units=[prov])
        for i, (url, title, text, prov) in enumerate(DOCS)
    ]
    write_index(documents, folder / "search-index")
    return folder


def urls(site, q, **params):
    return [hit.url for hit in Searcher(site).search(SearchRequest(q=q, limit=50, **params)).results]


def test_folded_query_finds_accented_text(site):
    assert urls(site, "duong giao thong") == ["a/"]
    assert set(urls(site, "duong")) == {"a/", "b/"}


def test_exact_diacritics_rank_first(site):
    assert urls(site, "đường")[0] == "a/"
    assert urls(site, "dương")[0] == "b/"


def test_adjacent_syllables_rank_above_scattered(site):
    assert urls(site, "an ninh to quoc")[:2] == ["d/", "e/"] or urls(site, "an ninh to quoc")[0] == "d/"
    assert urls(site, '"an ninh to quoc"') == ["d/"]


def test_abbreviations_expand_both_ways(site):
    assert set(urls(site, "ANTQ")) == {"d/"}
    assert set(urls(site, "uy ban nhan dan")) == {"c/"}


def test_tone_placement_case_and_nfd(site):
    for query in ("hòa giải", "hoà giải", "HOÀ GIẢI", unicodedata.normalize("NFD", "hoà giải"), "hoa giai"):
        assert urls(site, query) == ["f/"], query


def test_exclusion_and_filters(site):
    assert "e/" not in urls(site, "an ninh -mưa")
    assert urls(site, "ninh", province="cao-bang") == ["d/", "e/"] or set(urls(site, "ninh", province="cao-bang")) == {
        "d/", "e/"}
    assert urls(site, "an ninh", year=2023) == ["d/"]


def test_facets_and_suggestion(site):
    response = Searcher(site).search(SearchRequest(q="an ninh"))
    assert response.facets["province"] == {"an-giang": 1, "cao-bang": 2}
    assert set(response.facets["year"]) == {"2022", "2023", "2024"}
    missing = Searcher(site).search(SearchRequest(q="nongg thonn"))
    assert missing.total == 0 and missing.suggestion == "nong thon"


def test_snippets_mark_matches_and_escape(site):
    hit = Searcher(site).search(SearchRequest(q="dương cầm")).results[0]
    assert "<mark>" in hit.snippet and "<script" not in hit.snippet


def test_block_reading_agrees_with_whoosh_across_segments_and_deletions(tmp_path):
    """Posting sets, BM25F scores and phrase checks read posting blocks directly; on an index
    of several segments with deleted documents they must equal Whoosh's own matchers."""
    from whoosh.query import Phrase, Term

    from portal.search.query import AdjacentPhrase

    words = ["an ninh", "tổ quốc", "giao thông", "phòng cháy", "biên giới", "xe máy"]
    docs = [
        SearchDocument(url=f"{n}/", title=f"Bài {n}", date=dt.datetime(2020, 1, 1),
                       text=" ".join(words[(n * k) % len(words)] for k in range(1, 2 + n % 7)) + " an toàn ninh")
        for n in range(400)
    ]
    index = tmp_path / "search-index"
    write_index(docs[:300], index)
    changed = {d.url: SearchDocument(url=d.url, title=d.title, date=d.date, text=d.text + " an ninh")
               for d in docs[5:300:7]}  # deleted here and there in the first segment
    write_index([changed.get(d.url, d) for d in docs], index)  # a second segment
    searcher, sets = Searcher(tmp_path)._current()
    assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
    for text in ("an", "ninh", "to", "quoc", "xe", "chay"):
        matcher = Term("content", text).matcher(searcher)
        expected = {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        assert sets.term("content", text) == set(expected)
        scores = sets._bm25("content", text)
        assert scores.keys() == expected.keys()
        assert all(abs(scores[doc] - expected[doc]) < 1e-9 for doc in expected)
    every = set(searcher.reader().all_doc_ids())
    for phrase in (["an", "ninh"], ["to", "quoc", "giao"], ["ninh", "an"]):
        expected = set(searcher.docs_for_query(Phrase("content", phrase, slop=1)))
        assert AdjacentPhrase("content", phrase).holding(searcher, every) == expected
        some = set(sorted(every)[::3])
        assert AdjacentPhrase("content", phrase).holding(searcher, some) == expected & some
        last = {doc for doc in every if doc >= searcher.reader().leaf_readers()[-1][1]}  # the last segment's
        assert AdjacentPhrase("content", phrase).holding(searcher, last) == expected & last != set()
