"""In Debian's chromium: a page open in the preview reloads by itself after an edit is saved."""

from __future__ import annotations

import pytest

from tests.helpers_server import copy_content
from tests.test_preview import Preview

pytestmark = pytest.mark.browser


def test_the_open_page_reloads_after_an_edit(tmp_path, browser):
    content = copy_content(tmp_path / "content")
    preview = Preview(content, tmp_path / "out", tmp_path / "preview.log")
    context = browser.new_context(locale="vi-VN")
    try:
        state = preview.state()
        if state["ok"] is None:
            preview.next_build(state["generation"])
        page = context.new_page()
        page.set_default_timeout(60_000)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.goto(preview.url + "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/")
        assert "frobnisửa" not in page.inner_text("body")
        article = next(content.glob("2019/*.md"))
        text = article.read_text(encoding="utf-8")
        with page.expect_navigation():  # the page reloads itself: nobody touches the browser
            article.write_text(text + "\nCâu mới frobnisửa.\n", encoding="utf-8")
        assert "Câu mới frobnisửa." in page.inner_text("body")

        with page.expect_navigation():  # a broken article: the error appears over the last good page
            article.write_text(text.replace("Date: 2019-03-12", "Date: 2019-02-31", 1), encoding="utf-8")
        banner = page.inner_text("#preview-error")
        assert page.locator("#preview-error").is_visible()
        assert article.name + ":2:" in banner and "không có thật" in banner
        assert "Câu mới frobnisửa." in page.inner_text("body")  # the last good page

        with page.expect_navigation():  # fixed: the error goes
            article.write_text(text, encoding="utf-8")
        assert page.locator("#preview-error").count() == 0
        assert "frobnisửa" not in page.inner_text("body")
        assert problems == []
    finally:
        context.close()
        preview.stop()
