"""``python -m portal search``: JSON and readable output, filters, bad arguments, no index."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from portal import cli
from portal.search.cli import snippet_text
from tests.conftest import ROOT

ARTICLE_2012 = "/2012/cong-an-tinh-day-manh-phong-trao-toan-dan-bao-ve-antq-nam-2012/"


def search(capsys, site, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["search", "--site", str(site), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_module(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "search", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_json_output(capsys, sample_site):
    code, out, _ = search(capsys, sample_site, "--json", "an", "ninh", "to", "quoc")
    assert code == 0
    data = json.loads(out)
    assert {"query", "total", "results", "facets"} <= set(data)
    assert data["query"] == "an ninh to quoc" and data["total"] == 5
    hit = data["results"][0]
    assert set(hit) == {"url", "title", "date", "province", "snippet", "score"}
    assert "<mark" in hit["snippet"]
    assert set(data["facets"]) == {"province", "year"} and data["facets"]["province"]["quang-tri"] == 1


def test_filters_and_limit(capsys, sample_site):
    _, out, _ = search(capsys, sample_site, "--json", "--province", "quang-binh", "ANTQ")
    assert [hit["url"] for hit in json.loads(out)["results"]] == [ARTICLE_2012]
    _, out, _ = search(capsys, sample_site, "--json", "--year", "2022", "--limit", "1", "an ninh")
    data = json.loads(out)
    assert data["total"] == 2 and len(data["results"]) == 1 and data["pages"] == 2
    assert data["results"][0]["date"].startswith("2022-")
    _, out, _ = search(capsys, sample_site, "--json", "--sort", "newest", "--page", "2", "--limit", "2", "an ninh")
    data = json.loads(out)
    assert data["page"] == 2 and [hit["date"][:4] for hit in data["results"]] == ["2022", "2019"]


def test_readable_listing(capsys, sample_site):
    code, out, _ = search(capsys, sample_site, "--limit", "5", "--page", "1", "ANTQ")
    assert code == 0
    assert out.startswith("Tìm thấy 5 kết quả cho “ANTQ”.\n")
    assert "10/02/2012 · Quảng Bình" in out and ARTICLE_2012 in out
    assert "[ANTQ]" in out and "<mark" not in out  # not a terminal: matches in brackets
    assert "Tỉnh, thành phố: " in out and "Quảng Trị (1)" in out and "Năm: 2023 (1), 2022 (2)" in out


def test_readable_listing_without_results_shows_the_suggestion(capsys, sample_site):
    code, out, _ = search(capsys, sample_site, "hoi", "nghij")
    assert code == 0
    assert "Không tìm thấy kết quả nào cho “hoi nghij”." in out
    assert "Có phải bạn muốn tìm: hoi nghi?" in out


def test_snippet_text():
    html = 'a <mark class=" 0">b</mark> &amp; <b>c</b>\n<mark>d</mark>'
    assert snippet_text(html, bold=False) == "a [b] & c [d]"
    assert snippet_text(html, bold=True) == "a \033[1mb\033[22m & c \033[1md\033[22m"


@pytest.mark.parametrize(
    "argv, message",
    [(["--year", "20x", "an"], "năm (year)"), (["--year", "1800", "an"], "năm (year)"),
     (["--province", "atlantis", "an"], "tỉnh"), (["--limit", "0", "an"], "limit"), (["--page", "-2", "an"], "page"),
     (["--sort", "oldest", "an"], "invalid choice"), (["--page", "abc", "an"], "invalid int"), ([], "QUERY"),
     (["   "], "từ khoá")],
)
def test_bad_arguments_exit_2(sample_site, argv, message):
    result = run_module("--site", str(sample_site), *argv)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_index_exits_1(tmp_path, sample_site):
    for site in (tmp_path / "nowhere", sample_site / "theme"):
        result = run_module("--site", str(site), "an ninh")
        assert result.returncode == 1
        assert "make html" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


def test_damaged_index_exits_1(tmp_path):
    index = tmp_path / "site" / "search-index"
    index.mkdir(parents=True)
    (index / "manifest.json").write_text("{}", encoding="utf-8")
    result = run_module("--site", str(tmp_path / "site"), "--json", "an")
    assert result.returncode == 1 and "make html" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_of_another_schema_exits_1(tmp_path, sample_site):
    index = tmp_path / "site" / "search-index"
    shutil.copytree(sample_site / "search-index", index)
    (index / "manifest.json").write_text('{"schema": 0, "documents": {}}', encoding="utf-8")
    result = run_module("--site", str(tmp_path / "site"), "an")
    assert result.returncode == 1 and "make html" in result.stderr
    assert "Traceback" not in result.stderr

