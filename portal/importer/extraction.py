"""The blocks of a scraped page → an article: title, date, author, province, body.

A page arrives as a list of :class:`Block` — the lines of a text file (:func:`text_blocks`) or the
blocks of an HTML page (:mod:`portal.importer.webpage`) — with what the page's metadata says
(:class:`Hints`). :func:`extract` drops the furniture, finds the title, the date (never the
portal's "today" header above the title), the byline, the captions and the province, and returns
a :class:`Draft`. What counts as furniture, byline or caption lives in ``portal/data/import.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from portal import dates, gazetteer, vietnamese

DATA_FILE = Path(__file__).parents[1] / "data" / "import.toml"

LINE = "line"  # a line of a text file: paragraph or caption, decided by its length and place
PARA = "para"
HEADING = "heading"
CAPTION = "caption"
IMAGE = "image"  # src: the file or URL as written; no src and no text: a blank gap (text files)
TEXTS = (LINE, PARA, HEADING)

_BAR = re.compile(r"\s+\|\s+")
_LONG = 15  # words: a block this long is article text, not a byline or a dateline
_FURNITURE = 12  # words: furniture is never longer ("Tin liên quan đến vụ án, …" is text)
_SUMMARY_LENGTH = 300


@dataclass
class Block:
    """One piece of a page: a line or paragraph, a caption, or a picture."""

    kind: str
    text: str = ""
    src: str = ""


@dataclass
class Hints:
    """What a page's metadata says (HTML ``<meta>``, ``<link>``, byline elements)."""

    title: str = ""
    date: dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    url: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """An article as extracted; ``province`` is empty when the text names none."""

    title: str
    date: dt.datetime
    authors: list[str]
    province: str
    summary: str
    body: list[Block]  # PARA, CAPTION and IMAGE blocks
    tags: list[str] = field(default_factory=list)
    url: str = ""


class ExtractError(ValueError):
    """A page from which no article can be made, with the reason for the editor."""


@dataclass(frozen=True)
class Rules:
    """The patterns of ``import.toml``, compiled."""

    furniture: re.Pattern
    end: re.Pattern
    image_marker: re.Pattern
    byline: re.Pattern
    not_names: tuple[str, ...]
    photo_credit: re.Pattern
    qualified_only: frozenset[str]
    qualifiers: tuple[str, ...]  # match keys, longest first
    qualifier: re.Pattern  # a qualifier at the end of a search form (see _search_form)
    html: dict


def _any(patterns: list[str]) -> re.Pattern:
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\Z", re.IGNORECASE)


@cache
def rules(path: Path = DATA_FILE) -> Rules:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    byline, province = data["byline"], data["province"]
    prefixes = sorted(byline["prefixes"], key=len, reverse=True)
    qualifiers = sorted({vietnamese.match_key(q) for q in province["qualifiers"]}, key=len, reverse=True)
    return Rules(
        furniture=_any(data["furniture"]["lines"]),
        end=_any(data["furniture"]["end"]),
        image_marker=_any(data["furniture"]["image_markers"]),
        byline=re.compile(
            "(?:" + "|".join(map(re.escape, prefixes)) + r")\s*:\s*(?P<name>.+)", re.IGNORECASE
        ),
        not_names=tuple(vietnamese.normalize(w) for w in byline["not_names"]),
        photo_credit=re.compile(byline["photo_credit"], re.IGNORECASE),
        qualified_only=frozenset(vietnamese.match_key(n) for n in province["qualified_only"]),
        qualifiers=tuple(qualifiers),
        qualifier=re.compile(r"(?:^|[^a-z0-9])(?:" + "|".join(map(re.escape, qualifiers)) + r") *\Z"),
        html=data["html"],
    )


# -- text ---------------------------------------------------------------------------------------

def text_blocks(text: str) -> list[Block]:
    """The lines of a copied page; a line of no-break spaces is where a picture was."""
    blocks = []
    for line in text.split("\n"):
        if line.strip():
            blocks.append(Block(LINE, line))
        elif "\xa0" in line:
            blocks.append(Block(IMAGE))
    return blocks


