"""``python -m portal bench``: wrong arguments are said plainly, never as a traceback."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from portal import bench_table, corpus, nginx_deploy
from portal.search import bench as search_bench
from tests.conftest import ROOT


def _bench(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("what", ["build", "search"])
@pytest.mark.parametrize(("articles", "message"), [("x", "--articles là các số"), ("0", "--articles phải dương")])
def test_wrong_article_counts(what, articles, message):
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    result = _bench(what, "--articles", articles)
    assert result.returncode == 2
    assert f"bench: {message}" in result.stderr and "Traceback" not in result.stderr


def test_missing_corpus():
    result = _bench("build", "--corpus", "/nonexistent/corpus.jsonl.gz")
    assert result.returncode == 2
    assert "bench: không thấy kho bài /nonexistent/corpus.jsonl.gz" in result.stderr


def test_build_at_a_tiny_size_reports_index_text_and_profiles(tmp_path):
    """One rebuild only, no preview, a profile of each full build (the index process's too),
    and the closing table."""
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    profiles = tmp_path / "profiles"
    result = _bench("build", "--articles", "20", "--repeat", "1", "--edits", "1", "--no-preview",
                    "--profile", str(profiles), "--workdir", str(tmp_path / "work"), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    start = result.stdout.index("[")
    row = json.loads(result.stdout[start:result.stdout.index("\n]", start) + 2])[0]
    assert row["articles"] == 20 and row["portal_edit"] > 0 and "portal_edit_again" not in row
    assert "preview_edit" not in row
    assert row["index_bytes"] > 0 and row["text_bytes"] > 20 * 500
    assert row["index_text_ratio"] == round(row["index_bytes"] / row["text_bytes"], 2)
    assert row["portal_peak_mb"] > 0 and row["vanilla_peak_mb"] > 0
    assert "| search index on disk (MB) |" in result.stdout and "| index ÷ text |" in result.stdout
    for name in ("portal", "vanilla", "portal-index"):
        summary = (profiles / f"build-20-{name}.txt").read_text(encoding="utf-8")
        assert (profiles / f"build-20-{name}.prof").stat().st_size > 0
        assert "Top 25 by cumulative time" in summary and "Top 25 by own time" in summary
    assert "write_index" in (profiles / "build-20-portal-index.txt").read_text(encoding="utf-8")
    assert not (profiles / "build-20-vanilla-index.prof").exists()


def test_the_growth_table():
    rows = [{"articles": 35529, "t": 10.0, "qps": 50.0, "r": 1.2}, {"articles": 100000, "t": 30.0, "qps": 10.0}]
    assert bench_table.growth(rows, "t") == pytest.approx(3 / (100000 / 35529))
    assert bench_table.growth(rows, "qps", "rate") == pytest.approx(5 / (100000 / 35529))
    assert bench_table.growth(rows, "r", "ratio") is None
    table = bench_table.markdown(rows, [("t", "time (s)", "cost"), ("qps", "QPS", "rate"), ("r", "ratio", "ratio"),
                                        ("absent", "absent", "cost")])
    lines = table.splitlines()
    assert lines[0] == "| figure | 35,529 | 100,000 | growth 35,529→100,000 ÷ 2.81 |"
    assert lines[2] == "| time (s) | 10 | 30 | **1.07** |"
    assert lines[3] == "| QPS | 50 | 10 | **1.78** |"
    assert lines[4] == "| ratio | 1.2 | — | — |"
    assert len(lines) == 5


def test_search_at_a_tiny_size_with_processes_behind_nginx(tmp_path):
    """Queries per second with one and two service processes behind nginx (deploy/nginx.conf)."""
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    if not nginx_deploy.available():
        pytest.skip("nginx is not installed (.ci/run installs it)")
    result = _bench("search", "--articles", "30", "--repeat", "1", "--processes", "1,2", "--clients", "3",
                    "--load-queries", "24", "--workdir", str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    start = result.stdout.index('{\n  "queries"')
    row = json.loads(result.stdout[start:result.stdout.index("\n}", start) + 2])["results"][0]
    for count in (1, 2):
        assert row[f"qps_{count}"] > 0 and row[f"load_failed_{count}"] == 0
        assert 0 < row[f"load_p50_ms_{count}"] <= row[f"load_p95_ms_{count}"]
        assert f"| queries/s, {count} process{'es' if count > 1 else ''} behind nginx | " in result.stdout
    assert row["text_mb"] > 0 and row["index_text_ratio"] > 0
    assert "| index ÷ text |" in result.stdout and "qps_4" not in row


def test_search_without_nginx_says_so_and_measures_the_rest(monkeypatch, capsys, tmp_path):
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    monkeypatch.setattr(nginx_deploy, "available", lambda: False)
    figures = {key: 1.0 for key, _, _ in search_bench.TABLE} | {"with_hits": 1, "queries": 1}
    monkeypatch.setattr(search_bench, "bench_size", lambda size, *_: {"articles": size, **figures})
    args = argparse.Namespace(corpus=None, sizes=[10], repeat=1, workdir=str(tmp_path), processes="1,2,4",
                              clients=2, load_queries=10)
    assert search_bench.run(args) == 0
    out, err = capsys.readouterr()
    assert "bench: nginx is not installed" in err and "no queries-per-second figures" in err
    assert "| index on disk (MB) | 1 |" in out and "queries/s" not in out


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--processes", "x", "--processes là các số"), ("--processes", "-1", "--processes không được âm"),
    ("--clients", "0", "--clients và --load-queries phải dương"),
])
def test_wrong_load_options(option, value, message):
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    result = _bench("search", option, value)
    assert result.returncode == 2
    assert f"bench: {message}" in result.stderr and "Traceback" not in result.stderr
