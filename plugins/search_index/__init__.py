"""Pelican plugin: write the Whoosh search index into the build output (``search-index/``).

Once every article is read (``all_generators_finalized``), the plugin forks a second process
(which shares the articles as they are). It gathers what the index needs, extracts the body
text from the rendered HTML (:func:`html_text`) and updates the index (:mod:`portal.search.indexer`:
incremental, reusing the previous build's index) while Pelican renders the pages. At
``finalized`` the build waits for it; a failed index fails the build, so the last good site
and index stay in place.

Settings: ``SEARCH_INDEX_PARALLEL`` (default True; False indexes in the build process).
``PORTAL_PROFILE_INDEX=FILE`` in the environment makes the forked process profile itself into
FILE (cProfile; ``bench build --profile``): a profile of the build process does not see it.
"""

from __future__ import annotations

import errno
import html
import logging
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Sequence

from pelican import signals
from pelican.generators import ArticlesGenerator

from portal import urls
from portal.build import FINAL_OUTPUT_SETTING
from portal.oscalls import die_with_parent
from portal.search.indexer import write_index
from portal.search.schema import SearchDocument

logger = logging.getLogger(__name__)
_NO_SPACE = 28  # the child's exit status for a full disk
# a comment, or a tag (quoted attribute values may hold ">")
_MARKUP = re.compile(r"""<!--.*?-->|<(?:[^>"']|"[^"]*"|'[^']*')*>""", re.S)


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment: each run of text between tags on its own line, stripped
    (what BeautifulSoup gives with a newline separator and strip=True, ten times faster).
    The preview remembers it with the article's document (:class:`_Remembered`)."""
    if "<" not in fragment:
        return html.unescape(fragment)
    return "\n".join(text for text in (html.unescape(part).strip() for part in _MARKUP.split(fragment)) if text)


def document(article) -> SearchDocument:
    """What the index holds of a Pelican article (text from its rendered HTML)."""
    return _document(SearchDocument, *_inputs(article))


def _inputs(article) -> tuple:
    author = getattr(article, "author", None)
    return (article.url, article.title, article.date, getattr(article, "summary", "") or "", article.content or "",
            tuple(getattr(article, "provinces", [])), tuple(tag.name for tag in getattr(article, "tags", [])),
            author.name if author else "", getattr(article, "source", "") or "")


def _document(cls, url, title, date, summary, body, provinces, tags, author, source) -> SearchDocument:
    return cls.of(url=url, title=title, date=date, summary=html_text(summary), body=html_text(body),
                  provinces=list(provinces), tags=list(tags), author=author, source=source)


class _Document(SearchDocument):
    """A document whose fingerprint is computed once (it never changes)."""

    _fingerprint = ""

    def fingerprint(self) -> str:
        if not self._fingerprint:
            self._fingerprint = super().fingerprint()
        return self._fingerprint


class _Remembered:
    """:func:`document`, remembered from one build to the next when the index is written in the
    build process (the preview's worker, whose builds see the same articles again): extracting
    the text and fingerprinting it is most of what the index costs before Whoosh. An article
    whose URL, title, date, HTML, places, tags, author or source changed gets a new document.
    What a build did not ask for is forgotten at the next (:meth:`turn`): memory follows the
    site. A forked index process (``pelican``) makes its documents afresh and keeps none."""

    def __init__(self):
        self.now: dict[tuple, _Document] = {}
        self.before: dict[tuple, _Document] = {}

    def turn(self) -> None:
        """A new build: keep what it asks for again, forget the rest after it."""
        self.before, self.now = self.now, {}

    def __call__(self, article) -> SearchDocument:
        key = _inputs(article)
        known = self.now.get(key) or self.before.pop(key, None)
        if known is None:
            known = _document(_Document, *key)
        self.now[key] = known
        return known


remembered = _Remembered()


class Documents(Sequence):
    """The articles' documents, each made when it is read rather than all held at once (the
    indexer reads them twice: fingerprints, then the changed ones): at 100,000 articles their
    text alone is about a gigabyte in the index's process."""

    def __init__(self, articles, make=document):
        self.articles, self.make = articles, make

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(article) for article in self.articles[index]]
        return self.make(self.articles[index])

    def __iter__(self):
        return map(self.make, self.articles)


def build_index(articles, target: str, previous: str, make=document) -> None:
    report = write_index(Documents(list(articles), make), target, previous)
    if report.damaged:  # one line, even with -q: the operator should know the disk or a copy failed
        names = ", ".join(report.damaged[:3]) + ("…" if len(report.damaged) > 3 else "")
        sys.stderr.write(f"Cảnh báo: chỉ mục tìm kiếm cũ bị hỏng ({names} không khớp tổng kiểm); "
                         "đã lập chỉ mục lại các bài trong đó.\n")
        sys.stderr.flush()
    if report.unreadable_manifest:
        sys.stderr.write("Cảnh báo: không đọc được manifest.json của chỉ mục tìm kiếm cũ; "
                         "đã lập lại toàn bộ chỉ mục.\n")
        sys.stderr.flush()
    logger.info("%s", report)


def _profiled(function, *args) -> None:
    """``function(*args)``, profiled into ``$PORTAL_PROFILE_INDEX`` when that is set."""
    path = os.environ.get("PORTAL_PROFILE_INDEX")
    if not path:
        function(*args)
        return
    import cProfile

    profiler = cProfile.Profile()  # replaces the build process's profiler, inherited by fork
    try:
        profiler.runcall(function, *args)
    finally:
        profiler.dump_stats(path)


def _child(articles, target, previous, parent) -> None:
    # Ctrl-C and kill stop the build, which stops this child; it never outlives the build.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    die_with_parent(parent)
    try:
        _profiled(build_index, articles, target, previous)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        os._exit(_NO_SPACE)  # the parent says it in one line
    except Exception as error:  # reported by the parent as a build error
        sys.stderr.write(f"Lỗi khi ghi chỉ mục tìm kiếm: {error.__class__.__name__}: {error}\n")
        sys.stderr.flush()
        os._exit(1)


class IndexJob:
    """The index of one build: started once the articles are read, awaited at the end."""

    def __init__(self):
        self.process = None  # the forked process writing the index, while there is one

    def start(self, generators) -> None:
        self.process = None
        remembered.turn()
        articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
        if articles is None:
            return
        settings = articles.settings
        target = os.path.join(articles.output_path, urls.SEARCH_INDEX_DIR)
        final = settings.get(FINAL_OUTPUT_SETTING, articles.output_path)
        previous = os.path.join(final, urls.SEARCH_INDEX_DIR)
        if settings.get("SEARCH_INDEX_PARALLEL", True) and "fork" in multiprocessing.get_all_start_methods():
            # A forked child shares the articles as they are now; nothing is copied or pickled.
            self.process = multiprocessing.get_context("fork").Process(
                target=_child, args=(list(articles.articles), target, previous, os.getpid())
            )
            self.process.start()
        else:
            build_index(articles.articles, target, previous, make=remembered)

    def finish(self, _pelican) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.join()
        if process.exitcode == _NO_SPACE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if process.exitcode != 0:
            sys.stderr.write("Dừng xây dựng trang: không ghi được chỉ mục tìm kiếm (xem lỗi ở trên).\n")
            raise SystemExit(1)


index_job = IndexJob()


def register():
    signals.all_generators_finalized.connect(index_job.start)
    signals.finalized.connect(index_job.finish)
