"""``python -m portal bench search``: index time, index size and query latency over HTTP.

For each size N (default 1000, 10000, 35529 corpus articles):

1. the search documents are built straight from the corpus, as the ``search_index`` plugin
   builds them from articles (URL, provinces as written and their current unit);
2. :func:`portal.search.indexer.write_index` writes the index into ``WORKDIR/site-N`` (timed;
   median of ``--repeat`` runs) and its size on disk is measured;
3. the real service (``python -m portal serve``) runs on that folder; once ``/api/status``
   says it has finished its own warm-up (the scores of the index's most frequent terms), one
   client (``requests.Session``) sends a fixed set of 200 queries, sequentially: 1–4
   syllables cut from corpus titles, with and without diacritics, abbreviations, some with a
   province or year filter or sorted by date. The same set is used for every size.
   Latency (client side, ms) is reported as p50 / p95 / max for the first pass of the API
   (queries the service has not seen: the figure that matters), for ``--repeat`` further
   passes of the same queries (caches warm), and for one pass of the results page;
4. with nginx installed, queries per second with 1, 2 and 4 service processes behind nginx
   (``deploy/nginx.conf``; ``--processes``, ``--clients``, ``--load-queries``:
   :mod:`portal.load_bench`).

After all sizes, one table with the growth between the two largest sizes (:mod:`portal.bench_table`).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from portal import bench_table, corpus, load_bench, nginx_deploy, vietnamese
from portal.search.indexer import write_index
from portal.search.schema import SearchDocument
from portal.service_process import ServiceProcess

DEFAULT_SIZES = [1000, 10000, 35529]
QUERY_COUNT = 200
ABBREVIATIONS = ["ANTQ", "UBND", "CSGT", "THPT", "HĐND", "TP HCM", "ATGT", "PCCC", "BHYT", "CAND"]
TARGETS = {"index_s_at_10000": 60.0, "p95_ms_at_10000": 50.0}
TABLE = [
    ("index_s", "index written (s)", "cost"),
    ("index_mb", "index on disk (MB)", "cost"),
    ("text_mb", "text it indexes (MB)", "cost"),
    ("index_text_ratio", "index ÷ text", "ratio"),
    *((f"{kind}_{figure}_ms", f"{label} {figure} (ms)", "cost")
      for kind, label in (("api", "API, first pass,"), ("repeat", "API, repeated,"), ("page", "results page,"))
      for figure in ("p50", "p95", "max")),
]


def documents(articles: list[corpus.CorpusArticle]) -> list[SearchDocument]:
    """Search documents of corpus articles, built as ``plugins/search_index`` builds them."""
    return [
        SearchDocument.of(url=f"{a.date.year}/{a.id}/", title=a.title, date=a.date, summary=a.summary,
                          body=a.text, provinces=[a.province])
        for a in articles
    ]


def query_set(articles: list[corpus.CorpusArticle], count: int = QUERY_COUNT, seed: int = 2017) -> list[dict]:
    """A fixed, varied set of API parameters drawn from the titles of ``articles``."""
    rng = random.Random(seed)
    queries: list[dict] = []
    while len(queries) < count:
        kind = len(queries) % 10
        if kind == 9:
            params = {"q": ABBREVIATIONS[(len(queries) // 10) % len(ABBREVIATIONS)]}
        else:
            article = rng.choice(articles)
            words = [w for w in article.title.split() if any(c.isalpha() for c in w)]
            if not words:
                continue
            size = rng.choice((1, 2, 2, 3, 3, 4))
            start = rng.randrange(max(len(words) - size, 0) + 1)
            text = " ".join(words[start:start + size]).strip("“”\"'():,.;!?")
            if not text:
                continue
            if kind in (1, 4, 7):  # typed without diacritics
                text = vietnamese.fold(text.lower())
            params = {"q": text}
            if kind == 2:
                params["province"] = article.province.current.slug
            elif kind == 5:
                params["year"] = str(article.date.year)
            elif kind == 8:
                params["sort"] = "newest"
        queries.append(params)
    return queries


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def _latencies(session: requests.Session, url: str, queries: list[dict], repeat: int) -> tuple[list[float], list]:
    timings, answers = [], []
    for _ in range(repeat):
        for params in queries:
            started = time.perf_counter()
            response = session.get(url, params=params, timeout=30)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} {params} answered {response.status_code}")
            answers.append(response)
    return timings, answers


def _wait_until_ready(session: requests.Session, url: str, timeout: float = 600) -> None:
    """Wait until the service has opened the index and finished its warm-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = session.get(url + "/api/status", timeout=60)
        if response.status_code == 200 and response.json().get("ready"):
            return
        time.sleep(0.2)
    raise SystemExit("bench: the service did not finish warming up")


