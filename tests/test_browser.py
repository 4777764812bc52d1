"""End to end in Debian's chromium: search from the header box, filter by province, open a result."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(sample_service):
    return sample_service


def test_search_filter_and_open_a_result(server, browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda reply: reply.status >= 400 and problems.append(f"{reply.status} {reply.url}"))
    try:
        page.goto(server.url + "/")
        page.fill("header #q", "an ninh to quoc")
        with page.expect_navigation():
            page.press("header #q", "Enter")
        assert re.search(r"/tim-kiem/\?q=an\+ninh\+to\+quoc$", page.url)
        results = page.locator("ol.results > li.result")
        assert results.count() == 5
        assert page.locator("ol.results .snippet mark").count() > 0
        assert "an ninh tổ quốc" in page.locator("ol.results .snippet mark").all_inner_texts()[0].lower()
        assert page.locator("ol.results .teaser-title mark").count() > 0  # titles are marked too
        # the theme's stylesheet applies (CSP allows it): the header is not unstyled
        header = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
        assert header not in ("rgba(0, 0, 0, 0)", "transparent")

        page.click("details.filters > summary")  # the filters fold above the results
        facet = page.locator("section.facet[aria-labelledby='loc-tinh'] a", has_text="Quảng Trị")
        with page.expect_navigation():
            facet.click()
        assert "province=quang-tri" in page.url
        selected = page.locator("section.facet[aria-labelledby='loc-tinh'] li.is-selected a")
        assert selected.count() == 1 and selected.get_attribute("aria-current") == "true"
        assert "Quảng Trị" in selected.text_content()  # inside the folded filters
        assert page.locator("ul.chips .chip-label").inner_text() == "Lọc tỉnh: Quảng Trị"
        assert results.count() == 1
        assert results.first.locator(".places").inner_text() == "Quảng Bình"

        title = results.first.locator(".teaser-title a").inner_text()
        with page.expect_navigation():
            results.first.locator(".teaser-title a").click()
        assert re.search(r"/2012/[a-z0-9-]+/$", page.url)
        assert page.locator("h1").first.inner_text().strip() == title.strip()
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_reader_sees_understood_chips_and_removes_one(server, browser, javascript):
    """At 375 px a reader types "khanh hoa 2022": one search box, the place and year as chips
    above the results, the filters folded before them; removing the year changes the results."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 667},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(server.url + "/")
        page.fill("header #q", "khanh hoa 2022")
        with page.expect_navigation():
            page.press("header #q", "Enter")
        assert page.locator("input[type=search]").count() == 1
        assert page.locator("#q-trang").input_value() == "khanh hoa 2022"
        chips = page.locator("ul.chips > li.chip")
        assert chips.count() == 2
        assert chips.nth(0).locator(".chip-label").inner_text() == "Tỉnh: Khánh Hòa"
        assert chips.nth(1).locator(".chip-label").inner_text() == "Năm: 2022"
        assert chips.nth(0).locator("a.chip-page").get_attribute("href") == "/tinh/khanh-hoa/"
        results = page.locator("ol.results > li.result")
        assert results.count() == 1 and results.first.locator(".places").inner_text() == "Ninh Thuận"
        filters = page.locator("details.filters")
        assert "Tỉnh: Khánh Hòa" in filters.locator("summary").inner_text()
        assert filters.bounding_box()["y"] < results.first.bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        with page.expect_navigation():
            chips.nth(0).locator("a.chip-remove").click()  # the place goes: every 2022 match
        assert page.locator("#q-trang").input_value() == "2022"
        assert chips.count() == 1 and results.count() == 3
    finally:
        context.close()


def test_province_index_fits_a_phone(server, browser):
    """/tinh/ at 375 px: units without articles are one quiet line each (4,253 px before, ~2,700 now)."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 667})
    page = context.new_page()
    try:
        page.goto(server.url + "/tinh/")
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert height <= 3000, height
        assert width <= 375, width  # nothing sticks out sideways
        empty = page.locator(".unit-list > li.unit-empty")
        assert empty.count() == 30
        assert empty.first.evaluate("e => getComputedStyle(e.querySelector('a')).fontWeight") in ("400", "normal")
    finally:
        context.close()
