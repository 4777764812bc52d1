"""Phrases answered by the index of adjacent syllable pairs (the ``pairs`` field), and an
index that holds positions only where they are read (titles)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from whoosh import index as whoosh_index

from portal.search import analysis
from portal.search.indexer import write_index
from portal.search.parser import parse, required_plan
from portal.search.plan import Phrase
from portal.search.request import SearchRequest
from portal.search.schema import SearchDocument, build_schema
from portal.search.searcher import Searcher

DOCS = {
    "adjacent/": "Hệ thống giao thông tin học của tỉnh được nâng cấp.",
    "apart/": "Đường giao thông mới. Thông tin về dự án được công bố.",  # "giao thông" … "thông tin"
    "scattered/": "Giao lưu văn nghệ; thông báo; tin vắn.",  # the words, never two adjacent
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    write_index([SearchDocument(url=url, title=f"Bài {n}", text=text, date=dt.datetime(2020, 1, 1 + n))
                 for n, (url, text) in enumerate(DOCS.items())], folder / "search-index")
    return folder


def search(site, q):
    response = Searcher(site).search(SearchRequest(q=q, limit=50))
    return response.total, [hit.url for hit in response.results]


def test_bulk_formats_equal_the_analyzer():
    text = "An ninh Tổ quốc — an ninh, THUỶ lợi; İstanbul 2022 " + "x" * 60 + " an"
    schema = build_schema()
    tokens = [t.text for t in analysis.VietnameseAnalyzer(exact=False)(text)]
    content = {word: (freq, weight) for word, freq, weight, _ in schema["content"].format.word_values(text, None)}
    assert content == {word: (count, float(count)) for word, count in Counter(tokens).items()}
    pairs = {pair for pair, *_ in schema["pairs"].format.word_values(text, None)}
    assert pairs == {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}
    assert "an ninh" in pairs and "ninh an" not in pairs
    value = analysis.PART_GAP.join(["Tin mới", "An ninh"])
    parts = {pair for pair, *_ in schema["pairs"].format.word_values(value, None)}
    assert parts == {"tin moi", "an ninh"}  # none across parts (title, text, metadata)


def test_two_syllables_are_one_pair(site):
    for phrase in ('"giao thông"', '"thông tin"', "\"giao thong\""):
        total, urls = search(site, phrase)
        assert total == 2 and set(urls) == {"adjacent/", "apart/"}, phrase


def test_a_pair_not_adjacent_is_not_found(site):
    assert search(site, '"giao lưu"') == (1, ["scattered/"])
    assert search(site, '"lưu giao"') == (0, [])
    assert search(site, '"văn tin"') == (0, [])  # both words in the article, never adjacent


def test_a_long_phrase_whose_pairs_are_apart_is_checked_against_the_text(site):
    """ "giao thông tin": the article "apart/" holds both pairs, "giao thông" and "thông tin",
    but not the three syllables in a row. The pair sets cannot tell; the page shown is
    checked against each article's text, and the total counts only what passed."""
    sets = Searcher(site).posting_sets()
    holders = Phrase("content", ("giao", "thong", "tin")).ids(sets)
    urls = {sets.searcher.stored_fields(doc)["url"] for doc in holders}
    assert urls == {"adjacent/", "apart/"}  # the pairs' answer: one article too many
    assert required_plan(parse('"giao thông tin"')).approximate()
    assert not required_plan(parse('"giao thông"')).approximate()  # two syllables: exact
    assert search(site, '"giao thông tin"') == (1, ["adjacent/"])
    assert search(site, "giao thông tin")[1][0] == "adjacent/"  # unquoted: adjacency ranks first


def test_positions_only_in_titles(site):
    """Body text and pairs are indexed without positions: only the title's phrase check reads
    them (a title is short)."""
    schema = build_schema()
    assert not schema["content"].format.supports("positions")
    assert not schema["pairs"].format.supports("positions")
    assert schema["title"].format.supports("positions")
    with whoosh_index.open_dir(str(site / "search-index")).searcher() as searcher:
        reader = searcher.reader()
        assert not reader.postings("content", "giao").supports("positions")
        assert not reader.postings("pairs", "giao thong").supports("positions")
        assert not reader.postings("content", "giao").value()  # no values stored
        assert sorted(reader.postings("pairs", "giao thong").all_ids()) == [0, 1]