def _summary(timings: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
    }


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def bench_size(size: int, docs: list[SearchDocument], queries: list[dict], work: Path, repeat: int) -> dict:
    site = work / f"site-{size}"
    index = site / "search-index"
    index_times = []
    for _ in range(max(repeat, 1)):
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
        started = time.perf_counter()
        write_index(docs[:size], index)
        index_times.append(time.perf_counter() - started)
    (site / "index.html").write_text("<!doctype html><title>bench</title>", encoding="utf-8")
    (site / "404.html").write_text("<!doctype html><title>404</title>", encoding="utf-8")
    index_bytes = _folder_size(index)
    text_bytes = sum(len(doc.title.encode()) + len(doc.text.encode()) for doc in docs[:size])
    row = {
        "articles": size,
        "index_s": round(statistics.median(index_times), 2),
        "index_mb": round(index_bytes / 1e6, 1),
        "text_mb": round(text_bytes / 1e6, 1),
        "index_text_ratio": round(index_bytes / text_bytes, 2),
    }
    try:
        service = ServiceProcess(site)
    except RuntimeError as error:
        raise SystemExit(f"bench: {error}") from None
    try:
        with requests.Session() as session:
            _wait_until_ready(session, service.url)  # index open, frequent terms cached
            # first pass: queries the service has never seen (what a new reader's query meets)
            api_times, answers = _latencies(session, service.url + "/api/search", queries, 1)
            repeated, _ = _latencies(session, service.url + "/api/search", queries, repeat)
            page_times, _ = _latencies(session, service.url + "/tim-kiem/", queries, 1)
    finally:
        service.stop()
    totals = [response.json()["total"] for response in answers[: len(queries)]]
    row.update({f"api_{key}": value for key, value in _summary(api_times).items()})
    row.update({f"repeat_{key}": value for key, value in _summary(repeated).items()})
    row.update({f"page_{key}": value for key, value in _summary(page_times).items()})
    row["queries"] = len(queries)
    row["with_hits"] = sum(1 for total in totals if total)
    row["median_hits"] = int(statistics.median(totals))
    return row


def run(args) -> int:
    """``bench search`` (called by :func:`portal.bench.run`, which checked the corpus and sizes)."""
    corpus_path = corpus.find_corpus(args.corpus)
    sizes = args.sizes or DEFAULT_SIZES
    repeat = max(args.repeat, 1)
    articles = corpus.articles(max(sizes), corpus_path)  # past the corpus's end: made from it
    if len(articles) < max(sizes):
        print(f"bench: kho bài chỉ có {len(articles)} bài; đo với số đó", file=sys.stderr)
        sizes = sorted({min(size, len(articles)) for size in sizes})
    docs = documents(articles)
    queries = query_set(articles[:1000])
    counts = load_bench.parse_counts(args.processes)
    if counts and not nginx_deploy.available():
        print(f"bench: nginx is not installed ({nginx_deploy.NGINX}; .ci/run installs it, or apt-get install "
              "nginx): no queries-per-second figures", file=sys.stderr, flush=True)
        counts = []
    load_queries = query_set(articles[:1000], args.load_queries, seed=2026) if counts else []
    work = Path(args.workdir or tempfile.mkdtemp(prefix="portal-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    header = (f"{'bài':>7} {'ghi chỉ mục':>11} {'dung lượng':>10}   {'API p50':>8} {'p95':>7} {'max':>7}"
              f"   {'lặp p50':>8} {'p95':>7}   {'trang p50':>9} {'p95':>7} {'max':>7}   có kết quả")
    print(f"Tìm kiếm: {len(queries)} truy vấn mới (API, trang), rồi {repeat} lượt lặp lại; "
          "một client tuần tự (ms)", flush=True)
    print(header, flush=True)
    try:
        for size in sizes:
            row = bench_size(size, docs, queries, work, repeat)
            if counts:
                row.update(load_bench.measure(work / f"site-{size}", load_queries, counts, args.clients,
                                              _wait_until_ready, _summary))
            rows.append(row)
            print(
                f"{size:>7} {row['index_s']:>10.1f}s {row['index_mb']:>8.1f}MB   {row['api_p50_ms']:>8.1f} "
                f"{row['api_p95_ms']:>7.1f} {row['api_max_ms']:>7.1f}   {row['repeat_p50_ms']:>8.1f} "
                f"{row['repeat_p95_ms']:>7.1f}   {row['page_p50_ms']:>9.1f} "
                f"{row['page_p95_ms']:>7.1f} {row['page_max_ms']:>7.1f}   {row['with_hits']}/{row['queries']}",
                flush=True,
            )
            if counts:
                print("        nginx, " + "; ".join(
                    f"{n} process(es): {row[f'qps_{n}']} queries/s, p50 {row[f'load_p50_ms_{n}']} ms, "
                    f"p95 {row[f'load_p95_ms_{n}']} ms under load" for n in counts)
                    + f" ({len(load_queries)} queries, {args.clients} clients)", flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    at_10k = next((row for row in rows if row["articles"] == 10000), None)
    if at_10k:
        ok_index = at_10k["index_s"] < TARGETS["index_s_at_10000"]
        ok_p95 = at_10k["api_p95_ms"] < TARGETS["p95_ms_at_10000"]
        print(f"Mục tiêu ở 10000 bài: ghi chỉ mục < 60 s {'ĐẠT' if ok_index else 'CHƯA ĐẠT'}, "
              f"p95 API < 50 ms {'ĐẠT' if ok_p95 else 'CHƯA ĐẠT'}")
    print(json.dumps({"queries": queries[:12], "results": rows}, ensure_ascii=False, indent=2))
    print(f"\nbench search --articles {','.join(map(str, sizes))} --repeat {repeat}"
          f" --processes {','.join(map(str, counts)) or 0} --clients {args.clients}"
          f" --load-queries {args.load_queries}\n")
    print(bench_table.markdown(rows, TABLE + load_bench.table_figures(counts)), flush=True)
    return 0
