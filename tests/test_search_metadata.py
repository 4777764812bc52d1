"""Metadata is searchable as text: provinces (as written and current unit), tags, author and
source. A match in the title outranks a metadata match, which outranks a body-only match."""

from __future__ import annotations

import pytest

from portal.search.request import SearchRequest
from portal.search.searcher import Searcher
from tests.conftest import build, write_article

FILLER = "Công an tỉnh triển khai nhiều hoạt động trong tháng. " * 4


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    work = tmp_path_factory.mktemp("metadata")
    content = work / "content"
    articles = {
        # phòng cháy chữa cháy: in a title, in a tag, in a body only (three times: the best BM25)
        "title": ("Diễn tập phòng cháy chữa cháy tại chợ", {}, FILLER + "Lực lượng phòng cháy chữa cháy có mặt."),
        "tag": ("Hội nghị sơ kết quý III", {"tags": "Phòng cháy chữa cháy, An ninh, Trật tự"}, FILLER),
        "body": ("Tin hoạt động trong tuần", {}, FILLER + "Phòng cháy chữa cháy. " * 3),
        # an author, a source
        "author": ("Tổng kết công tác năm", {"author": "Trần Văn Bảo"}, FILLER),
        "named": ("Tin ngắn trong tháng", {}, FILLER + "Đồng chí Trần Văn Bảo phát biểu. " * 3),
        "source": ("Ra quân bảo đảm trật tự", {"source": "Báo Biên Phòng điện tử"}, FILLER),
        "cited": ("Tin từ các đơn vị", {}, FILLER + "Theo Báo Biên Phòng điện tử, đơn vị ra quân. " * 3),
    }
    for day, (name, (title, extra, body)) in enumerate(articles.items(), 1):
        body = f"Bài số {day}. {body}"  # no two bodies alike (the build refuses duplicates)
        write_article(content / "2024", f"{name}.md", title, f"2024-03-{day:02d}", "Hà Giang", body, slug=name, **extra)
    write_article(content / "2024", "ninh-thuan.md", "Hội nghị ở tỉnh", "2024-04-01", "Ninh Thuận",
                  "Bài cuối. " + FILLER, slug="ninh-thuan")
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return Searcher(work / "out")


def slugs(searcher, q: str) -> list[str]:
    response = searcher.search(SearchRequest.from_params({"q": q}))
    return [hit.url.strip("/").rsplit("/", 1)[-1] for hit in response.results]


@pytest.mark.parametrize("q", ["phong chay chua chay", "phòng cháy chữa cháy", "Phòng Cháy"])
def test_title_then_tag_then_body(searcher, q):
    assert slugs(searcher, q) == ["title", "tag", "body"]


def test_an_author_and_a_source_are_found_before_mentions_in_a_body(searcher):
    assert slugs(searcher, "tran van bao") == ["author", "named"]
    assert slugs(searcher, "bao bien phong dien tu") == ["source", "cited"]
    assert slugs(searcher, "Trần Văn Bảo") == ["author", "named"]


def test_province_labels_match_as_words(searcher):
    # quoted, the words are no place: they match the labels, as written and the current unit
    assert slugs(searcher, '"ninh thuan"') == ["ninh-thuan"]
    assert slugs(searcher, '"khanh hoa"') == ["ninh-thuan"]  # Ninh Thuận is now part of Khánh Hòa
    assert slugs(searcher, '"ha giang"') == slugs(searcher, '"tuyen quang"') != []


def test_no_phrase_spans_two_tags(searcher):
    assert slugs(searcher, '"an ninh trat tu"') == []  # two tags: "An ninh", "Trật tự"
    assert slugs(searcher, '"an ninh"') == ["tag"]
