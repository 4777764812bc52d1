"""``python -m portal bench build|search``: measured speed on the real corpus.

``bench build`` writes N corpus articles as Markdown (synthetic dates and provinces) and
times, in one run and alternating, this project's build against vanilla Pelican (default
theme, no plugins, same content): a full build from nothing, a rebuild after editing one
article, and another after editing a second one (an editor's usual loop; from then on the
portal writes into the folders of the site it replaced, see ``portal.build``); then, for
``make preview``, from saving an edit of one article to the preview serving the rebuilt page
(:mod:`portal.preview.bench`); with ``--photos``, the same articles with one photo each
(:mod:`portal.photo_bench`). Per size also: peak memory (RSS) of both, the search index on
disk against the text it indexes, the site's gzip; ``--edits 0|1|2`` limits the rebuilds timed
(at 100k articles each vanilla rebuild costs a full build), ``--no-preview`` skips the preview,
``--profile DIR`` adds a profiled full build of each (:mod:`portal.bench_profile`). After all
sizes: one table, with the growth between the two largest sizes (:mod:`portal.bench_table`).
``bench search`` indexes 1k/10k/35k articles and measures query latency over the HTTP API.
``bench readers`` measures whether reader queries (places, years, titles) find what they mean.
Figures are medians of ``--repeat`` runs; compare them as ratios within one run.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal import bench_profile, bench_table, corpus, load_bench, photo_bench, precompress, validation
from portal.importer.writing import escape_markdown
from portal.preview import bench as preview_bench

ROOT = Path(__file__).resolve().parents[1]
VANILLA_SETTINGS = """\
PATH = {content!r}
SITENAME = "vanilla"
SITEURL = ""
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
ARTICLE_PATHS = [""]
FEED_ALL_ATOM = "feeds/all.atom.xml"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
"""


def parse_sizes(text: str | None) -> list[int]:
    """``--articles``: "1000,10000" → [1000, 10000]; [] when not given; ValueError when wrong."""
    try:
        sizes = [int(part) for part in text.split(",")] if text else []
    except ValueError:
        raise ValueError("--articles là các số, ví dụ 1000,10000") from None
    if any(size < 1 for size in sizes):
        raise ValueError("--articles phải dương")
    return sizes


def write_corpus_site(folder: Path, count: int, corpus_path=None, articles=None) -> list[Path]:
    """Write ``count`` articles as Markdown under ``folder`` (the corpus's, then made from it,
    see :func:`portal.corpus.articles`; or ``articles`` when given); return their paths."""
    paths: list[Path] = []
    for article in articles if articles is not None else corpus.articles(count, corpus_path):
        path = folder / str(article.date.year) / f"{article.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = validation.header_text(article.title, article.date, article.province.name,
                                        slug=article.id, summary=article.summary or None)
        body = "\n\n".join(escape_markdown(p) for p in article.paragraphs)
        path.write_text(header + body + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def indexed_text_bytes(articles) -> int:
    """UTF-8 bytes of the text the index holds of ``articles``: title, summary and body of
    their search documents (the summary once when the body begins with it)."""
    from portal.search.bench import documents

    return sum(len(doc.title.encode()) + len(doc.text.encode()) for doc in documents(articles))


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _run(command: list[str], cwd: Path, peaks: list[float] | None = None, env: dict | None = None) -> float:
    """Seconds the command took; its peak memory (MB, the largest of the process and the
    children it waited for, such as the index process) appended to ``peaks``."""
    if hasattr(os, "sync"):
        os.sync()  # the previous run's writes reach the disk before this run is timed
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(output[-6000:].decode("utf-8", "replace"))
        raise SystemExit(f"bench: command failed: {' '.join(command)}")
    if peaks is not None:
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return elapsed


EDITS = ("edit", "edit_again")
TABLE = [
    ("portal_full", "full build, portal (s)", "cost"),
    ("vanilla_full", "full build, vanilla Pelican (s)", "cost"),
    ("full_ratio", "portal ÷ vanilla", "ratio"),
    ("portal_edit", "rebuild after editing one article, portal (s)", "cost"),
    ("vanilla_edit", "rebuild after editing one article, vanilla (s)", "cost"),
    ("portal_edit_again", "rebuild after editing another, portal (s)", "cost"),
    ("vanilla_edit_again", "rebuild after editing another, vanilla (s)", "cost"),
    ("preview_first_build", "preview: first build (s)", "cost"),
    ("preview_edit", "preview: saved edit → rebuilt page (s)", "cost"),
    ("preview_edit_during_rebuild", "preview: the same, saved during the full rebuild (s)", "cost"),
    ("preview_full_rebuild", "preview: full rebuild after it (s)", "cost"),
    ("preview_peak_mb", "preview: peak memory of the build worker (MB)", "cost"),
    ("portal_peak_mb", "peak memory, portal (MB)", "cost"),
    ("vanilla_peak_mb", "peak memory, vanilla (MB)", "cost"),
    ("index_mb", "search index on disk (MB)", "cost"),
    ("text_mb", "text it indexes (MB)", "cost"),
    ("index_text_ratio", "index ÷ text", "ratio"),
    ("gzip_s", "gzip of the site (s)", "cost"),
    ("site_mb", "site on disk (MB)", "cost"),
]


def bench_build(args) -> int:
    sizes = args.sizes or [2000]
    edits = EDITS[: max(0, min(args.edits, len(EDITS)))]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="portal-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pelican = str(Path(sys.executable).with_name("pelican"))
    results = []
    for size in sizes:
        content = work / f"content-{size}"
        shutil.rmtree(content, ignore_errors=True)
        articles = corpus.articles(size, args.corpus)
        paths = write_corpus_site(content, size, articles=articles)
        text_bytes = indexed_text_bytes(articles)
        del articles
        vanilla_conf = work / "vanilla.py"
        vanilla_conf.write_text(VANILLA_SETTINGS.format(content=str(content)), encoding="utf-8")
        runs: dict[str, list[float]] = {
            f"{name}_{kind}": [] for kind in ("full", *edits) for name in ("portal", "vanilla")
        }
        peaks: dict[str, list[float]] = {"portal": [], "vanilla": []}
        commands = {}
        index_bytes = site_bytes = 0
        for attempt in range(args.repeat):
            for name, settings in (("portal", ROOT / "pelicanconf.py"), ("vanilla", vanilla_conf)):
                out, cache = work / f"out-{name}", work / f"cache-{name}"
                for folder in (out, Path(f"{out}.spare"), cache):
                    shutil.rmtree(folder, ignore_errors=True)
                command = [pelican, str(content), "-s", str(settings), "-o", str(out), "--cache-path", str(cache), "-q"]
                commands[name] = command
                runs[f"{name}_full"].append(_run(command, ROOT, peaks[name]))
                if name == "portal":  # the full build's index (an edit adds a segment)
                    index_bytes = folder_bytes(out / "search-index")
                    site_bytes = folder_bytes(out)
                for offset, kind in enumerate(edits):
                    edited = paths[(attempt * 97 + offset * 31) % len(paths)]
                    edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
                    runs[f"{name}_{kind}"].append(_run(command, ROOT, peaks[name]))
        medians = {key: statistics.median(values) for key, values in runs.items()}
        if args.preview:
            out = work / "out-preview"
            for folder in (out, Path(f"{out}.spare")):
                shutil.rmtree(folder, ignore_errors=True)
            urls = [f"/{path.parent.name}/{path.stem}/" for path in paths]  # year/slug (the file's name)
            medians.update(preview_bench.measure(content, out, paths, args.repeat, urls))
            medians["preview_share"] = medians["preview_edit"] / medians["portal_full"]
        row = {
            "articles": size,
            **{key: round(value, 2) for key, value in medians.items()},
            "full_ratio": round(medians["portal_full"] / medians["vanilla_full"], 2),
            **{f"{kind}_share": round(medians[f"portal_{kind}"] / medians["portal_full"], 2) for kind in edits},
            **{f"{name}_peak_mb": round(max(values)) for name, values in peaks.items()},
            "index_bytes": index_bytes,
            "text_bytes": text_bytes,
            "index_mb": round(index_bytes / 1e6, 1),
            "text_mb": round(text_bytes / 1e6, 1),
            "index_text_ratio": round(index_bytes / text_bytes, 2),
            "site_mb": round(site_bytes / 1e6, 1),
            **_gzip_figures(work / "out-portal"),
        }
        if args.photos:
            row.update(photo_bench.measure(work, size, args.repeat, args.corpus, pelican, medians["portal_full"]))
        if args.profile:
            row.update(bench_profile.profile_builds(Path(args.profile), size, commands, work, ROOT, _run))
        results.append(row)
        print(_report(row, edits), flush=True)
        if args.photos:
            print(photo_bench.report(size, row), flush=True)
    print(json.dumps(results, indent=2))
    print(f"\nbench build --articles {','.join(map(str, sizes))} --repeat {args.repeat} --edits {len(edits)}"
          f"{'' if args.preview else ' --no-preview'}\n")
    print(bench_table.markdown(results, TABLE), flush=True)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _report(row: dict, edits: tuple[str, ...]) -> str:
    """The size's figures in one paragraph."""
    parts = [f"{row['articles']} articles: full build: portal {row['portal_full']}s vs vanilla "
             f"{row['vanilla_full']}s (×{row['full_ratio']})"]
    for kind, what in zip(edits, ("editing one article", "editing another"), strict=False):
        parts.append(f"rebuild after {what}: portal {row[f'portal_{kind}']}s ({row[f'{kind}_share']:.0%} of "
                     f"full), vanilla {row[f'vanilla_{kind}']}s")
    if "preview_edit" in row:
        parts.append(f"preview (make preview): from saving an edit to the rebuilt page {row['preview_edit']}s "
                     f"({row['preview_edit'] / row['portal_full']:.1%} of full), saved during the full rebuild "
                     f"that follows {row['preview_edit_during_rebuild']}s, that full rebuild (index, feeds) "
                     f"{row['preview_full_rebuild']}s, first build {row['preview_first_build']}s, build worker's "
                     f"peak memory {row['preview_peak_mb']} MB")
    parts.append(f"peak memory: portal {row['portal_peak_mb']} MB, vanilla {row['vanilla_peak_mb']} MB")
    parts.append(f"search index {row['index_mb']} MB for {row['text_mb']} MB of text (×{row['index_text_ratio']}); "
                 f"site {row['site_mb']} MB")
    parts.append(f"gzip of the site (GZIP_OUTPUT, publishconf.py): {row['gzip_s']}s for {row['gzip_files']} "
                 f"files, {row['gzip_mb']} MB → {row['gzip_packed_mb']} MB")
    return "; ".join(parts)


