"""``bench build --photos``: the portal's build of the corpus with one photo per article.

The photos are made here with Pillow (1600×1067 JPEGs: a colour, a band, some grain, each
different) and linked after each article's first paragraph, as ``portal import`` writes them.
Timed: a full build from nothing, then rebuilds after text edits; counted: the photo files the
build made (every variant in a full build, none after a text edit: photos are cached by content).
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

SIZE = (1600, 1067)


def add_photos(content: Path, paths: list[Path], size=SIZE) -> None:
    """One distinct photo per article, linked after its first paragraph."""
    from PIL import Image, ImageDraw

    grain = Image.effect_noise(size, 24).convert("RGB")
    for number, path in enumerate(paths):
        colour = ((number * 37) % 200 + 30, (number * 91) % 200 + 30, (number * 53) % 200 + 30)
        image = Image.new("RGB", size, colour)
        top = (number * 13) % size[1]
        ImageDraw.Draw(image).rectangle((0, top, size[0], top + 120), fill=(240, 240, 240))
        image = Image.blend(image, grain, 0.12)
        year = path.parent.name
        target = content / "images" / year / f"{path.stem}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, quality=85)
        header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        first, _, rest = body.partition("\n\n")
        photo = f"![Ảnh minh họa bài {path.stem}]({{static}}/images/{year}/{path.stem}.jpg)"
        path.write_text(f"{header}\n\n{first}\n\n{photo}\n\n{rest}", encoding="utf-8")


def photo_files(cache: Path) -> int:
    folder = cache / "photos" / "anh"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def measure(work: Path, size: int, repeat: int, corpus_path, pelican: str, full_without: float) -> dict:
    """Medians of the builds with photos, the photo files made, and ratios to ``full_without``
    (the full build of the same articles without photos)."""
    from portal.bench import ROOT, _run, write_corpus_site

    content = work / f"content-{size}-photos"
    shutil.rmtree(content, ignore_errors=True)
    paths = write_corpus_site(content, size, corpus_path)
    add_photos(content, paths)
    out, cache = work / "out-photos", work / "cache-photos"
    command = [pelican, str(content), "-s", str(ROOT / "pelicanconf.py"), "-o", str(out), "--cache-path",
               str(cache), "-q"]
    runs: dict[str, list[float]] = {"photos_full": [], "photos_edit": [], "photos_edit_again": []}
    made = {"photos_made_full": 0, "photos_made_edit": 0}
    for attempt in range(repeat):
        for folder in (out, Path(f"{out}.spare"), cache):
            shutil.rmtree(folder, ignore_errors=True)
        runs["photos_full"].append(_run(command, ROOT))
        made["photos_made_full"] = photo_files(cache)
        for offset, kind in ((0, "edit"), (1, "edit_again")):
            edited = paths[(attempt * 97 + offset * 31) % len(paths)]
            edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
            before = photo_files(cache)
            runs[f"photos_{kind}"].append(_run(command, ROOT))
            made["photos_made_edit"] += photo_files(cache) - before
    row = {**{key: round(statistics.median(values), 2) for key, values in runs.items()}, **made}
    row["photos_full_ratio"] = round(row["photos_full"] / full_without, 2)
    row["photos_edit_share"] = round(row["photos_edit"] / row["photos_full"], 2)
    return row


def report(size: int, row: dict) -> str:
    return (f"{size} articles with one photo each: full build {row['photos_full']}s (×{row['photos_full_ratio']} "
            f"the build without photos; {row['photos_made_full']} photo files made); rebuild after editing one "
            f"article {row['photos_edit']}s ({row['photos_edit_share']:.0%} of full), after editing another "
            f"{row['photos_edit_again']}s; photo files made by the rebuilds: {row['photos_made_edit']}")
