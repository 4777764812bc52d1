"""A query plan and its one evaluator, over the posting sets of an open index.

A plan is a small tree of immutable nodes. Each node answers two questions, on a
:class:`~portal.search.searcher.PostingSets` (``sets``):

* ``ids(sets)``: the documents it matches, as a set (set algebra in C);
* ``scores(sets, documents)``: its score for each of ``documents``, adding up as Whoosh's
  matchers would (all and any of: sums; best of: the best; a phrase: its terms' scores where
  it is held), from the cached per-term BM25F scores.

Everything that matches — the total, the facets, ranking, suggestions — goes through these
two, so there is one notion of what a query matches.

A phrase of three syllables or more is matched by its pairs of adjacent syllables, which a
document may hold apart ("a b … b c"): ``approximate()`` says when a plan holds one, and
``held_by(holds)`` checks one document, ``holds(words)`` saying whether its text holds those
folded syllables in a row (:func:`portal.search.ranking.verified`, for the results shown).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import mul

from portal.search.schema import PAIRS_OF


class Node:
    """A plan node (see the module)."""

    def ids(self, sets) -> frozenset | set:
        raise NotImplementedError

    def scores(self, sets, documents: list[int]) -> list[float]:
        raise NotImplementedError

    def terms(self) -> Iterator[tuple[str, str]]:
        """Every ``(field, syllable)`` the plan names, excluded ones too."""
        return iter(())

    def approximate(self) -> bool:
        """Whether ``ids`` may hold documents that only hold a long phrase's pairs apart."""
        return False

    def held_by(self, holds) -> bool:
        """Whether the document that ``holds`` (folded syllables → in its text in a row?)
        describes matches; what is not in a field indexed by pairs is the index's answer."""
        return True


@dataclass(frozen=True)
class Term(Node):
    field: str
    text: str

    def ids(self, sets):
        return sets.term(self.field, self.text)

    def scores(self, sets, documents):
        values = sets.term_scores(self.field, self.text)
        if isinstance(values, dict):  # a rare term: only its documents
            return list(map(values.get, documents, repeat(0.0)))
        return list(map(values.__getitem__, documents))

    def terms(self):
        yield self.field, self.text

    def held_by(self, holds):
        return self.field not in PAIRS_OF or holds((self.text,))


@dataclass(frozen=True)
class Phrase(Node):
    """Syllables adjacent and in order in one field."""

    field: str
    words: tuple[str, ...]

    def holders(self, sets) -> frozenset:
        """The documents holding the phrase (remembered per open index)."""
        return sets.phrase(self.field, self.words)

    def holding(self, sets, candidates) -> set[int]:
        """Which of ``candidates`` hold the phrase, checking only those."""
        return sets.phrase_in(self.field, self.words, candidates)

    def ids(self, sets):
        return self.holders(sets)

    def scores(self, sets, documents):
        held = self.holders(sets)
        words = AnyOf(tuple(Term(self.field, w) for w in self.words))
        return list(map(mul, words.scores(sets, documents), map(held.__contains__, documents)))

    def terms(self):
        for word in self.words:
            yield self.field, word

    def approximate(self):
        return self.field in PAIRS_OF and len(self.words) > 2

    def held_by(self, holds):
        return self.field not in PAIRS_OF or holds(self.words)


@dataclass(frozen=True)
class AllOf(Node):
    parts: tuple[Node, ...]

    def ids(self, sets):
        found = sorted((part.ids(sets) for part in self.parts), key=len)
        return found[0].intersection(*found[1:]) if found else set()

    def scores(self, sets, documents):
        return _sum([part.scores(sets, documents) for part in self.parts])

    def terms(self):
        for part in self.parts:
            yield from part.terms()

    def approximate(self):
        return any(part.approximate() for part in self.parts)

    def held_by(self, holds):
        return all(part.held_by(holds) for part in self.parts)


@dataclass(frozen=True)
class AnyOf(AllOf):
    def ids(self, sets):
        return set().union(*(part.ids(sets) for part in self.parts))

    def held_by(self, holds):
        return any(part.held_by(holds) for part in self.parts)


@dataclass(frozen=True)
class BestOf(AnyOf):
    """Any of the parts, scored by the best of them (the forms of an abbreviation)."""

    def scores(self, sets, documents):
        return list(map(max, *(part.scores(sets, documents) for part in self.parts)))


@dataclass(frozen=True)
class Without(Node):
    """``kept``'s documents that ``dropped`` does not match; scored by ``kept``."""

    kept: Node
    dropped: Node

    def ids(self, sets):
        return self.kept.ids(sets) - self.dropped.ids(sets)

    def scores(self, sets, documents):
        return self.kept.scores(sets, documents)

    def terms(self):
        yield from self.kept.terms()
        yield from self.dropped.terms()

    def approximate(self):
        return self.kept.approximate()

    def held_by(self, holds):  # what ``dropped`` excluded stays excluded
        return self.kept.held_by(holds)


@dataclass(frozen=True)
class Everything(Node):
    """Every document (a search by filters only)."""

    def ids(self, sets):
        return sets.every()

    def scores(self, sets, documents):
        return [0.0] * len(documents)


def _sum(parts: list[list[float]]) -> list[float]:
    return list(map(sum, zip(*parts, strict=True))) if len(parts) > 1 else parts[0]
