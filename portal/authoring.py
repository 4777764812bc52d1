"""``python -m portal new "Tiêu đề" --province "An Giang"``: start an article by hand.

Writes ``<out>/<yyyy>/<slug>.md`` with its header filled in (a file ``portal check`` accepts) and
prints its path; never overwrites a file.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from portal import dates, gazetteer, validation, vietnamese


class AuthoringError(ValueError):
    """Something in the command line to correct, said for the editor."""


def create(
    title: str,
    province: str,
    out_dir: Path,
    date: str | None = None,
    tags: str | None = None,
    author: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write the new article and return its path; raise :class:`AuthoringError` when it cannot be."""
    title = vietnamese.clean_spaces(vietnamese.nfc(title))
    slug = vietnamese.slugify(title)
    if not slug:
        raise AuthoringError(f'tiêu đề "{title}" không tạo được địa chỉ bài; hãy viết tiêu đề bằng chữ')
    if date:
        try:
            when = dates.parse_header_date(date)
        except dates.DateError as error:
            raise AuthoringError(str(error)) from None
    else:
        when = (now or dt.datetime.now(dates.VIETNAM)).replace(tzinfo=None, second=0, microsecond=0)
    places = gazetteer.load()
    found = places.resolve(province, when.date())
    if found is None:
        raise AuthoringError(places.unknown(province))
    tag_list = validation.split_list([tags or ""])
    path = out_dir / f"{when:%Y}" / f"{slug}.md"
    if path.exists():
        raise AuthoringError(f"đã có bài {path}; sửa tệp đó hoặc đặt tiêu đề khác")
    author = vietnamese.clean_spaces(author or "")
    text = validation.header_text(title, when, found.name, tag_list, [author] if author else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(vietnamese.nfc(text))
    return path


def run(args) -> int:
    try:
        path = create(args.title, args.province, Path(args.out), args.date, args.tags, args.author)
    except AuthoringError as error:
        print(error, file=sys.stderr)
        return 1
    print(path)
    return 0
