"""The theme as the service renders it: Pelican's settings and Jinja environment, built once."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import jinja2

from portal import templating
from portal.web.responses import content_security_policy


class Theme:
    """The settings of the build (``pelicanconf.py``) and the theme's templates with the globals
    and filters Pelican gives them; each read once, on first use."""

    def __init__(self, settings_file: str | os.PathLike):
        self.settings_file = Path(settings_file)

    @cached_property
    def settings(self) -> dict:
        from pelican.settings import read_settings

        return read_settings(str(self.settings_file))

    @cached_property
    def csp(self) -> str:
        return content_security_policy(self.settings.get("SITEURL", ""))

    @cached_property
    def environment(self) -> jinja2.Environment:
        settings = self.settings
        options = dict(settings.get("JINJA_ENVIRONMENT") or {})
        options["autoescape"] = True
        loader = jinja2.FileSystemLoader(os.path.join(settings["THEME"], "templates"))
        env = jinja2.Environment(loader=loader, **options)
        env.filters.update(templating.FILTERS)
        env.globals.update({key: value for key, value in settings.items() if key.isupper()})
        env.globals.update(settings.get("JINJA_GLOBALS") or {})
        env.globals["SITEURL"] = settings.get("SITEURL", "")
        return env

    def render(self, template: str, context: dict) -> str:
        return self.environment.get_template(template).render(context)
