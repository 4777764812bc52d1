"""Reproducible output: two builds of the same content write the same files (the search
index's internal segment names aside), and the sitemap's dates come from the articles."""

from __future__ import annotations

import json
import os
import shutil
from xml.etree import ElementTree

from whoosh import index as whoosh_index

from tests.conftest import ROOT, build, write_article


def _files(site):
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and p.relative_to(site).parts[0] != "search-index"}


def _index(site):
    manifest = json.loads((site / "search-index" / "manifest.json").read_text(encoding="utf-8"))
    with whoosh_index.open_dir(str(site / "search-index")).searcher() as searcher:
        stored = sorted(json.dumps(fields, sort_keys=True, default=str) for fields in searcher.all_stored_fields())
    return manifest["documents"], stored


def test_two_builds_of_the_same_content_are_identical(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    one, two = tmp_path / "one", tmp_path / "two"
    # different string hashing in the two processes: no order may come from a set
    for out, seed in ((one, "1"), (two, "2")):
        result = build(content, out, tmp_path / f"cache-{out.name}", env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
    first, second = _files(one), _files(two)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert _index(one) == _index(two)
    # and a rebuild with nothing changed (incremental, from the caches) writes them again
    result = build(content, one, tmp_path / "cache-one", env={**os.environ, "PYTHONHASHSEED": "3"})
    assert result.returncode == 0, result.stderr
    again = _files(one)
    assert [name for name in first if first[name] != again.get(name)] == []
    assert _index(one) == _index(two)


def test_sitemap_dates_come_from_the_articles(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05 08:30", "Hà Nội")
    write_article(content, "b.md", "Diễn tập phòng cháy", "2024-02-05", "Hà Nội", modified="2024-03-01 10:00")
    write_article(content, "c.md", "Tuần tra biên giới", "2023-06-01", "Lạng Sơn")
    assert build(content, out, tmp_path / "cache").returncode == 0
    text = (out / "sitemap.xml").read_text(encoding="utf-8")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmod = {url.find("s:loc", ns).text: url.find("s:lastmod", ns).text
               for url in ElementTree.fromstring(text).findall("s:url", ns)}
    assert lastmod["/2024/hoi-nghi-ve-giao-thong/"] == "2024-01-05T08:30:00+07:00"
    assert lastmod["/2024/dien-tap-phong-chay/"] == "2024-03-01T10:00:00+07:00"  # modified
    assert lastmod["/2023/tuan-tra-bien-gioi/"] == "2023-06-01T00:00:00+07:00"
    assert lastmod["/"] == "2024-03-01T10:00:00+07:00"  # the newest of what it lists
    assert lastmod["/tinh/lang-son/"] == "2023-06-01T00:00:00+07:00"
    assert lastmod["/tinh/"] == "2024-03-01T10:00:00+07:00"  # no list: the newest of the site
    assert "/search-index" not in text and "404.html" not in text
