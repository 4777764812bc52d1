"""What the search index holds about an article, and the Whoosh schema that holds it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from whoosh import fields

from portal import gazetteer
from portal.search.analysis import FoldedCounts, FoldedPairs, VietnameseAnalyzer

SCHEMA_VERSION = 6  # bump when the schema or the analysis changes: the next build reindexes all
PAIRS_OF = {"content": "pairs"}  # a field without positions → the field of its syllable pairs


@dataclass
class SearchDocument:
    """One article as the index sees it (built from Pelican articles or from a corpus)."""

    url: str
    title: str
    text: str  # plain text: summary and body
    date: dt.datetime
    summary: str = ""
    provinces: list[str] = field(default_factory=list)  # labels, as written: "Quảng Bình"
    province_slugs: list[str] = field(default_factory=list)  # pages listing it: written + current
    units: list[str] = field(default_factory=list)  # current units (slugs), for facets
    tags: list[str] = field(default_factory=list)
    author: str = ""

    @classmethod
    def of(cls, url: str, title: str, date: dt.datetime, summary: str, body: str,
           provinces: list[gazetteer.Province], tags: list[str] = (), author: str = "") -> SearchDocument:
        """The document of an article: its text is the summary and the body (the summary once
        when the body begins with it); it is listed on the pages of the provinces it was
        written in and of their current units."""
        units = sorted({p.current.slug for p in provinces})
        return cls(
            url=url, title=title, date=date, summary=summary,
            text=body if not summary or body.startswith(summary[:80]) else f"{summary}\n\n{body}",
            provinces=[p.label for p in provinces],
            province_slugs=sorted({p.page.slug for p in provinces} | set(units)),
            units=units, tags=list(tags), author=author,
        )

    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes (the incremental index compares it)."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def fields(self) -> dict:
        """Keyword arguments for ``writer.add_document``."""
        content = f"{self.title}\n\n{self.text}"  # the title too: one field to match
        return {
            "url": self.url,
            "title": self.title,
            "content": content,
            "pairs": content,  # the same object: its syllables are computed once (analysis)
            "body": self.text,  # stored for snippets and re-ranking
            "summary": self.summary,
            "date": self.date.replace(tzinfo=None),
            "year": str(self.date.year),
            "province": " ".join(self.province_slugs),
            "unit": " ".join(self.units),
            "province_label": ", ".join(self.provinces),
            "tags": ", ".join(self.tags),
            "author": self.author,
        }


def build_schema() -> fields.Schema:
    content = fields.TEXT(analyzer=VietnameseAnalyzer(exact=False), phrase=False, stored=False)
    content.format = FoldedCounts(field_boost=1.0)  # no positions: phrases are in ``pairs``
    # scorable: Whoosh then keeps its lengths (a byte a document) and does not look for them per posting
    pairs = fields.FieldType(FoldedPairs(), VietnameseAnalyzer(exact=False), scorable=True)
    return fields.Schema(
        url=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=VietnameseAnalyzer(), phrase=True, stored=True, field_boost=2.0),
        content=content,
        pairs=pairs,
        body=fields.STORED,
        summary=fields.STORED,
        date=fields.DATETIME(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        province=fields.KEYWORD(stored=False, scorable=False),
        unit=fields.KEYWORD(stored=True, scorable=False),
        province_label=fields.STORED,
        tags=fields.STORED,
        author=fields.STORED,
    )
