"""The preview's full build, interrupted as a newer save does: nothing of the live site
changes, and the quick rebuild of the next save still works on what the last build left."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from portal.preview import memory
from portal.preview.builder import Builder
from tests.conftest import ROOT, write_article


def _live(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_an_interrupted_full_build_changes_nothing_and_quick_rebuilds_go_on(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    memory.install()
    content, out = tmp_path / "content", tmp_path / "out"
    article = write_article(content, "2024/a.md", "Hội nghị an ninh trật tự", "2024-05-02", "Quảng Bình",
                            body="Nội dung đầu.", summary="Tóm tắt không đổi.")
    write_article(content, "2024/b.md", "Tuần tra biên giới", "2024-06-02", "Cao Bằng")
    builder = Builder(content, out, cache_path=str(tmp_path / "cache"))
    assert builder.build(quiet=True).ok
    builder.empty_spare()
    article.write_text(article.read_text(encoding="utf-8") + "\nCâu sửa nhanh quxnhanh.\n", encoding="utf-8")
    assert builder.rebuild([str(article)]).quick
    live = _live(out)

    write_article(content, "2024/c.md", "Bài mới chưa đăng", "2024-07-02", "Cao Bằng", body="Nội dung bài mới.")
    done = threading.Event()

    def interrupt():  # as Worker.interrupt: again until the build has stopped
        while not done.is_set():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.02)

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in the worker, between builds
    sender = threading.Thread(target=interrupt)
    try:
        sender.start()
        result = builder.build(quiet=True)
    finally:
        done.set()
        sender.join()
        signal.signal(signal.SIGINT, previous)
    assert result.stopped and not result.ok, result.messages
    assert _live(out) == live  # the live site as it was: no new article, no half build

    article.write_text(article.read_text(encoding="utf-8") + "\nCâu sửa nữa quxlannua.\n", encoding="utf-8")
    again = builder.rebuild([str(article)])
    assert again.ok and again.quick, again  # the last good build's articles were kept
    page = (out / "2024" / "hoi-nghi-an-ninh-trat-tu" / "index.html").read_text(encoding="utf-8")
    assert "quxlannua" in page and "quxnhanh" in page

    assert builder.build(quiet=True).ok  # the next full build publishes everything
    assert (out / "2024" / "bai-moi-chua-dang" / "index.html").is_file()
    # what the interrupted build had begun is gone (at once, or at the latest with the next build)
    assert {p.name for p in tmp_path.iterdir() if p.name.startswith("out")} <= {"out", "out.lock", "out.spare"}


def test_a_build_stopped_while_an_article_is_rendered_is_not_that_articles_error(monkeypatch):
    from portal import rendering, sanitize
    from portal.build import BuildInterrupted
    from portal.validation import load

    def stopped(_html):
        raise BuildInterrupted(signal.SIGINT)

    path = ROOT / "content" / "2019"
    article = load(str(next(path.glob("*.md"))), "bai.md")
    monkeypatch.setattr(sanitize, "clean", stopped)
    with pytest.raises(BuildInterrupted):
        rendering.render(article)
