"""``python -m portal bench``: wrong arguments are said plainly, never as a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from portal import corpus
from tests.conftest import ROOT


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


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
