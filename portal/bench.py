"""``python -m portal bench build|search``: measured speed on the real corpus.

``bench build`` writes N corpus articles as Markdown (synthetic dates and provinces) and
times, in one run and alternating, this project's build against vanilla Pelican (default
theme, no plugins, same content): a full build from nothing, a rebuild after editing one
article, and another after editing a second one (an editor's usual loop; from then on the
portal writes into the folders of the site it replaced, see ``portal.build``); then, for
``make preview``, from saving an edit of one article to the preview serving the rebuilt page
(:mod:`portal.preview.bench`); with ``--photos``, the same articles with one photo each
(:mod:`portal.photo_bench`).
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

from portal import corpus, photo_bench, precompress, validation
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


def write_corpus_site(folder: Path, count: int, corpus_path=None) -> list[Path]:
    """Write ``count`` articles as Markdown under ``folder`` (the corpus's, then made from it,
    see :func:`portal.corpus.articles`); return their paths."""
    paths: list[Path] = []
    for article in corpus.articles(count, corpus_path):
        path = folder / str(article.date.year) / f"{article.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = validation.header_text(article.title, article.date, article.province.name,
                                        slug=article.id, summary=article.summary or None)
        body = "\n\n".join(escape_markdown(p) for p in article.paragraphs)
        path.write_text(header + body + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _run(command: list[str], cwd: Path, peaks: list[float] | None = None) -> float:
    """Seconds the command took; its peak memory (MB, the largest of the process and the
    children it waited for, such as the index process) appended to ``peaks``."""
    if hasattr(os, "sync"):
        os.sync()  # the previous run's writes reach the disk before this run is timed
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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


def bench_build(args) -> int:
    sizes = args.sizes or [2000]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="portal-bench-"))
    pelican = str(Path(sys.executable).with_name("pelican"))
    results = []
    for size in sizes:
        content = work / f"content-{size}"
        shutil.rmtree(content, ignore_errors=True)
        paths = write_corpus_site(content, size, args.corpus)
        vanilla_conf = work / "vanilla.py"
        vanilla_conf.write_text(VANILLA_SETTINGS.format(content=str(content)), encoding="utf-8")
        runs: dict[str, list[float]] = {
            f"{name}_{kind}": [] for kind in ("full", "edit", "edit_again") for name in ("portal", "vanilla")
        }
        peaks: dict[str, list[float]] = {"portal": [], "vanilla": []}
        for attempt in range(args.repeat):
            for name, settings in (("portal", ROOT / "pelicanconf.py"), ("vanilla", vanilla_conf)):
                out, cache = work / f"out-{name}", work / f"cache-{name}"
                for folder in (out, Path(f"{out}.spare"), cache):
                    shutil.rmtree(folder, ignore_errors=True)
                command = [pelican, str(content), "-s", str(settings), "-o", str(out), "--cache-path", str(cache), "-q"]
                runs[f"{name}_full"].append(_run(command, ROOT, peaks[name]))
                for offset, kind in ((0, "edit"), (1, "edit_again")):
                    edited = paths[(attempt * 97 + offset * 31) % len(paths)]
                    edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
                    runs[f"{name}_{kind}"].append(_run(command, ROOT))
        medians = {key: statistics.median(values) for key, values in runs.items()}
        out = work / "out-preview"
        for folder in (out, Path(f"{out}.spare")):
            shutil.rmtree(folder, ignore_errors=True)
        urls = [f"/{path.parent.name}/{path.stem}/" for path in paths]  # year/slug (the slug is the file's name)
        medians.update(preview_bench.measure(content, out, paths, args.repeat, urls))
        row = {
            "articles": size,
            **{key: round(value, 2) for key, value in medians.items()},
            "full_ratio": round(medians["portal_full"] / medians["vanilla_full"], 2),
            "edit_share": round(medians["portal_edit"] / medians["portal_full"], 2),
            "edit_again_share": round(medians["portal_edit_again"] / medians["portal_full"], 2),
            "preview_share": round(medians["preview_edit"] / medians["portal_full"], 3),
            **{f"{name}_peak_mb": round(max(values)) for name, values in peaks.items()},
            **_gzip_figures(work / "out-portal"),
        }
        if args.photos:
            row.update(photo_bench.measure(work, size, args.repeat, args.corpus, pelican, medians["portal_full"]))
        results.append(row)
        print(
            f"{size} articles: full build: portal {row['portal_full']}s vs vanilla {row['vanilla_full']}s "
            f"(×{row['full_ratio']}); rebuild after editing one article: portal {row['portal_edit']}s "
            f"({row['edit_share']:.0%} of full), vanilla {row['vanilla_edit']}s; "
            f"after editing another: portal {row['portal_edit_again']}s ({row['edit_again_share']:.0%} of full), "
            f"vanilla {row['vanilla_edit_again']}s; preview (make preview): from saving an edit to the "
            f"rebuilt page {row['preview_edit']}s ({row['preview_share']:.1%} of full), then the full "
            f"rebuild it runs (index, feeds) {row['preview_full_rebuild']}s; peak memory: portal "
            f"{row['portal_peak_mb']} MB, vanilla {row['vanilla_peak_mb']} MB; gzip of the site "
            f"(GZIP_OUTPUT, publishconf.py): {row['gzip_s']}s for {row['gzip_files']} files, "
            f"{row['gzip_mb']} MB → {row['gzip_packed_mb']} MB",
            flush=True,
        )
        if args.photos:
            print(photo_bench.report(size, row), flush=True)
    print(json.dumps(results, indent=2))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


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
