"""Photos in Debian's chromium at phone width: the lead story shows its photo, nothing shifts while
photos load, and axe finds no accessibility violation on the home page and an article with photos.

axe-core comes from the npm registry into ``.tools/`` (``.ci/run`` installs it; locally:
``npm install --prefix .tools axe-core@4.14.1``); without it the axe test skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.service_process import ServiceProcess
from tests.conftest import ROOT, build, write_article
from tests.test_photos import BODY, photo_content

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}
CLS = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
ARTICLE = "/2024/hoi-nghi-co-anh/"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("browser-photos")
    content = photo_content(work / "content", BODY * 3)
    for day in range(2, 8):
        write_article(content / "2023", f"bai-{day}.md", f"Bài số {day} về phong trào", f"2023-03-0{day}", "Hà Nội",
                      f"Nội dung bài số {day}.\n\n![Ảnh bài {day}.]({{static}}/images/2024/bieu-trung.png)\n")
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    service = ServiceProcess(work / "out", work / "serve.log")
    yield service
    service.stop()


def _open(browser, url: str, problems: list[str]):
    context = browser.new_context(**PHONE, bypass_csp=True)  # bypass: axe is injected as a script
    context.add_init_script(CLS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("response", lambda reply: reply.status >= 400 and problems.append(f"{reply.status} {reply.url}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url, wait_until="load")
    return context, page


def _scroll_through(page) -> None:
    """Scroll to the bottom step by step, so that every lazy photo loads, then back up."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + 844, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    page.wait_for_function("[...document.images].every(i => i.complete)")


def test_lead_story_with_its_photo_and_no_layout_shift(server, browser):
    problems: list[str] = []
    context, page = _open(browser, server.url + "/", problems)
    try:
        photo = page.locator(".lead-story .lead-photo img")
        assert photo.is_visible()
        box = photo.bounding_box()
        assert box["y"] < 844 and box["width"] <= 390  # above the fold, fits the phone
        assert box["height"] > 100
        loaded = photo.evaluate("i => ({w: i.naturalWidth, src: i.currentSrc})")
        # the phone (358 CSS px at 2×) gets the 960-wide WebP, not the JPEG nor the 1600-wide one
        assert loaded["w"] > 0 and loaded["src"].endswith("-960.webp"), loaded
        assert page.locator(".lead-story .lead-title").is_visible()
        _scroll_through(page)
        thumbs = page.locator(".teaser-thumb img")
        assert thumbs.count() >= 5
        sources = thumbs.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.currentSrc])")
        assert all(w > 0 and src.endswith(".webp") for w, src in sources), sources
        assert all("480w" in t.get_attribute("srcset") for t in thumbs.all())  # a small file for a small box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("window.__cls") < 0.01
        assert problems == []
    finally:
        context.close()


def test_article_photos_load_lazily_without_shifting(server, browser):
    problems: list[str] = []
    context, page = _open(browser, server.url + ARTICLE, problems)
    try:
        images = page.locator(".article-body figure.photo img")
        assert images.count() == 6
        assert images.first.get_attribute("loading") is None
        assert images.nth(5).get_attribute("loading") == "lazy"
        _scroll_through(page)
        sizes = images.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
        assert all(natural > 0 and shown <= 390 for natural, shown in sizes), sizes
        assert page.evaluate("window.__cls") < 0.01
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("url", ["/", ARTICLE])
def test_no_accessibility_violations(server, browser, url):
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing (npm install --prefix .tools axe-core@4.14.1; .ci/run does it)")
    problems: list[str] = []
    context, page = _open(browser, server.url + url, problems)
    try:
        _scroll_through(page)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert violations == []
    finally:
        context.close()


def test_axe_is_where_ci_installs_it():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "axe-core@" in run and ".tools" in run and Path(ROOT / ".gitignore").read_text().count(".tools")
