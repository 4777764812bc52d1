"""Article HTML through an allowlist: :func:`clean` keeps only what news articles need,
:func:`removals` says what it takes away.

The allowlist is data (``portal/data/html_allowlist.toml``). Cleaning is done by nh3, the
Python binding of ammonia (a maintained Rust sanitiser built on html5ever, the HTML parser of
browsers' own standard): it parses the fragment as a browser would, decodes entities before
judging URLs and re-serialises only the allowed elements and attributes. The report walks the
same HTML with the standard library's parser against the same allowlist; it names what was
removed, while nh3 alone decides what is kept.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nh3

ALLOWLIST_FILE = Path(__file__).with_name("data") / "html_allowlist.toml"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
         "source", "track", "wbr"}
_URL_ATTRIBUTES = {"href", "src", "cite", "srcset"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\t\n\r]")


@dataclass(frozen=True)
class Allowlist:
    tags: frozenset[str]
    drop_with_content: frozenset[str]
    attributes: dict[str, frozenset[str]]
    classes: dict[str, frozenset[str]]
    url_schemes: frozenset[str]
    style_properties: frozenset[str]

    def allows_attribute(self, tag: str, name: str) -> bool:
        return name in self.attributes.get("*", ()) or name in self.attributes.get(tag, ()) or (
            name == "class" and tag in self.classes)


def _load() -> Allowlist:
    data = tomllib.loads(ALLOWLIST_FILE.read_text(encoding="utf-8"))
    return Allowlist(
        tags=frozenset(data["tags"]),
        drop_with_content=frozenset(data["drop_with_content"]),
        attributes={tag: frozenset(names) for tag, names in data["attributes"].items()},
        classes={tag: frozenset(names) for tag, names in data["classes"].items()},
        url_schemes=frozenset(data["url_schemes"]),
        style_properties=frozenset(data["style_properties"]),
    )


ALLOWLIST = _load()


def url_allowed(value: str) -> bool:
    """A relative URL, or one whose scheme is allowed (as a browser reads it: entities already
    decoded, tabs and newlines ignored, surrounding spaces and control characters trimmed)."""
    url = _URL_NOISE.sub("", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11"
                                           "\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    match = _SCHEME.match(url)
    return match is None or match.group(1).lower() in ALLOWLIST.url_schemes


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (each candidate is "URL [descriptor]")."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """nh3 checks the schemes of href and src itself; cite and srcset too here."""
    if name == "cite" and not url_allowed(value):
        return None
    if name == "srcset" and not all(url_allowed(url) for url in srcset_urls(value)):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWLIST.tags),
    clean_content_tags=set(ALLOWLIST.drop_with_content),
    attributes={tag: set(names) for tag, names in ALLOWLIST.attributes.items()},
    allowed_classes={tag: set(names) for tag, names in ALLOWLIST.classes.items()},
    url_schemes=set(ALLOWLIST.url_schemes),
    filter_style_properties=set(ALLOWLIST.style_properties),
    attribute_filter=_attribute_filter,
    link_rel=None,
    strip_comments=True,
)


def clean(html: str) -> str:
    """``html`` with only the allowed elements, attributes, classes and URLs."""
    return _cleaner.clean(html)


@dataclass(frozen=True)
class Removal:
    """One thing :func:`clean` takes away: what (in Vietnamese) and the source text it came from."""

    what: str
    source: str
    hints: tuple[str, ...] = ()  # what to look for when the source is not in the Markdown as written


class _Report(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Removal] = []

    def handle_starttag(self, tag, attrs):
        source = self.get_starttag_text() or f"<{tag}"
        if tag not in ALLOWLIST.tags:
            if tag in ALLOWLIST.drop_with_content:
                self.found.append(Removal(f"thẻ <{tag}> cùng nội dung bên trong", source, (f"<{tag}",)))
            elif tag in _VOID:
                self.found.append(Removal(f"thẻ <{tag}>", source, (f"<{tag}",)))
            else:
                self.found.append(Removal(f"thẻ <{tag}> (giữ lại chữ bên trong)", source, (f"<{tag}",)))
            return
        for name, value in attrs:
            self._attribute(tag, name, value or "", source)

    def _attribute(self, tag: str, name: str, value: str, source: str) -> None:
        if not ALLOWLIST.allows_attribute(tag, name):
            self.found.append(Removal(f"thuộc tính {name} của thẻ <{tag}>", source, (name,)))
        elif name in _URL_ATTRIBUTES:
            urls = srcset_urls(value) if name == "srcset" else [value]
            bad = next((url for url in urls if not url_allowed(url)), None)
            if bad is not None:
                shown = " ".join(bad.split())
                shown = shown if len(shown) <= 40 else shown[:40] + "…"
                raw = re.search(rf"""{name}\s*=\s*["']?([^"'\s>]+)""", source, re.I)
                hints = (bad, raw.group(1)) if raw else (bad,)
                self.found.append(Removal(f'địa chỉ "{shown}" ở thuộc tính {name} của thẻ <{tag}>', source, hints))
        elif name == "class" and tag in ALLOWLIST.classes:
            extra = [c for c in value.split() if c not in ALLOWLIST.classes[tag]]
            if extra:
                self.found.append(Removal(f'lớp (class) "{" ".join(extra)}" của thẻ <{tag}>', source))
        elif name == "style":
            names = {part.split(":")[0].strip().lower() for part in value.split(";") if part.strip()}
            extra = sorted(names - ALLOWLIST.style_properties)
            if extra:
                self.found.append(Removal(f"kiểu (style) {', '.join(extra)} của thẻ <{tag}>", source))



def removals(html: str) -> list[Removal]:
    """What :func:`clean` removes from ``html``, in document order (comments aside)."""
    if "<" not in html:
        return []
    report = _Report()
    report.feed(html)
    report.close()
    return report.found