def words(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence ("… năm 2012. Tham dự …"), not after "TP." or "A.T"."""
    parts, start = [], 0
    for match in re.finditer(r"[.!?…]+[”\"')\]]*(?=\s+[\"“'(\[\w])", text):
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end() :].lstrip()[:1]
        ends_word = before.islower() or before.isdigit() or before in "”\"')"
        if ends_word and (after.isupper() or not after.isalpha()):
            parts.append(text[start : match.end()].strip())
            start = match.end()
    rest = text[start:].strip()
    return [*parts, rest] if rest else parts


def summary_of(text: str) -> str:
    """The first sentence of ``text``, cut at a clause when it is long."""
    first = vietnamese.clean_spaces(sentences(text)[0]) if text.strip() else ""
    if len(first) <= _SUMMARY_LENGTH:
        return first
    head = first[:_SUMMARY_LENGTH]
    for mark in (";", ",", " "):
        cut = head.rfind(mark)
        if cut > _SUMMARY_LENGTH // 2:
            return head[:cut].rstrip(" ,;") + " …"
    return head.rstrip() + " …"


def person_names(text: str) -> list[str]:
    """The names a byline gives ("Bài, ảnh: Tiến Tầm" → ["Tiến Tầm"]), [] when it is not one."""
    text = vietnamese.clean_spaces(text)
    match = rules().byline.fullmatch(text)
    if match:
        text = re.sub(r"\s*\([^)]*\)$", "", match["name"]).strip()  # "Minh Anh (CTV)"
    elif (vietnamese.normalize(text) + " ").startswith(tuple(w + " " for w in rules().not_names)):
        return []
    names = []
    for part in re.split(r"\s+[-–—&]\s+|\s*[,;]\s*|\s+và\s+", text):
        tokens = part.split()
        if not 1 <= len(tokens) <= 5 or len(part) > 40:
            return []
        if not all(t[0].isupper() and all(c.isalpha() or c in ".'-" for c in t) for t in tokens):
            return []
        names.append(part)
    if not match and gazetteer.load().resolve(text):  # a province name is not a byline
        return []
    return names


# -- the article ---------------------------------------------------------------------------------

def extract(blocks: list[Block], hints: Hints | None = None, today: dt.date | None = None) -> Draft:
    """The article in ``blocks``; raise :class:`ExtractError` saying why there is none."""
    hints = hints or Hints()
    today = today or dt.date.today()
    blocks = _without_furniture(blocks)
    if not any(b.kind in TEXTS for b in blocks):
        raise ExtractError("trang không có chữ nào ngoài phần khung trang")

    index, title = _title(blocks, hints)
    before, after = blocks[: max(index, 0)], blocks[index + 1 :]
    # A date above the title is the portal's "today": not the article's, but none is later.
    headers = [d for b in before if b.kind in TEXTS and (d := dates.parse_dateline(b.text))]
    latest = max(headers).date() if headers else today

    body = _until_end(after, title)
    dateline, body = _datelines(body)
    authors, body = _byline(body)
    body = _captions(body)
    paragraphs = [b.text for b in body if b.kind == PARA]
    if not paragraphs:
        raise ExtractError("không tìm thấy đoạn văn nào của bài sau tiêu đề")

    text = "\n".join([title, *(b.text for b in body if b.kind in (PARA, CAPTION))])
    date = hints.date or dateline or _lead_date(paragraphs, text, latest)
    if date is None:
        raise ExtractError(
            "không tìm thấy ngày đăng (như “Thứ Năm, 24/11/2022” hoặc “Chiều ngày 19/01/2022”); "
            "thêm một dòng ngày dưới tiêu đề trong tệp nguồn rồi nhập lại"
        )
    authors = authors or hints.authors or _photo_credit(body)
    return Draft(
        title=title,
        date=date,
        authors=authors,
        province=find_province(text, date.date()),
        summary=summary_of(paragraphs[0]),
        body=body,
        tags=hints.tags,
        url=hints.url,
    )


def _pieces(blocks: list[Block]):
    """Blocks with short pieces joined by "|" taken apart ("12/01/2023 08:45 | Lượt xem: 1.245")."""
    for block in blocks:
        parts = _BAR.split(block.text) if block.kind in TEXTS else [block.text]
        if len(parts) > 1 and all(words(p) <= 8 for p in parts):
            yield from (Block(block.kind, part) for part in parts)
        else:
            yield block


def _without_furniture(blocks: list[Block]) -> list[Block]:
    r = rules()
    kept = []
    for block in _pieces(blocks):
        text = block.text.strip()
        if block.kind == IMAGE:
            kept.append(Block(IMAGE, text, block.src))
        elif not text or (words(text) <= _FURNITURE and r.furniture.match(text)):
            continue
        elif block.kind == LINE and r.image_marker.match(text):
            is_file = re.search(r"\.\w{3,4}\Z", text)
            kept.append(Block(IMAGE, text, text if is_file else ""))
        else:
            kept.append(Block(block.kind, text, block.src))
    return kept


def _title(blocks: list[Block], hints: Hints) -> tuple[int, str]:
    """Index of the title block (-1 when only the metadata has it) and the title."""
    candidates = [
        (i, b.text) for i, b in enumerate(blocks) if b.kind in TEXTS and not dates.parse_dateline(b.text)
    ]
    if hints.title:
        wanted = vietnamese.match_key(hints.title)
        for i, text in candidates:
            key = vietnamese.match_key(text)
            if key == wanted or (words(text) >= 4 and wanted.startswith(key)):
                return i, vietnamese.clean_spaces(text)
        return -1, vietnamese.clean_spaces(hints.title)
    # Section names and menu items above the title are short: "Tin Trong Tỉnh".
    for i, text in candidates:
        if words(text) >= 4:
            return i, vietnamese.clean_spaces(text)
    if candidates:
        return candidates[0][0], vietnamese.clean_spaces(candidates[0][1])
    raise ExtractError("không tìm thấy tiêu đề bài")


def _until_end(blocks: list[Block], title: str) -> list[Block]:
    """Blocks before the first "Các tin tức khác", without repeats of the title."""
    r, key = rules(), vietnamese.match_key(title)
    kept = []
    for block in blocks:
        if block.kind in TEXTS and words(block.text) <= _FURNITURE and r.end.match(block.text):
            break
        if block.kind in TEXTS and vietnamese.match_key(block.text) == key:
            continue
        kept.append(block)
    return kept


def _datelines(blocks: list[Block]) -> tuple[dt.datetime | None, list[Block]]:
    """The first dateline between the title and the text, and the blocks without datelines."""
    found, kept, started = None, [], False
    for block in blocks:
        if block.kind in TEXTS and not started:
            when = dates.parse_dateline(block.text)
            if when:
                found = found or when
                continue
            started = words(block.text) > _LONG
        kept.append(block)
    return found, kept


def _byline(blocks: list[Block]) -> tuple[list[str], list[Block]]:
    """The byline's names and the blocks without it (and without what follows it).

    Looked for after the last paragraph ("Minh Trung", "Bài, ảnh: Tiến Tầm"), then among the
    first blocks when it says what it is ("Bài, ảnh: …").
    """
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.kind not in TEXTS:
            continue
        names = person_names(block.text)
        if names:
            return names, blocks[:index]
        if words(block.text) > _LONG or (words(block.text) >= 4 and block.text[-1] in ".!?…:;"):
            break  # article text: a byline comes after it
    for index, block in enumerate(blocks[:4]):
        if block.kind in TEXTS and rules().byline.fullmatch(block.text):
            names = person_names(block.text)
            if names:
                return names, blocks[:index] + blocks[index + 1 :]
    return [], blocks


def _captions(blocks: list[Block]) -> list[Block]:
    """Decide which short lines are photo captions; every other text block is a paragraph."""
    out: list[Block] = []
    for index, block in enumerate(blocks):
        if block.kind in (IMAGE, CAPTION):
            out.append(block)
            continue
        previous = out[-1] if out else None
        after_image = previous is not None and previous.kind == IMAGE
        limit = 30 if after_image and not (previous.src or previous.text) else 40
        caption = (after_image and block.kind != HEADING and words(block.text) <= limit) or (
            block.kind == LINE and _lone_caption(block.text, out, blocks[index + 1 :])
        )
        out.append(Block(CAPTION if caption else PARA, block.text))
    return out


def _lone_caption(text: str, before: list[Block], after: list[Block]) -> bool:
    """A short single sentence standing between paragraphs of a text file is a caption."""
    return (
        words(text) <= 25
        and not text.endswith(":")
        and len(sentences(text)) <= 1
        and any(b.kind == PARA for b in before)
        and any(b.kind in TEXTS for b in after)
    )


def _lead_date(paragraphs: list[str], text: str, latest: dt.date) -> dt.datetime | None:
    """The date the first paragraphs give ("Chiều 12/3" takes its year from the text)."""
    for paragraph in paragraphs[:2]:
        found = dates.find_dates(paragraph)
        if not found:
            continue
        date = next((d for d in found if d.part_of_day), found[0])
        year = date.year or dates.guess_year(date, text, latest)
        on = date.on(year) if year else None
        if on:
            return dt.datetime(on.year, on.month, on.day)
    return None


def _photo_credit(blocks: list[Block]) -> list[str]:
    for block in blocks:
        if block.kind == CAPTION:
            match = rules().photo_credit.search(block.text)
            if match and (names := person_names(match["name"])):
                return names
    return []


# -- province -------------------------------------------------------------------------------------

@cache
def _province_pattern() -> tuple[re.Pattern, dict[str, str]]:
    places = gazetteer.load()
    names = {key: name for key, name in places.alias_names().items() if name != places.national.name}
    alternatives = sorted(names, key=len, reverse=True)
    body = "|".join(" +".join(map(re.escape, key.split())) for key in alternatives)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])"), names


_KEY_PUNCTUATION = re.compile(r"[\s.\-‐‑‒–—]")


def _search_form(text: str) -> str:
    """Folded, lower-case ``text`` of the same length, dots and dashes as spaces."""
    folded = vietnamese.fold(text)
    lower = folded.lower()
    if len(lower) != len(folded):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    return _KEY_PUNCTUATION.sub(" ", lower)


def find_province(text: str, on: dt.date | None = None) -> str:
    """The province ``text`` is about, or "" when it names none.

    Names count as written as names (capitalised), twice as much after "tỉnh", "thành phố",
    "TP." (and only there for names that mean something else too, like "Hồ Chí Minh"); the most
    mentioned wins, the first mentioned on a tie.
    """
    pattern, names = _province_pattern()
    r = rules()
    text = vietnamese.nfc(text)
    form = _search_form(text)  # same length: a match's offsets are those of the written name
    scores: Counter[str] = Counter()
    first: dict[str, int] = {}
    for match in pattern.finditer(form):
        written = text[match.start() : match.end()]
        if not all(w[0].isupper() for w in re.findall(r"\w+", written)):
            continue  # "lòng an", "bình định" are words, not places
        key = " ".join(match[0].split())
        qualified = bool(r.qualifier.search(form[max(0, match.start() - 12) : match.start()])) or any(
            key.startswith(q + " ") for q in r.qualifiers
        )
        name = names[key]
        if vietnamese.match_key(name) in r.qualified_only and not qualified:
            continue
        scores[name] += 2 if qualified else 1
        first.setdefault(name, match.start())
    if not scores:
        return ""
    best = max(scores, key=lambda n: (scores[n], -first[n]))
    province = gazetteer.load().resolve(best, on)
    return province.name if province else best
