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
                # spread over 2012–2025, about a day and a half apart, times varying
                date=_START + dt.timedelta(hours=37 * number + number % 11),
                province=provinces[(number * 7) % len(provinces)],
            )
