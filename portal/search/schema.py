"""What the search index holds about an article, and the Whoosh schema that holds it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from whoosh import fields

from portal import gazetteer
from portal.search.analysis import PART_GAP, FoldedCounts, FoldedPairs, FoldedPositions, VietnameseAnalyzer

TITLE_BOOST, META_BOOST = 2.0, 1.5  # body ×1: title above metadata above body
SCHEMA_VERSION = 7  # bump when the schema or the analysis changes: the next build reindexes all
PAIRS_OF = {"content": "pairs"}  # a field without positions → the field of its syllable pairs


# stored fields that hold searchable text (for re-ranking by diacritics and for highlighting)
STORED_TEXT = ("title", "body", "province_label", "tags", "author", "source")


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
    source: str = ""  # the article's Source/Nguồn header
    current_labels: list[str] = field(default_factory=list)  # labels of the current units

    @classmethod
    def of(cls, url: str, title: str, date: dt.datetime, summary: str, body: str,
           provinces: list[gazetteer.Province], tags: list[str] = (), author: str = "",
           source: str = "") -> SearchDocument:
        """The document of an article: its text is the summary and the body (the summary once
        when the body begins with it); it is listed on the pages of the provinces it was
        written in and of their current units."""
        units = sorted({p.current.slug for p in provinces})
        return cls(
            url=url, title=title, date=date, summary=summary,
            text=body if not summary or body.startswith(summary[:80]) else f"{summary}\n\n{body}",
            provinces=[p.label for p in provinces],
            province_slugs=sorted({p.page.slug for p in provinces} | set(units)),
            units=units, tags=list(tags), author=author, source=source,
            current_labels=sorted({p.current.label for p in provinces} - {p.label for p in provinces}),
        )

    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes (the incremental index compares it)."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def metadata(self) -> list[str]:
        """What is searchable besides the title and text: provinces (as written and their
        current units), tags, author, source."""
        return [part for part in (*self.provinces, *self.current_labels, *self.tags, self.author, self.source) if part]

    def fields(self) -> dict:
        """Keyword arguments for ``writer.add_document``."""
        meta = PART_GAP.join(self.metadata())
        # one field to match: the title, the text and the metadata (no phrase across parts)
        content = PART_GAP.join(filter(None, (self.title, self.text, meta)))
        return {
            "url": self.url,
            "title": self.title,
            "content": content,
            "pairs": content,  # the same object: its syllables are computed once (analysis)
            "meta": meta,  # scored apart: a metadata match ranks between title and body
            "body": self.text,  # stored for snippets and re-ranking
            "summary": self.summary,
            "date": self.date.replace(tzinfo=None),
            "year": str(self.date.year),
            "province": " ".join(self.province_slugs),
            "unit": " ".join(self.units),
            "province_label": ", ".join(self.provinces),
            "tags": ", ".join(self.tags),
            "author": self.author,
            "source": self.source,
        }


def build_schema() -> fields.Schema:
    content = fields.TEXT(analyzer=VietnameseAnalyzer(exact=False), phrase=False, stored=False)
    content.format = FoldedCounts(field_boost=1.0)  # no positions: phrases are in ``pairs``
    # scorable: Whoosh then keeps its lengths (a byte a document) and does not look for them per posting
    pairs = fields.FieldType(FoldedPairs(), VietnameseAnalyzer(exact=False), scorable=True)
    meta = fields.TEXT(analyzer=VietnameseAnalyzer(exact=False), phrase=True, stored=False)
    meta.format = FoldedPositions(field_boost=META_BOOST)
    return fields.Schema(
        url=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=VietnameseAnalyzer(), phrase=True, stored=True, field_boost=TITLE_BOOST),
        content=content,
        pairs=pairs,
        meta=meta,
        body=fields.STORED,
        summary=fields.STORED,
        date=fields.DATETIME(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        province=fields.KEYWORD(stored=False, scorable=False),
        unit=fields.KEYWORD(stored=True, scorable=False),
        province_label=fields.STORED,
        tags=fields.STORED,
        author=fields.STORED,
        source=fields.STORED,
    )
