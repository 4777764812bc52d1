"""The posting reader (portal/search/postings.py) uses Whoosh's private names: each is pinned
here, and its results must equal Whoosh's own matchers, so an upgrade of Whoosh that changes
them fails these tests instead of the search service."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, MultiMatcher
from whoosh.query import Phrase, Term
from whoosh.scoring import BM25FScorer

from portal.search import plan, postings
from portal.search.analysis import folded_text, holds_phrase
from portal.search.indexer import write_index
from portal.search.schema import SearchDocument
from portal.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["an ninh", "tổ quốc", "giao thông", "phòng cháy", "biên giới", "xe máy"]


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """Posting sets of an index of two segments, with documents deleted in the first."""
    site = tmp_path_factory.mktemp("segments")
    docs = [
        SearchDocument(url=f"{n}/", title=f"Bài {n}", date=dt.datetime(2020, 1, 1),
                       text=" ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 7)) + " an toàn ninh")
        for n in range(400)
    ]
    index = site / "search-index"
    write_index(docs[:300], index)
    changed = {d.url: SearchDocument(url=d.url, title=d.title, date=d.date, text=d.text + " an ninh")
               for d in docs[5:300:7]}  # deleted here and there in the first segment
    write_index([changed.get(d.url, d) for d in docs], index)  # a second segment
    return Searcher(site).posting_sets()


def _instances(sets) -> dict[type, object]:
    """A live object of each class whose private names postings.py reads."""
    searcher = sets.searcher
    multi = searcher.reader().postings("content", "an")
    filtered = next(m for m in multi.matchers if isinstance(m, FilterMatcher))
    return {MultiMatcher: multi, FilterMatcher: filtered, W3LeafMatcher: filtered.child,
            BM25FScorer: searcher.weighting.scorer(searcher, "content", "an")}


def test_every_private_name_still_exists(sets):
    instances = _instances(sets)
    assert set(postings.PRIVATE_NAMES) == set(instances)
    for cls, names in postings.PRIVATE_NAMES.items():
        assert isinstance(instances[cls], cls)
        for name in names:
            assert hasattr(instances[cls], name), f"Whoosh's {cls.__name__} has no {name} any more"


@pytest.mark.parametrize("name", ["_read_data", "_read_weights", "_read_values", "_next_block", "block_max_id"])
def test_private_methods_take_no_arguments(name):
    assert list(inspect.signature(getattr(W3LeafMatcher, name)).parameters) == ["self"]


def test_leaf_block_layout(sets):
    """A block's data is a tuple whose first item is the (delta-encoded) document ids."""
    leaf = _instances(sets)[W3LeafMatcher]
    leaf._read_data()
    assert isinstance(leaf._data, tuple) and len(leaf._data[0]) > 0
    assert leaf._byteids in (None, False, True) and leaf._i == 0
    scorer = _instances(sets)[BM25FScorer]
    assert all(isinstance(getattr(scorer, name), float) for name in ("idf", "K1", "B", "avgfl"))


def test_private_names_only_in_the_posting_reader():
    private = re.compile(r"W3LeafMatcher|FilterMatcher|MultiMatcher|BM25FScorer|_INT_SIZE|make_binary_tree|"
                         r"SpanWrappingMatcher|whoosh\.matching|\._read_\w+\(|\._next_block\b")
    sources = [path for folder in ("portal", "plugins") for path in (ROOT / folder).rglob("*.py")]
    users = sorted(str(path.relative_to(ROOT)) for path in sources if private.search(path.read_text(encoding="utf-8")))
    assert users == ["portal/search/postings.py"]


