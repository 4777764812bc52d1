"""Pelican settings of the portal (local build; publishconf.py adds the public address)."""

import copy
import os
import sys

# The `portal` package (Vietnamese text, gazetteer, checks, search) sits beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from jinja2 import FileSystemBytecodeCache  # noqa: E402

from portal import build, rendering, sharing, templating, urls  # noqa: E402

SITENAME = "An ninh Tổ quốc"
SITESUBTITLE = "Tin phong trào Toàn dân bảo vệ an ninh Tổ quốc"
SITEURL = ""
AUTHOR = "Ban biên tập"
DEFAULT_LANG = "vi"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_DATE = None  # an article without a date is an error, not "today"

PATH = "content"
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["pages"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "files"]
THEME = "theme"

# Builds into a temporary folder and swaps it in only on success (see portal/build.py).
PELICAN_CLASS = build.PortalPelican

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "portal_reader",  # header rules and checks; a bad article stops the build
    "publication",  # drafts and scheduled (future-dated) articles stay unpublished
    "photos",  # photos resized, upright, without metadata; <figure>/<picture>; lead photos
    "front_page",  # the home page: lead story, latest news, HOME_SECTIONS
    "provinces",  # /tinh/ pages, province-by-year pages, province feeds
    "related_articles",  # previous/next and related articles
    "search_index",  # the Whoosh index inside the output
    "render_cache",  # reuse unchanged article pages of the previous build
    "sitemap_dates",  # sitemap.xml, <lastmod> from the articles' dates
]
SITEMAP = {
    "exclude": [r"^search-index/", r"^404\.html$", r"^\.render-manifest"],
    "changefreqs": {"articles": "monthly", "indexes": "daily", "pages": "monthly"},
}

# Pelican caches whole Article objects between builds; a bad file is never cached.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "generator"
CHECK_MODIFIED_METHOD = "mtime"
GZIP_CACHE = False  # a bigger cache, but saving it gzipped cost more than reading articles

# URLs: directory URLs, ASCII slugs, Vietnamese words (portal/urls.py).
ARTICLE_URL = urls.ARTICLE_URL
ARTICLE_SAVE_AS = urls.save_as(urls.ARTICLE_URL)
ARTICLE_LANG_URL = ARTICLE_LANG_SAVE_AS = ""
# Drafts and scheduled articles (plugins/publication) are not written by a build; the
# preview writes them at DRAFT_URL with a banner.
DRAFT_URL = "ban-nhap/{slug}/"
DRAFT_SAVE_AS = ""
DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = urls.save_as(PAGE_URL)
PAGE_LANG_URL = PAGE_LANG_SAVE_AS = ""
TAG_URL = urls.TAG_URL
TAG_SAVE_AS = urls.save_as(urls.TAG_URL)
TAGS_URL = "chu-de/"
TAGS_SAVE_AS = urls.save_as(TAGS_URL)
AUTHOR_URL = urls.AUTHOR_URL
AUTHOR_SAVE_AS = urls.save_as(urls.AUTHOR_URL)
AUTHORS_URL = "tac-gia/"
AUTHORS_SAVE_AS = urls.save_as(AUTHORS_URL)
ARCHIVES_URL = urls.YEAR_INDEX_URL
ARCHIVES_SAVE_AS = urls.save_as(urls.YEAR_INDEX_URL)
YEAR_ARCHIVE_URL = urls.YEAR_URL
YEAR_ARCHIVE_SAVE_AS = urls.save_as(urls.YEAR_URL)
MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
DEFAULT_CATEGORY = "Tin tức"
# no translations: Pelican's search for them compares every article with every other
# (minutes at 35,000 articles; see portal/pelican_speed.py)
ARTICLE_TRANSLATION_ID = None
INDEX_URL = ""  # the home page is "/", not "/index.html"
DIRECT_TEMPLATES = ["tags", "authors", "archives"]  # the home page: plugins/front_page
TEMPLATE_PAGES = {"404.html": "404.html", "robots.txt": "robots.txt"}

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {
    "index": None,
    "tag": None,
    "author": None,
    "period_archives": None,
    "province": None,
}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/" + urls.PAGE_SEGMENT + "/{number}/", "{base_name}/" + urls.PAGE_SEGMENT + "/{number}/index.html"),
)
RELATED_ARTICLES_MAX = 5

# The front page (portal/front_page.py): the lead story (the newest "Nổi bật: có", else the newest
# with a photo), the latest news, then these sections, each with its HOME_SECTION_SIZE latest
# articles. "provinces": today's units (an article counts under the unit its province belongs to
# now); "tags": topics. A section with one province or one topic links to its page.
HOME_SECTION_SIZE = 4
HOME_SECTIONS = [
    {"title": "Tin toàn quốc", "provinces": ["Toàn quốc"]},
    {"title": "Miền Bắc", "provinces": [
        "Hà Nội", "Hải Phòng", "Cao Bằng", "Tuyên Quang", "Điện Biên", "Lai Châu", "Sơn La", "Lào Cai",
        "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Ninh", "Phú Thọ", "Hưng Yên", "Ninh Bình"]},
    {"title": "Miền Trung, Tây Nguyên", "provinces": [
        "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai",
        "Khánh Hòa", "Đắk Lắk", "Lâm Đồng"]},
    {"title": "Miền Nam", "provinces": [
        "Hồ Chí Minh", "Cần Thơ", "Đồng Nai", "Tây Ninh", "Đồng Tháp", "Vĩnh Long", "An Giang", "Cà Mau"]},
]
# Share image of pages without a photo, and the publisher's logo (JSON-LD), in the theme.
SHARE_IMAGE = "theme/images/share.png"
PUBLISHER_LOGO = "theme/images/logo.png"

# Feeds: the whole site and each province (provinces plugin); none per tag/author/category.
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ATOM = FEED_RSS = FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = TAG_FEED_RSS = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50

# Article bodies: Markdown settings and the HTML allowlist live in portal/rendering.py, shared
# with `python -m portal check` (a copy: Pelican's reader adds to the dict it is given).
MARKDOWN = copy.deepcopy(rendering.MARKDOWN)

JINJA_FILTERS = {**templating.FILTERS, **sharing.FILTERS}
RELATIVE_URLS = False

READERS = {"rst": None}  # articles are Markdown
# Local builds have no SITEURL by design (publishconf.py sets it); don't warn about it.
LOG_FILTER = [(30, "Feeds generated without SITEURL or FEED_DOMAIN set properly may not be valid")]

# Templates don't change during a build: skip Jinja's check of the file before every render,
# and keep compiled templates between builds (Jinja's per-user cache in the temporary folder,
# keyed by each template's source).
# Autoescape: every string of a template is escaped; only sanitised article HTML is marked
# |safe (content and summary, see portal/rendering.py).
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
    "auto_reload": False,
    "bytecode_cache": FileSystemBytecodeCache(),
}
