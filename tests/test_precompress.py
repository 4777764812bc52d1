"""``GZIP_OUTPUT`` (publishconf.py): ``.gz`` siblings for nginx's ``gzip_static``, deterministic and reused."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from tests.conftest import ROOT, build

ENV = {**os.environ, "PORTAL_SITEURL": "https://antq.example.gov.vn"}


def packed_files(site: Path) -> dict[str, Path]:
    return {path.relative_to(site).as_posix(): path for path in site.rglob("*.gz")}


def test_publish_writes_gz_siblings_deterministically_and_reuses_them(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = build(ROOT / "content", out, cache, settings="publishconf.py", env=ENV)
    assert result.returncode == 0, result.stderr
    first = packed_files(out)
    for name in ("index.html.gz", "404.html.gz", "sitemap.xml.gz", "feeds/all.atom.xml.gz",
                 "theme/css/portal.css.gz", "tinh/an-giang/index.html.gz"):
        assert name in first, name
    for name, path in first.items():
        original = out / name.removesuffix(".gz")
        assert gzip.decompress(path.read_bytes()) == original.read_bytes(), name
        assert path.read_bytes()[4:8] == b"\0\0\0\0", name  # no time in the header
    assert not any(name.startswith("search-index/") or "/." in "/" + name for name in first)

    # a rebuild: unchanged pages are the live site's files, and so are their .gz
    result = build(ROOT / "content", out, cache, settings="publishconf.py", env=ENV)
    assert result.returncode == 0, result.stderr
    spare = Path(f"{out}.spare")
    article = "2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/index.html"
    assert os.stat(out / article).st_ino == os.stat(spare / article).st_ino
    assert os.stat(out / (article + ".gz")).st_ino == os.stat(spare / (article + ".gz")).st_ino

    # a build from nothing gives the same bytes for the same page
    other = tmp_path / "other"
    assert build(ROOT / "content", other, tmp_path / "cache2", settings="publishconf.py", env=ENV).returncode == 0
    again = packed_files(other)
    assert sorted(again) == sorted(first)
    same = [name for name in again if (other / name[:-3]).read_bytes() == (out / name[:-3]).read_bytes()]
    assert article + ".gz" in same and "index.html.gz" in same
    assert all(again[name].read_bytes() == (out / name).read_bytes() for name in same)


def test_local_builds_write_no_gz(sample_site):
    assert not list(sample_site.rglob("*.gz"))
