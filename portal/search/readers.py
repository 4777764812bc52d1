"""``python -m portal bench readers``: does search find what a reader means?

Reader queries are drawn from the corpus articles (with their synthetic province and date, as
``bench search`` indexes them); the relevant set of each comes from metadata, never from the
words of the text:

* ``place``: a province page's name typed without diacritics ("khanh hoa"); relevant: the
  articles that page lists (written there, or in a former province now inside that unit);
* ``place_year``: the same with a year ("khanh hoa 2017"); relevant: those of that year;
* ``place_topic``: the name with one or two title syllables of one of its articles; relevant:
  the place's articles among the matches;
* ``known_item``: a title typed without diacritics; relevant: the article(s) of that title;
* ``abbreviation``: an abbreviation as written (ANTQ); relevant: articles whose title writes it.

R-precision with k = min(10, relevant) is reported per kind (top-1 for known items): the share
of the first k results that are relevant.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from portal import corpus, gazetteer, vietnamese
from portal.search import bench as search_bench
from portal.search.indexer import write_index
from portal.search.request import SearchRequest
from portal.search.searcher import Searcher

PER_KIND = 60
ABBREVIATIONS = ["ANTQ", "UBND", "CSGT", "THPT", "HĐND", "ATGT", "PCCC", "BHYT", "CAND", "TNGT"]
TARGETS = {"place": 0.9, "place_year": 0.8, "known_item": 0.9}


def reader_queries(docs, seed: int = 2026) -> list[dict]:
    """``{"kind", "q", "relevant": set of urls}`` for each reader query (deterministic)."""
    rng = random.Random(seed)
    places = gazetteer.load()
    by_page: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for slug in doc.province_slugs:
            by_page[slug].add(doc.url)
    year_of = {doc.url: doc.date.year for doc in docs}
    pages = sorted(slug for slug in by_page if places.by_slug(slug) and slug != places.national.slug)
    queries: list[dict] = []
    for slug in rng.sample(pages, min(PER_KIND, len(pages))):
        name = vietnamese.fold(places.by_slug(slug).name.lower())
        queries.append({"kind": "place", "q": name, "relevant": by_page[slug]})
        years = sorted({year_of[url] for url in by_page[slug]})
        year = rng.choice(years)
        queries.append({"kind": "place_year", "q": f"{name} {year}",
                        "relevant": {url for url in by_page[slug] if year_of[url] == year}})
    by_url = {doc.url: doc for doc in docs}
    for slug in rng.sample(pages, min(PER_KIND, len(pages))):
        doc = by_url[rng.choice(sorted(by_page[slug]))]
        words = [w for w in vietnamese.fold(doc.title.lower()).split() if w.isalpha()]
        if len(words) < 2:
            continue
        start = rng.randrange(len(words) - 1)
        topic = " ".join(words[start:start + 2])
        name = vietnamese.fold(places.by_slug(slug).name.lower())
        queries.append({"kind": "place_topic", "q": f"{name} {topic}", "relevant": by_page[slug], "topic": True})
    titles: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        titles[vietnamese.match_key(doc.title)].add(doc.url)
    for doc in rng.sample(docs, min(PER_KIND, len(docs))):
        queries.append({"kind": "known_item", "q": vietnamese.fold(doc.title.lower()),
                        "relevant": titles[vietnamese.match_key(doc.title)]})
    for abbreviation in ABBREVIATIONS:
        pattern = re.compile(rf"(?<!\w){re.escape(abbreviation)}(?!\w)")
        relevant = {doc.url for doc in docs if pattern.search(doc.title)}
        if relevant:
            queries.append({"kind": "abbreviation", "q": abbreviation, "relevant": relevant})
    return queries


def r_precision(searcher: Searcher, query: dict) -> float:
    """Share of the first k results that are relevant, k = min(10, relevant); top-1 for known
    items; for place + topic, k counts only the place's articles among the matches."""
    response = searcher.search(SearchRequest(q=query["q"], limit=10))
    found = [hit.url for hit in response.results]
    relevant = query["relevant"]
    if query["kind"] == "known_item":
        return 1.0 if found and found[0] in relevant else 0.0
    k = min(10, len(relevant))
    if query.get("topic"):
        matching = searcher.search(SearchRequest(q=query["q"], limit=100)).results
        k = min(10, sum(1 for hit in matching if hit.url in relevant))
        if k == 0:
            return 1.0 if not found or found[0] not in relevant else 0.0
    return sum(1 for url in found[:k] if url in relevant) / k


def run(args) -> int:
    """``bench readers`` (called by :func:`portal.bench.run`, which checked the corpus)."""
    size = (args.sizes or [10000])[0]
    articles = corpus.articles(size, corpus.find_corpus(args.corpus))
    docs = search_bench.documents(articles)
    queries = reader_queries(docs)
    with tempfile.TemporaryDirectory(prefix="portal-bench-readers-") as work:
        write_index(docs, Path(work) / "search-index")
        searcher = Searcher(work)
        scores: dict[str, list[float]] = defaultdict(list)
        timings = []
        for query in queries:
            started = time.perf_counter()
            scores[query["kind"]].append(r_precision(searcher, query))
            timings.append((time.perf_counter() - started) * 1000)
    print(f"Truy vấn bạn đọc trên {len(docs)} bài: R-precision (k = min(10, số bài liên quan))")
    rows = {}
    for kind in ("place", "place_year", "place_topic", "known_item", "abbreviation"):
        values = scores.get(kind, [])
        if not values:
            continue
        rows[kind] = {"queries": len(values), "r_precision": round(statistics.mean(values), 3)}
        target = TARGETS.get(kind)
        verdict = "" if target is None else (" ĐẠT" if rows[kind]["r_precision"] >= target else " CHƯA ĐẠT")
        print(f"  {kind:<13} {len(values):>4} truy vấn  {rows[kind]['r_precision']:.3f}"
              + (f"  (mục tiêu ≥ {target}{verdict})" if target else ""))
    print(f"  thời gian mỗi truy vấn (trong tiến trình): trung vị {statistics.median(timings):.1f} ms")
    print(json.dumps({"articles": len(docs), "results": rows,
                      "examples": [{"kind": q["kind"], "q": q["q"]} for q in queries[:6]]},
                     ensure_ascii=False, indent=2))
    return 0
