"""Article bodies to HTML, one way for the build and for ``python -m portal check``.

:func:`render` runs Python-Markdown with :data:`MARKDOWN` (``pelicanconf.MARKDOWN`` is this
dict), then the allowlist of :mod:`portal.sanitize`. Each removal becomes a warning
``path:line: cảnh báo: …`` at the line of the Markdown it came from; a failure of Markdown
becomes an error. The limits checked before (:mod:`portal.limits`) keep Markdown's time linear.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from markdown import Markdown

from portal import sanitize
from portal.validation import ArticleFile, Problem

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.smarty": {"smart_quotes": False},
    },
    "output_format": "html5",
}

# What a rendered body depends on besides its text: Pelican's cache keeps rendered articles,
# and one rendered by another version of this code or of the allowlist is read again.
VERSION = hashlib.sha1(
    b"".join(Path(p).read_bytes() for p in (__file__, sanitize.__file__, sanitize.ALLOWLIST_FILE))
    + f"{metadata.version('nh3')} {metadata.version('Markdown')}".encode()
).hexdigest()[:16]

_markdowns: dict[str, Markdown] = {}


@dataclass
class Rendered:
    html: str = ""
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def render(article: ArticleFile, config: dict | None = None) -> Rendered:
    """Sanitised HTML of ``article``'s body, what was removed from it, or why it failed."""
    try:
        raw = _markdown(config or MARKDOWN).convert(article.body)
        html = sanitize.clean(raw)
        removed = sanitize.removals(raw)
    except BaseException as error:  # noqa: BLE001 - Markdown or nh3 (a Rust panic) failing on this text
        if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
            raise  # Ctrl-C, an exit, a stopped build (portal.build.BuildInterrupted): not the text's fault
        reason = f"{type(error).__name__}: {error}"[:200]
        return Rendered(errors=[Problem(
            article.path, article.body_line,
            f"không chuyển được phần thân bài thành trang ({reason}); xem lại định dạng Markdown "
            "từ dòng này (danh sách, bảng, thẻ HTML lồng nhau)",
        )])
    return Rendered(html, _warnings(article, removed))


def _markdown(config: dict) -> Markdown:
    key = repr(config)
    markdown = _markdowns.get(key)
    if markdown is None:
        config = dict(config)
        # as Pelican's reader: every configured extension is loaded; but the header is already
        # parsed, and the meta extension would eat a body line "Xyz: ..."
        names = list(config.get("extensions", [])) + list(config.get("extension_configs", {}))
        config["extensions"] = [e for e in dict.fromkeys(names) if "meta" not in str(e)]
        markdown = _markdowns[key] = Markdown(**config)
    markdown.reset()
    return markdown


def _warnings(article: ArticleFile, removed: list[sanitize.Removal]) -> list[Problem]:
    """One warning per kind of removal, at the line of its first occurrence."""
    if not removed:
        return []
    body = article.body
    lowered = body.lower()
    starts = [0] + [match.end() for match in re.finditer("\n", body)]
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    cursor = 0
    for removal in removed:
        position = body.find(removal.source, cursor)
        if position < 0:
            position = body.find(removal.source)
        for hint in removal.hints:
            if position < 0:
                position = lowered.find(hint.lower())
        if position >= 0:
            cursor = position
        line = article.body_line + (bisect.bisect_right(starts, position) - 1 if position >= 0 else 0)
        first.setdefault(removal.what, line)
        count[removal.what] = count.get(removal.what, 0) + 1
    problems = []
    for what, line in first.items():
        times = f" ({count[what]} chỗ)" if count[what] > 1 else ""
        problems.append(Problem(
            article.path, line,
            f"cảnh báo: đã bỏ {what}{times}: không được phép trong bài viết (bài vẫn được đăng, "
            "không có phần này); hãy xóa nó khỏi tệp",
        ))
    return problems