def test_block_reading_agrees_with_whoosh_across_segments_and_deletions(sets):
    """Posting sets, BM25F scores and phrase checks read posting blocks directly; on an index
    of several segments with deleted documents they must equal Whoosh's own matchers."""
    searcher = sets.searcher
    assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
    for text in ("an", "ninh", "to", "quoc", "xe", "chay"):
        matcher = Term("content", text).matcher(searcher)
        expected = {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        assert sets.term("content", text) == set(expected)
        scores = postings.bm25_scores(searcher, "content", text, sets.lengths("content"))
        assert scores.keys() == expected.keys()
        assert all(abs(scores[doc] - expected[doc]) < 1e-9 for doc in expected)
    every = set(searcher.reader().all_doc_ids())
    texts = {doc: folded_text((fields["title"], fields["body"])) for doc in every
             for fields in [searcher.stored_fields(doc)]}
    last = {doc for doc in every if doc >= searcher.reader().leaf_readers()[-1][1]}  # the last segment's
    some = set(sorted(every)[::3])
    for field, phrase in (("content", ["an", "ninh"]), ("content", ["to", "quoc", "giao"]),
                          ("content", ["ninh", "an"]), ("title", ["bai", "12"])):
        if field == "title":  # positions, checked by Whoosh's own phrase query
            expected = set(searcher.docs_for_query(Phrase(field, phrase, slop=1)))
        else:  # pairs of syllables: the documents whose text holds the phrase
            expected = {doc for doc, text in texts.items() if holds_phrase(text, tuple(phrase))}
        assert plan.Phrase(field, tuple(phrase)).holding(sets, every) == expected != set()
        assert plan.Phrase(field, tuple(phrase)).holding(sets, some) == expected & some
        assert plan.Phrase(field, tuple(phrase)).holding(sets, last) == expected & last
        assert plan.Phrase(field, tuple(phrase)).ids(sets) == expected


def test_unknown_terms_are_empty(sets):
    assert postings.term_ids(sets.reader, "content", "khongcotu") == frozenset()
    assert postings.bm25_scores(sets.searcher, "content", "khongcotu", []) == {}
    assert postings.phrase_in(sets.searcher, "title", ("bai", "khongcotu"), {1, 2}) == set()


def test_the_portals_codec_records_what_whooshs_own_records(tmp_path, monkeypatch):
    """PortalCodec reads each document's field length once instead of once per posting, and
    inlines the postings of terms in one document; what Whoosh derives from the lengths (each
    term's shortest and longest document, used to skip blocks) and everything else it records
    per term must be what its own codec records."""
    from whoosh import index as whoosh_index
    from whoosh.codec.whoosh3 import W3Codec

    from portal.search import indexer

    docs = [SearchDocument(url=f"{n}/", title=f"Bài {n} " + WORDS[n % len(WORDS)], date=dt.datetime(2020, 1, 1),
                           text=" ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 11)),
                           provinces=["Cao Bằng"] if n % 3 else ["Quảng Bình"], tags=["ANTQ"])
            for n in range(300)]
    write_index(docs, tmp_path / "portal")
    monkeypatch.setattr(indexer, "postings_codec", lambda: W3Codec(compression=3))
    write_index(docs, tmp_path / "whoosh")

    def recorded(folder):
        with whoosh_index.open_dir(str(folder)).reader() as reader:
            codecs = {type(segment.codec()).__name__ for segment in reader.segments()}
            infos = {(field, text): reader.term_info(field, text) for field, text in reader.all_terms()}
        inlined = {key for key, info in infos.items() if info.is_inlined()}
        return (codecs, inlined), {key: (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
                                         info.max_weight()) for key, info in infos.items()}

    (mine, ours), (theirs, whooshs) = recorded(tmp_path / "portal"), recorded(tmp_path / "whoosh")
    assert mine[0] == {"PortalCodec"} and theirs[0] == {"W3Codec"}
    # a term in one document only is kept in its entry (Whoosh's own writer never does it)
    assert mine[1] == {key for key, value in ours.items() if value[0] == 1} and mine[1] and not theirs[1]
    assert any(key[0] == "pairs" for key in ours) and any(value[2] != value[3] for value in ours.values())
    assert ours == whooshs


def test_segments_with_inlined_terms_merge_alike(tmp_path):
    """Whoosh merges small segments as builds add them, reading every posting back, those kept
    in a term's entry included: the merged index holds the same postings."""
    from whoosh import index as whoosh_index

    from portal.search.indexer import postings_codec

    folder = tmp_path / "search-index"
    docs = [SearchDocument(url=f"{n}/", title=f"Bài {n}", date=dt.datetime(2020, 1, 1),
                           text=f"Câu riêng từ{n} rồi " + " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 4)))
            for n in range(60)]
    write_index(docs[:30], folder)
    write_index(docs, folder)  # a second segment

    def postings_by_url():
        with whoosh_index.open_dir(str(folder)).searcher() as searcher:
            reader = searcher.reader()
            leaves = [leaf for leaf, _offset in reader.leaf_readers()]
            inlined = sum(leaf.term_info(*term).is_inlined() for leaf in leaves for term in leaf.all_terms())
            url = lambda doc: searcher.stored_fields(doc)["url"]  # noqa: E731 - stable across merges
            return len(leaves), inlined, {
                (field, text): sorted(map(url, reader.postings(field, text).all_ids()))
                for field, text in reader.all_terms() if field in ("content", "pairs", "title", "meta")}

    segments, inlined, before = postings_by_url()
    assert segments == 2 and inlined > 100 and before[("pairs", b"tu7 roi")] == ["7/"]
    whoosh_index.open_dir(str(folder)).writer(codec=postings_codec()).commit(optimize=True)  # read back, written again
    segments, inlined, after = postings_by_url()
    assert segments == 1 and inlined > 100 and after == before
