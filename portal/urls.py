"""URL scheme of the portal: directory URLs, ASCII slugs, Vietnamese words.

``pelicanconf.py`` and the plugins take their patterns from here, and so does ``portal check``
when it looks for two articles that would share a URL.
"""

ARTICLE_URL = "{date:%Y}/{slug}/"
PROVINCE_INDEX_URL = "tinh/"
PROVINCE_URL = "tinh/{slug}/"
PROVINCE_YEAR_URL = "tinh/{slug}/{year}/"
PROVINCE_FEED_URL = "feeds/tinh/{slug}.atom.xml"
YEAR_INDEX_URL = "nam/"
YEAR_URL = "nam/{date:%Y}/"
TAG_URL = "chu-de/{slug}/"
AUTHOR_URL = "tac-gia/{slug}/"
PAGE_SEGMENT = "trang"  # ".../trang/2/"
SEARCH_URL = "tim-kiem/"
SEARCH_API_URL = "api/search"
SEARCH_INDEX_DIR = "search-index"  # inside the build output; never served


def save_as(url: str) -> str:
    """Output file of a directory URL: "tinh/an-giang/" → "tinh/an-giang/index.html"."""
    return url + "index.html" if url.endswith("/") or not url else url
