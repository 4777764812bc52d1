"""Settings for publishing: absolute site URL from the environment, feeds with absolute links.

    PORTAL_SITEURL=https://antq.example.gov.vn make publish
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PORTAL_SITEURL", "").rstrip("/")
if not SITEURL:
    sys.exit("publishconf.py: set PORTAL_SITEURL to the public address, e.g. https://antq.example.gov.vn")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
GZIP_OUTPUT = True  # page.html.gz beside each page, for nginx gzip_static (portal/precompress.py)
