"""Search quality on real Vietnamese news (../shared/corpora; skipped when absent).

Short phrases are sampled from the articles; the relevant set of a phrase is every article
holding it. Each phrase is searched as written, without diacritics, in NFD, in capitals and with
the other tone placement (hoà for hòa); recall must be ≥ 0.95 for each form. For the queries with
diacritics, ≥ 0.9 of the top results must hold exactly those diacritics.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from portal import corpus, vietnamese
from portal.search.indexer import write_index
from portal.search.request import SearchRequest
from portal.search.schema import SearchDocument
from portal.search.searcher import Searcher

pytestmark = pytest.mark.corpus
ARTICLES = 3000
PHRASES = 60
TONE_PHRASES = 25
MAX_RELEVANT = 100  # one page of results at the service's maximum limit
WORD = re.compile(r"^[^\W\d_]+$")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    if corpus.find_corpus() is None:
        pytest.skip("../shared/corpora is absent")
    articles = list(corpus.read(limit=ARTICLES))
    documents = [
        SearchDocument(url=f"{a.id}/", title=a.title, text=a.summary + "\n\n" + a.text, date=a.date)
        for a in articles
    ]
    site = tmp_path_factory.mktemp("quality")
    write_index(documents, site / "search-index")
    texts = {d.url: vietnamese.normalize(d.title + "\n" + d.text) for d in documents}
    return Searcher(site), texts


def _holding(texts, phrase: str) -> set[str]:
    """Articles holding ``phrase`` (normalised syllables, adjacent, in order)."""
    words = phrase.split()
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)")
    return {url for url, text in texts.items() if words[0] in text and pattern.search(text)}


def _sample(texts, count, seed, want=lambda phrase: True):
    """Deterministic phrases of 2–3 syllables with diacritics, held by 1..MAX_RELEVANT articles."""
    rng = random.Random(seed)
    urls = sorted(texts)
    phrases: dict[str, set[str]] = {}
    attempts = 0
    while len(phrases) < count and attempts < count * 200:
        attempts += 1
        words = texts[rng.choice(urls)].split()
        if len(words) < 10:
            continue
        size = rng.choice((2, 3))
        start = rng.randrange(len(words) - size)
        chunk = [w.strip(".,;:!?\"'“”()") for w in words[start:start + size]]
        if not all(WORD.match(w) for w in chunk):
            continue
        phrase = " ".join(chunk)
        if phrase in phrases or not vietnamese.has_diacritics(phrase) or not want(phrase):
            continue
        holding = _holding(texts, phrase)  # the costly part: a scan of every article
        if 0 < len(holding) <= MAX_RELEVANT:
            phrases[phrase] = holding
    assert len(phrases) == count, "not enough phrases sampled"
    return phrases


def _found(searcher, query) -> list[str]:
    return [hit.url for hit in searcher.search(SearchRequest(q=query, limit=MAX_RELEVANT)).results]


def _recall(searcher, phrases, form) -> float:
    scores = []
    for phrase, relevant in phrases.items():
        found = set(_found(searcher, form(phrase)))
        scores.append(len(found & relevant) / len(relevant))
    return sum(scores) / len(scores)


FORMS = {
    "as written": lambda p: p,
    "no diacritics": vietnamese.fold,
    "NFD": lambda p: unicodedata.normalize("NFD", p),
    "capitals": str.upper,
}


@pytest.fixture(scope="module")
def phrases(indexed):
    return _sample(indexed[1], PHRASES, seed=7)


@pytest.mark.parametrize("form", list(FORMS))
def test_recall_of_each_form(indexed, phrases, form):
    assert _recall(indexed[0], phrases, FORMS[form]) >= 0.95


def test_recall_with_the_other_tone_placement(indexed):
    searcher, texts = indexed
    tone_phrases = _sample(texts, TONE_PHRASES, seed=11, want=lambda p: vietnamese.normalize_tones(p, "old") != p)
    assert _recall(searcher, tone_phrases, lambda p: vietnamese.normalize_tones(p, "old")) >= 0.95


def test_top_results_hold_exactly_the_diacritics(indexed, phrases):
    searcher = indexed[0]
    held = total = 0
    for phrase, relevant in phrases.items():
        top = _found(searcher, phrase)[: min(10, len(relevant))]
        held += sum(url in relevant for url in top)
        total += len(top)
    assert held / total >= 0.9, held / total
