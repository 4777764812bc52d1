"""Shared fixtures: building sites with the real Pelican command and reading their pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PELICAN = str(Path(sys.executable).with_name("pelican"))


def build(content: Path, out: Path, cache: Path | None = None, settings: str = "pelicanconf.py",
          env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``pelican CONTENT -s SETTINGS -o OUT`` from the project root, as an editor would."""
    command = [PELICAN, str(content), "-s", settings, "-o", str(out), "-q"]
    if cache is not None:
        command += ["--cache-path", str(cache)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url: str) -> BeautifulSoup:
    """The page of a site-relative URL ("tinh/quang-tri/")."""
    target = site / url.strip("/")
    return soup(target / "index.html" if target.is_dir() else target)


def write_article(folder: Path, name: str, title: str, date: str, province: str, body: str = "",
                  **extra: str) -> Path:
    """A Markdown article file with the portal's header."""
    lines = [f"Title: {title}", f"Date: {date}", f"Province: {province}"]
    lines += [f"{key.capitalize()}: {value}" for key, value in extra.items()]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n\n" + (body or f"Nội dung bài {title}.") + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample site (content/) built once for the session."""
    work = tmp_path_factory.mktemp("sample")
    result = build(ROOT / "content", work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return work / "out"


def needs_shared(path: Path) -> Path:
    """Skip (cleanly) when ../shared is absent, as in a user's fresh clone."""
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent)")
    return path


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: vowel shapes precomposed, tone marks combining."""
    import unicodedata

    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


# -- the browser tests (Debian's chromium through Playwright; never a downloaded browser) ---------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def sample_service(sample_site, tmp_path_factory):
    """The real search service (``portal serve``) on the sample site, for one test module."""
    from portal.service_process import ServiceProcess

    service = ServiceProcess(sample_site, tmp_path_factory.mktemp("service") / "serve.log")
    yield service
    service.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
