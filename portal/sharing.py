"""What a shared link and a search engine see of a page: JSON-LD ``NewsArticle`` and its filter.

Open Graph and Twitter tags are written by the templates (``theme/templates/base.html`` and
``article.html``); the structured data is built here, where it is plain Python data, and put in
the page by the ``json_ld`` filter, which keeps ``</script>`` and friends out of the JSON.
"""

from __future__ import annotations

import html
import json
import re

from jinja2 import pass_context
from markupsafe import Markup

from portal import front_page


def _text(fragment) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(fragment or ""))).strip()


def absolute(siteurl: str, path: str) -> str:
    return f"{siteurl}/{path.lstrip('/')}"


@pass_context
def news_article(context, article) -> dict:
    """schema.org ``NewsArticle`` of an article page."""
    siteurl = context.get("SITEURL", "")
    photo = getattr(article, "lead_photo", None)
    image = absolute(siteurl, photo.share) if photo else absolute(siteurl, context.get("SHARE_IMAGE", ""))
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _text(article.title)[:110],
        "mainEntityOfPage": absolute(siteurl, article.url),
        "datePublished": article.date.isoformat(),
        "dateModified": (getattr(article, "modified", None) or article.date).isoformat(),
        "image": [image],
        "publisher": {
            "@type": "Organization",
            "name": _text(context.get("SITENAME", "")),
            "logo": {"@type": "ImageObject", "url": absolute(siteurl, context.get("PUBLISHER_LOGO", ""))},
        },
        "inLanguage": "vi",
    }
    authors = getattr(article, "authors", None) or []
    data["author"] = ([{"@type": "Person", "name": str(a)} for a in authors]
                      or [{"@type": "Organization", "name": _text(context.get("SITENAME", ""))}])
    description = _text(getattr(article, "summary", ""))
    if description:
        data["description"] = description[:300]
    provinces = getattr(article, "provinces", None) or []
    if provinces:
        data["contentLocation"] = [{"@type": "Place", "name": p.label} for p in provinces]
    return data


def json_ld(value) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``</`` and ``<!--`` cannot end it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


FILTERS = {
    "news_article": news_article,
    "json_ld": json_ld,
    "sapo": front_page.sapo,
}
