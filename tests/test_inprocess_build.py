"""Pelican run in this process, several builds in a row, as the pelican-plugins do in their
tests: each plugin's state belongs to one build (a bad article stops one build, not the next),
and the result is the one the ``pelican`` command writes."""

from __future__ import annotations

import os

import pytest
from pelican.settings import read_settings

from tests.conftest import ROOT, page, write_article


def run(content, out, cache, **override):
    """One build of ``content`` with the portal's settings, in this process."""
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(out), "CACHE_PATH": str(cache), **override})
    settings["PELICAN_CLASS"](settings).run()


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # PLUGIN_PATHS and THEME are relative to the project
    content = tmp_path / "content"
    write_article(content, "2024/a.md", "Hội nghị an ninh trật tự", "2024-05-02", "Quảng Bình", tags="ANTQ")
    write_article(content, "2024/b.md", "Tuần tra biên giới", "2024-06-02", "Cao Bằng", tags="ANTQ")
    return content, tmp_path / "out", tmp_path / "cache"


def test_builds_in_one_process_each_with_its_own_state(project, capsys):
    content, out, cache = project
    run(content, out, cache)
    article = page(out, "2024/hoi-nghi-an-ninh-trat-tu/")
    assert article.find("h1").get_text(strip=True) == "Hội nghị an ninh trật tự"
    assert "Quảng Trị" in article.get_text()  # the unit Quảng Bình belongs to now
    assert (out / "search-index" / "manifest.json").is_file() and (out / ".render-manifest.json").is_file()

    bad = write_article(content, "2024/c.md", "Bài sai tỉnh", "2024-07-02", "Atlantis")
    with pytest.raises(SystemExit) as stopped:
        run(content, out, cache)
    assert stopped.value.code == 1
    assert "c.md:3:" in capsys.readouterr().err
    assert not (out / "2024" / "bai-sai-tinh").exists()  # the last good site stays

    bad.unlink()
    write_article(content, "2024/d.md", "Bài mới", "2024-08-02", "Huế")
    run(content, out, cache)  # the problems of the failed build are gone with it
    assert "c.md" not in capsys.readouterr().err
    assert page(out, "2024/bai-moi/").find("h1").get_text(strip=True) == "Bài mới"
    from portal.search.request import SearchRequest
    from portal.search.searcher import Searcher

    assert [hit.title for hit in Searcher(out).search(SearchRequest(q="bai moi")).results] == ["Bài mới"]
    assert (out / "tinh" / "quang-tri" / "index.html").is_file()


def test_an_article_saved_while_the_build_reads_it_is_read_again_next_time(project):
    """Pelican cached what it read with the file's time after reading: a save in between left
    the old text cached under the new time, and every later build showed the old text."""
    from pelican import signals

    content, out, cache = project
    source = content / "2024" / "a.md"
    first = source.stat().st_mtime_ns

    def saved_meanwhile(generator, metadata):
        if metadata.get("title") == "Hội nghị an ninh trật tự" and source.stat().st_mtime_ns == first:
            source.write_text(source.read_text(encoding="utf-8") + "\nCâu lưu giữa chừng quxgiua.\n",
                              encoding="utf-8")
            os.utime(source, ns=(first + 2_000_000_000, first + 2_000_000_000))

    signals.article_generator_context.connect(saved_meanwhile)
    try:
        run(content, out, cache)  # read the text before the save
    finally:
        signals.article_generator_context.disconnect(saved_meanwhile)
    assert "quxgiua" not in page(out, "2024/hoi-nghi-an-ninh-trat-tu/").get_text()
    run(content, out, cache)
    assert "quxgiua" in page(out, "2024/hoi-nghi-an-ninh-trat-tu/").get_text()
