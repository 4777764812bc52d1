"""The benchmark corpus: real Vietnamese news articles with synthetic dates and provinces.

The corpus (``../shared/corpora/baomoi-2017.jsonl.gz``, one JSON object a line: ``id``,
``title``, ``summary``, ``paragraphs``) has no dates or provinces; each article gets a date
and a former province derived from its position, so every run builds the same site.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal import gazetteer, vietnamese

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "baomoi-2017.jsonl.gz"
_START = dt.datetime(2012, 1, 1, 7, 0)
_SPAN_HOURS = 14 * 365 * 24  # 2012–2025: every date is in the past (a future one is "scheduled")


@dataclass
class CorpusArticle:
    id: str
    title: str
    summary: str
    paragraphs: list[str]
    date: dt.datetime
    province: gazetteer.Province

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def find_corpus(path: str | Path | None = None) -> Path | None:
    """The corpus file, or None when it is not there (a fresh clone without ../shared)."""
    candidate = Path(path) if path else DEFAULT_CORPUS
    return candidate if candidate.is_file() else None


def read(path: str | Path | None = None, limit: int | None = None) -> Iterator[CorpusArticle]:
    """Articles of the corpus in file order, with their synthetic date and province."""
    corpus = find_corpus(path)
    if corpus is None:
        raise FileNotFoundError(path or DEFAULT_CORPUS)
    places = gazetteer.load()
    provinces = places.former
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            data = json.loads(line)
            paragraphs = [vietnamese.nfc(p) for p in data.get("paragraphs", []) if p.strip()]
            title = vietnamese.clean_spaces(vietnamese.nfc(data.get("title", "")))
            if not title or not paragraphs:
                continue
            yield CorpusArticle(
                id=str(data["id"]),
                title=title,
                summary=vietnamese.clean_spaces(vietnamese.nfc(data.get("summary", ""))),
                paragraphs=paragraphs,
                # spread over 2012–2025, about a day and a half apart (wrapping round past
                # ~3,300 articles), times varying
                date=_date(number),
                province=provinces[(number * 7) % len(provinces)],
            )


def _date(number: int) -> dt.datetime:
    return _START + dt.timedelta(hours=(37 * number) % _SPAN_HOURS + number % 11)


def articles(count: int, path: str | Path | None = None) -> list[CorpusArticle]:
    """``count`` different articles (no two with the same text or title): the corpus's own,
    repeats skipped, then — past its end — new ones made from them, always the same: the first
    half of one article's paragraphs and the second half of another's, both titles joined,
    a new id (``s…``), date and province."""
    from portal import validation  # the one duplicate test the build also applies

    places = gazetteer.load().former
    chosen: list[CorpusArticle] = []
    texts: set[str] = set()
    titles: set[str] = set()

    def add(article: CorpusArticle) -> None:
        fingerprint = validation.text_fingerprint(article.text)
        key = vietnamese.normalize(article.title)
        if fingerprint not in texts and key not in titles:
            texts.add(fingerprint)
            titles.add(key)
            chosen.append(article)

    for article in read(path):
        if len(chosen) >= count:
            return chosen
        add(article)
    real = list(chosen)
    if not real:
        return chosen
    attempt = 0
    while len(chosen) < count and attempt < 20 * count:
        first = real[attempt % len(real)]
        second = real[(attempt * 7919 + attempt // len(real) * 104729 + 1) % len(real)]
        attempt += 1
        if first is second:
            continue
        number = len(chosen)
        head = first.paragraphs[: max(1, (len(first.paragraphs) + 1) // 2)]
        tail = second.paragraphs[len(second.paragraphs) // 2:]
        title = f"{first.title}: {' '.join(second.title.split()[:8])}"
        add(CorpusArticle(id=f"s{number}", title=title, summary=first.summary, paragraphs=head + tail,
                          date=_date(number), province=places[(number * 7) % len(places)]))
    return chosen