def _gzip_figures(site: Path) -> dict:
    """What ``GZIP_OUTPUT`` adds to a full build: compressing the whole site once (timed)."""
    counts = precompress.compress_site(str(site))
    files = precompress.compressible(str(site))
    size = sum((site / name).stat().st_size for name in files)
    packed = sum((site / (name + ".gz") if (site / (name + ".gz")).exists() else site / name).stat().st_size
                 for name in files)
    for path in site.rglob("*.gz"):
        path.unlink()
    return {"gzip_s": counts["seconds"], "gzip_files": counts["compressed"],
            "gzip_mb": round(size / 1e6, 1), "gzip_packed_mb": round(packed / 1e6, 1)}


def run(args) -> int:
    if corpus.find_corpus(args.corpus) is None:
        print(f"bench: không thấy kho bài {args.corpus or corpus.DEFAULT_CORPUS}", file=sys.stderr)
        return 2
    try:
        args.sizes = parse_sizes(args.articles)
        if args.what == "search":
            load_bench.parse_counts(args.processes)
            if args.clients < 1 or args.load_queries < 1:
                raise ValueError("--clients và --load-queries phải dương")
    except ValueError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    if args.what == "build":
        return bench_build(args)
    if args.what == "readers":
        from portal.search import readers

        return readers.run(args)
    from portal.search import bench as search_bench

    return search_bench.run(args)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONPATH", str(ROOT))
