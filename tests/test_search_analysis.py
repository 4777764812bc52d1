"""Vietnamese analysis and query building, on a small index made in the test."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from portal.search import analysis
from portal.search.indexer import write_index
from portal.search.parser import parse
from portal.search.request import SearchRequest
from portal.search.schema import SearchDocument
from portal.search.searcher import Searcher


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
    assert urls(site, "an ninh to quoc") == ["d/"]  # an abbreviation (ANTQ): the phrase or ANTQ
    assert urls(site, "an ninh")[2:] == ["e/"] and set(urls(site, "an ninh")) == {"c/", "d/", "e/"}
    assert urls(site, '"an ninh to quoc"') == ["d/"]


def test_adjacency_outranks_a_higher_bm25_score(tmp_path):
    """The scattered article scores higher (its syllables are many); the adjacent one still
    comes first, so the order is the tiers', not BM25F's."""
    scattered = "An toàn giao thông. " * 5 + "Ninh Bình mưa lớn. " * 5
    write_index([SearchDocument(url="scattered/", title="An và ninh", text=scattered, date=dt.datetime(2021, 1, 1)),
                 SearchDocument(url="adjacent/", title="Tin ngắn", text="Giữ gìn an ninh. " + "Trời nắng. " * 20,
                                date=dt.datetime(2020, 1, 1))], tmp_path / "search-index")
    hits = Searcher(tmp_path).search(SearchRequest(q="an ninh")).results
    assert [hit.url for hit in hits] == ["adjacent/", "scattered/"]
    assert hits[1].score > hits[0].score


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


def test_snippets_mark_matches_and_escape(tmp_path):
    text = 'Bài "mẫu" <script>alert(1)</script> & tiếng dương cầm <b>vang</b> lên.'
    write_index([SearchDocument(url="x/", title="Dương cầm", text=text, date=dt.datetime(2020, 1, 1))],
                tmp_path / "search-index")
    hit = Searcher(tmp_path).search(SearchRequest(q="dương cầm")).results[0]
    snippet = hit.snippet
    assert "<mark>dương cầm</mark>" in snippet  # adjacent matched syllables: one mark
    assert hit.title_html == "<mark>Dương cầm</mark>"
    assert "<script" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in snippet and "&lt;b&gt;vang&lt;/b&gt;" in snippet


def test_tokenizer_is_whooshs_regex_tokenizer_and_skips_long_words():
    from whoosh.analysis import RegexTokenizer

    analyzer = analysis.VietnameseAnalyzer(exact=False)
    assert isinstance(analyzer[0], RegexTokenizer)
    tokens = [(t.text, t.pos) for t in analyzer("Một " + "x" * 41 + " hai", positions=True)]
    assert tokens == [("mot", 0), ("hai", 1)]


def test_analyzer_survives_pickling_as_the_index_stores_it():
    import pickle

    analyzer = analysis.VietnameseAnalyzer()
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer != analysis.VietnameseAnalyzer(exact=False)
