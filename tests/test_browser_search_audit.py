"""The results page at phone width passes axe and Lighthouse: with results, with the chips of an
understood place and year, and the empty state (axe with the filters folded and unfolded).

axe-core and Lighthouse come from the npm registry into ``.tools/`` (``.ci/run`` installs them;
locally: ``npm install --prefix .tools axe-core@4.14.1 lighthouse@12.2.3``); Lighthouse drives
Debian's chromium (``CHROME_PATH``), never a downloaded browser. Without them, these checks skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import CHROMIUM, ROOT
from tests.test_browser_photos import AXE, PHONE

LIGHTHOUSE = ROOT / ".tools" / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "results": "/tim-kiem/?q=an+ninh+to+quoc",
    "chips": "/tim-kiem/?q=khanh+hoa+2022",
    "empty": "/tim-kiem/?q=tp+hcm+ma+tuy",
}
AXE_RULES = "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(sample_service):
    return sample_service


def _violations(page) -> list:
    result = page.evaluate(f"axe.run(document, {AXE_RULES})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_on_the_results_page(server, browser, name):
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing (npm install --prefix .tools axe-core@4.14.1; .ci/run does it)")
    context = browser.new_context(**PHONE, bypass_csp=True)  # bypass: axe is injected as a script
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(server.url + PAGES[name], wait_until="load")
        page.add_script_tag(path=str(AXE))
        assert _violations(page) == []
        if page.locator("details.filters > summary").count():
            page.click("details.filters > summary")  # the filters unfolded
            assert _violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_accessibility_and_best_practices(server, name, tmp_path):
    """One Lighthouse run per page, its default phone emulation; every scored audit passes."""
    if not LIGHTHOUSE.is_file() or shutil.which("node") is None or not CHROMIUM.exists():
        pytest.skip(f"{LIGHTHOUSE} or chromium is missing (npm install --prefix .tools lighthouse@12.2.3)")
    report = tmp_path / "report.json"
    flags = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
    command = [str(LIGHTHOUSE), server.url + PAGES[name], "--only-categories=accessibility,best-practices",
               "--output=json", f"--output-path={report}", "--quiet", f"--chrome-flags={flags}"]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM), "CI": "1"}
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["configSettings"]["formFactor"] == "mobile"
    failed = {category["id"]: [ref["id"] for ref in category["auditRefs"]
                               if ref["weight"] and (result["audits"][ref["id"]]["score"] or 0) < 1
                               and result["audits"][ref["id"]]["scoreDisplayMode"] != "notApplicable"]
              for category in result["categories"].values()}
    assert failed == {"accessibility": [], "best-practices": []}
    assert all(category["score"] == 1 for category in result["categories"].values())


def test_lighthouse_is_where_ci_installs_it():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "lighthouse@12.2.3" in run and "axe-core@" in run
