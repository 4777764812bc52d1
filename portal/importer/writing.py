"""A :class:`~portal.importer.extraction.Draft` → the Markdown article file and its pictures.

The file is like those in ``content/``: header lines, a blank line, the paragraphs (escaped so
Markdown renders exactly their text), captions as ``<p class="caption">``, and pictures copied to
``images/<yyyy>/<slug>-<n>.<ext>`` under the content folder and linked with Pelican's
``{static}`` so they follow ``STATIC_PATHS``. The same draft always gives the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from portal import validation, vietnamese
from portal.importer.extraction import CAPTION, IMAGE, PARA, Draft

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg"}

_INLINE = re.compile(r"([\\`*_\[\]{}])")
_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
# The smarty extension makes "--", "---" dashes and "..." an ellipsis; one escape undoes it.
_SMARTY = re.compile(r"(?<!-)-{2,3}(?!-)|(?<!\.)\.{3}(?!\.)")
_ORDERED = re.compile(r"(\d+)\.(?=\s)")


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders back to exactly ``text`` (one paragraph)."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _SMARTY.sub(lambda m: "..\\." if m[0] == "..." else "-" + "\\-" * (len(m[0]) - 1), text)
    if _ORDERED.match(text):  # "2018. Năm …" would start a numbered list
        return _ORDERED.sub(r"\1\\.", text, count=1)
    if text[:1] in "#>+-":  # heading, quote, list
        return "\\" + text
    if text[:1] in ":~":  # definition list, fenced code
        return f"&#{ord(text[0])};" + text[1:]
    return text


@dataclass
class Output:
    """What importing one page writes: the article and the pictures to copy."""

    path: Path
    text: str
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (source, destination)
    # pictures still on the old server: (URL, destination, the Markdown line linking it)
    remote: list[tuple[str, Path, str]] = field(default_factory=list)


def plan(draft: Draft, source: Path, out_dir: Path, fetch: bool = False) -> Output:
    """The file for ``draft`` under ``out_dir``, imported from ``source``. ``fetch``: link the
    pictures still on the old server too (``import_page`` downloads them, or drops the link)."""
    slug, year = vietnamese.slugify(draft.title), f"{draft.date:%Y}"
    output = Output(out_dir / year / f"{slug}.md", "")

    blocks = []
    for index, block in enumerate(draft.body):
        if block.kind == PARA:
            blocks.append(escape_markdown(block.text))
        elif block.kind == CAPTION:
            blocks.append(f'<p class="caption">{html.escape(block.text, quote=False)}</p>')
        elif block.kind == IMAGE:
            found = find_image(block.src, source)
            remote = found is None and urlsplit(block.src).scheme in ("http", "https")
            if found is None and not remote:
                continue
            number = len(output.copies) + len(output.remote) + 1
            suffix = found.suffix.lower() if found else (Path(urlsplit(block.src).path).suffix.lower() or ".jpg")
            name = f"{slug}-{number}{suffix if suffix in IMAGE_SUFFIXES else '.jpg'}"
            following = draft.body[index + 1] if index + 1 < len(draft.body) else None
            alt = following.text if following is not None and following.kind == CAPTION else block.text
            line = f"![{escape_markdown(alt)}]({{static}}/images/{year}/{name})"
            if remote:
                output.remote.append((block.src, out_dir / "images" / year / name, line))
                if not fetch:
                    continue
            else:
                output.copies.append((found, out_dir / "images" / year / name))
            blocks.append(line)
    header = validation.header_text(draft.title, draft.date, draft.province, draft.tags, draft.authors,
                                    summary=draft.summary, source=draft.url or source.name)
    output.text = header + "\n\n".join(blocks) + "\n"
    return output


def find_image(src: str, source: Path) -> Path | None:
    """The picture file ``src`` names, when it is beside the page ``source`` (or in its _files)."""
    if not src or src.startswith("data:"):
        return None
    parts = urlsplit(src)
    path = unquote(parts.path)
    if not path or Path(path).suffix.lower() not in IMAGE_SUFFIXES:
        return None
    here = source.parent
    candidates = [] if parts.scheme or parts.netloc or path.startswith("/") else [here / path]
    name = Path(path).name
    candidates += [here / f"{source.stem}_files" / name, here / name]
    return next((c for c in candidates if c.is_file()), None)
