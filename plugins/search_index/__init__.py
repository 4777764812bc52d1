"""Pelican plugin: the search index (filled in by the search issue)."""


def register():
    pass
