"""Article HTML is sanitised by an allowlist: a hostile corpus built into a site, then every page,
feed, summary and the search index's stored text read back for anything active."""

from __future__ import annotations

import html
import importlib.util
import json
import pickle
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from whoosh import index

from tests.conftest import PELICAN, ROOT, build, page, write_article

# (name, Markdown body) — each hides something active; the first lines reach the summary.
HOSTILE = {
    "svg": "<svg/onload=alert(1)>\n\nĐoạn sau svg.\n\n<svg><text>alert(2)</text></svg>",
    "img-multiline": "Ảnh hội nghị.\n\n<img src=https://anh.example/x.jpg\nonerror=alert(1)>",
    "entity-url": '<a href="jav&#x61;script:alert(1)">bấm vào đây</a> và <a href="&#106;avascript:alert(3)">đây</a>',
    "markdown-url": "[Xem thêm](JaVaScRiPt:alert(1)) và [đây](javascript&#58;alert(2))",
    "data-url": '[dữ liệu](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) '
                '<a href="data:text/html,<b>x</b>">x</a>',
    "object-embed-base": '<object data="x.swf"><param name="a" value="b"></object>\n\n<embed src="y.swf">\n\n'
                         '<base href="https://evil.example/">',
    "form-meta": '<form action="https://evil.example/"><input name="mk"><button formaction="javascript:alert(1)">'
                 'Gửi</button></form>\n\n<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "style-iframe": "<style>body{display:none}</style>\n\n<iframe srcdoc=\"&lt;b&gt;\" src=\"https://evil.example/\">"
                    "</iframe>\n\n<noscript><p title=\"</noscript>"
                    "<img src=https://anh.example/x.jpg onerror=alert(1)>\"></noscript>",
    "math-mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table>"
                 "</mtext></math>",
    "attributes": '<p style="position:fixed;top:0" class="caption notice" onclick="alert(1)">Chú thích</p>\n\n'
                  '<blockquote cite="javascript:alert(1)">Trích dẫn</blockquote>\n\n'
                  '<img srcset="https://anh.example/a.jpg 1x, javascript:alert(1) 2x" '
                  'src="https://anh.example/a.jpg" alt="ảnh">',
    "tabs-in-scheme": '<a href=" java\tscript:alert(1)">tab</a> <a href="vbscript:msgbox(1)">vb</a>',
    "template": "<template><img src=x onerror=alert(1)></template>\n\nCòn lại.",
}
DANGEROUS_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "meta", "link", "style", "svg",
                  "math", "form", "input", "button", "textarea", "select", "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "data", "cite", "poster", "xlink:href", "background"}
SAFE_SCHEME = re.compile(r"^(https?|mailto|tel)$", re.I)
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)


def url_is_safe(value: str) -> bool:
    url = re.sub(r"[\t\n\r]", "", value).strip("\x00\x20\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f")
    match = SCHEME.match(url)
    return match is None or bool(SAFE_SCHEME.match(match.group(1)))


def _is_json(text) -> bool:
    try:
        json.loads(text or "")
    except ValueError:
        return False
    return "<" not in text


def active_parts(soup: BeautifulSoup, theme: bool = False) -> list[str]:
    """Everything active in a document; ``theme``: the page around the article (its own search
    forms, meta, link and emblem are the theme's)."""
    found = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        for attribute, value in tag.attrs.items():
            values = value if isinstance(value, list) else [value]
            if attribute.lower().startswith("on"):
                found.append(f"<{name} {attribute}>")
            if attribute.lower() in URL_ATTRIBUTES:
                urls = [u.split()[0] for v in values for u in v.split(",") if u.split()] if attribute == "srcset" \
                    else values
                found += [f"<{name} {attribute}={u!r}>" for u in urls if not url_is_safe(u)]
            if name == "meta" and attribute.lower() == "http-equiv":
                found.append("<meta http-equiv>")
        if name in DANGEROUS_TAGS:
            allowed = theme and (
                name in {"meta", "link"} and not tag.get("http-equiv")
                or name == "form" and tag.get("action", "").endswith("/tim-kiem/")
                or name in {"input", "button"} and tag.find_parent("form", role="search") is not None
                or name == "svg" and "brand-emblem" in tag.get("class", [])
                # the theme's structured data: JSON (portal.sharing.json_ld), never run
                or name == "script" and tag.get("type") == "application/ld+json"
                and tag.parent.name == "head" and _is_json(tag.string)
            )
            if not allowed:
                found.append(f"<{name}>")
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    content = work / "content"
    for number, (name, body) in enumerate(HOSTILE.items(), 1):
        write_article(content, f"2023/{name}.md", f"Bài thử {name}", f"2023-09-{number:02d}", "An Giang",
                      "Đoạn đầu của bài.\n\n" + body + "\n\nĐoạn cuối của bài.", tags="Thử nghiệm")
    write_article(content, "2023/tieu-de.md", 'Tin <b onmouseover="dauhieu()">nóng</b> & "mới"', "2023-10-01",
                  "An Giang", summary='<img src=x onerror="dauhieu()"> tóm tắt')
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return work / "out"


