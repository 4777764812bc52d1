"""Pelican plugin: the home page as a news portal's front page (see :mod:`portal.front_page`).

It writes the home page and its following pages (``/trang/2/`` …) in place of Pelican's
``index`` direct template, passing the template ``front_page`` (the lead story and the
``HOME_SECTIONS``) as the page's own variable, so that the render cache keys the home page by
what it shows and no other page. It runs after the articles are read and their photos known
(``plugins/photos``): a plugin generator's context comes after the articles'.
"""

from __future__ import annotations

import sys

from pelican import signals
from pelican.generators import Generator

from portal import front_page


class FrontPageGenerator(Generator):
    def generate_context(self):
        try:
            self.front = front_page.lay_out(self.context.get("articles", []), self.settings)
        except front_page.SettingError as error:
            sys.stderr.write(f"pelicanconf.py: {error}\n")
            raise SystemExit(1) from None

    def generate_output(self, writer):
        articles = self.context.get("articles", [])
        dates = self.context.get("dates", [])
        url = self.settings.get("INDEX_URL", "")
        writer.write_file(
            self.settings.get("INDEX_SAVE_AS", "index.html"), self.get_template("index"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"], template_name="index", url=url,
            articles=articles, dates=dates, blog=True, page_name="index", front_page=self.front,
        )


def get_generators(_pelican):
    return FrontPageGenerator


def register():
    signals.get_generators.connect(get_generators)
