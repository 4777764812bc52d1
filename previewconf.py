"""Settings of the editors' preview: drafts and scheduled articles are written too, each at its
own address (``DRAFT_URL``) with a banner; nothing else differs from ``pelicanconf.py``."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403
from pelicanconf import DRAFT_URL, urls  # noqa: E402

DRAFT_SAVE_AS = urls.save_as(DRAFT_URL)