def test_pages_have_nothing_active(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > len(HOSTILE)
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert active_parts(soup, theme=True) == [], path
        for body in soup.select(".article-body, .teaser-summary"):
            assert active_parts(body) == [], path


def test_article_text_is_kept(hostile_site):
    body = page(hostile_site, "2023/bai-thu-svg/").select_one(".article-body")
    assert "Đoạn sau svg." in body.get_text() and "Đoạn cuối của bài." in body.get_text()
    assert "alert" not in body.get_text()
    kept = page(hostile_site, "2023/bai-thu-attributes/").select_one(".article-body")
    assert kept.select_one("p.caption").get_text() == "Chú thích"
    assert kept.select_one("img")["src"] == "https://anh.example/a.jpg" and kept.select_one("img")["alt"] == "ảnh"


def test_feeds_have_nothing_active(hostile_site):
    feeds = sorted(hostile_site.rglob("*.xml"))
    assert any(f.name == "all.atom.xml" for f in feeds)
    seen = 0
    for path in feeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            feed = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for part in feed.find_all(["content", "summary", "description"]):
            seen += 1
            assert active_parts(BeautifulSoup(part.get_text(), "html.parser")) == [], path
    assert seen >= len(HOSTILE)


def test_summaries_and_titles_are_safe(hostile_site):
    home = page(hostile_site, "")
    summaries = home.select(".teaser-summary")
    assert summaries and all(active_parts(s) == [] for s in summaries)
    assert any("Đoạn đầu của bài." in s.get_text() for s in summaries)
    title = page(hostile_site, "2023/tin-b-onmouseover-dauhieu-nong-b-moi/").select_one("h1.article-title")
    assert title.get_text() == 'Tin <b onmouseover="dauhieu()">nóng</b> & "mới"' and title.find("b") is None
    assert '<img src=x onerror="dauhieu()"> tóm tắt' in home.get_text()


def test_search_index_holds_nothing_of_removed_elements(hostile_site):
    with index.open_dir(str(hostile_site / "search-index")).searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    assert len(stored) == len(HOSTILE) + 1
    for fields in stored:  # plain text (the service escapes it): nothing of the removed elements
        for name in ("body", "summary", "title"):
            assert "alert(" not in (fields.get(name) or ""), (fields["url"], name)


def test_index_text_is_what_beautifulsoup_reads(hostile_site):
    """The index reads the text of article HTML with a regular expression: the same lines as
    BeautifulSoup's ``get_text``, on every sanitised article body and on tricky markup."""
    spec = importlib.util.spec_from_file_location("search_index_plugin", ROOT / "plugins/search_index/__init__.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    fragments = ['<p>a <b>b</b> c &amp; d&nbsp;</p><!-- x > y --><p title="1>2">e</p>', "x &lt;y&gt; &#7841;",
                 "<ul><li>1</li><li> 2 </li></ul>\n\n<p>\n</p>", "chỉ chữ &amp; không thẻ"]
    for path in sorted(hostile_site.glob("20*/*/index.html")):
        body = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one(".article-body")
        fragments.append(body.decode_contents())
    assert len(fragments) > len(HOSTILE)
    for fragment in fragments:
        expected = (BeautifulSoup(fragment, "html.parser").get_text("\n", strip=True) if "<" in fragment
                    else html.unescape(fragment))
        assert plugin.html_text(fragment) == expected, fragment


def test_check_and_build_warn_about_each_removal(tmp_path):
    content = tmp_path / "content"
    write_article(content, "2023/a.md", "Bài có mã", "2023-09-01", "An Giang",
                  "Đoạn một.\n\n<img src=https://anh.example/x.jpg\nonerror=alert(1)>\n\n[Xem](jav&#x61;script:alert(1))\n\n"
                  '<p class="caption">Ảnh</p>\n\n<object data="x"></object>')
    check = subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    lines = [line for line in check.stdout.splitlines() if ": cảnh báo: " in line]
    path = str(content / "2023" / "a.md")
    assert lines == [
        f"{path}:7: cảnh báo: đã bỏ thuộc tính onerror của thẻ <img>: không được phép trong bài viết "
        "(bài vẫn được đăng, không có phần này); hãy xóa nó khỏi tệp",
        f'{path}:10: cảnh báo: đã bỏ địa chỉ "javascript:alert(1)" ở thuộc tính href của thẻ <a>: không '
        "được phép trong bài viết (bài vẫn được đăng, không có phần này); hãy xóa nó khỏi tệp",
        f"{path}:14: cảnh báo: đã bỏ thẻ <object> cùng nội dung bên trong: không được phép trong bài viết "
        "(bài vẫn được đăng, không có phần này); hãy xóa nó khỏi tệp",
    ]
    assert "không có lỗi. 3 cảnh báo." in check.stdout
    built = subprocess.run([PELICAN, str(content), "-s", "pelicanconf.py", "-o", str(tmp_path / "out"),
                            "--cache-path", str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True,
                           env={"COLUMNS": "1000", "PATH": "/usr/bin:/bin"})
    assert built.returncode == 0, built.stderr
    log = " ".join((built.stdout + built.stderr).split())
    for line in lines:
        assert line.split(": cảnh báo: ")[1].split(":")[0] in log
    assert log.count("cảnh báo: đã bỏ") == 3


def test_a_cache_from_an_older_renderer_is_not_trusted(tmp_path):
    """Pelican keeps rendered articles in its cache: one rendered before (or by another allowlist)
    is rendered and sanitised again."""
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    write_article(content, "2023/a.md", "Bài cũ", "2023-09-01", "An Giang", "Đoạn một.")
    assert build(content, out, cache).returncode == 0
    cached = pickle.loads((cache / "ArticlesGenerator").read_bytes())
    for _stamp, article in cached.values():
        article._content = '<p>Đoạn một.</p><img src="x" onerror="alert(1)">'
        article.rendered_with = "an-older-version"
    (cache / "ArticlesGenerator").write_bytes(pickle.dumps(cached))
    for folder in tmp_path.glob("out*"):  # no page of the last build to reuse: only the cache
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
    assert build(content, out, cache).returncode == 0
    body = page(out, "2023/bai-cu/").select_one(".article-body")
    assert active_parts(body) == [] and body.get_text(strip=True) == "Đoạn một."
