"""Dates as Vietnamese readers write them, without relying on a system locale.

* :func:`format_date` – "Thứ Năm, 24/11/2022" (and "Chủ Nhật" for Sunday);
* :func:`parse_header_date` – the ``Date:`` of an article header: ISO ("2022-11-24 10:59")
  or Vietnamese day-first ("24/11/2022", "24-11-2022 10:59"); impossible dates are errors.
"""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def weekday_name(value: dt.date) -> str:
    return WEEKDAYS[value.weekday()]


def format_date(value: dt.date, with_time: bool = False) -> str:
    """ "Thứ Năm, 24/11/2022" (with ", 10:59" when ``with_time`` and the time is set)."""
    text = f"{weekday_name(value)}, {value.day:02d}/{value.month:02d}/{value.year}"
    if with_time and isinstance(value, dt.datetime) and (value.hour or value.minute):
        text += f", {value.hour:02d}:{value.minute:02d}"
    return text


def short_date(value: dt.date) -> str:
    """ "24/11/2022"."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


class DateError(ValueError):
    """A date that cannot be read, with a message an editor understands."""


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:,?\s+(\d{1,2})[:h](\d{2}))?$")


def parse_header_date(text: str) -> dt.datetime:
    """Read a header date; raise :class:`DateError` saying what is wrong."""
    value = " ".join(text.split())
    match = _ISO.match(value)
    if match:
        year, month, day, hour, minute, second = match.groups()
    else:
        match = _DAY_FIRST.match(value)
        if not match:
            raise DateError(
                f'ngày "{text}" không đọc được; hãy viết theo dạng 2022-11-24 hoặc 24/11/2022 '
                "(có thể thêm giờ: 2022-11-24 10:59)"
            )
        day, month, year, hour, minute = match.groups()
        second = None
    return make_datetime(int(year), int(month), int(day), hour, minute, second, original=text)


def make_datetime(year, month, day, hour=None, minute=None, second=None, original="") -> dt.datetime:
    """A datetime from parts, or :class:`DateError` when the day does not exist (30/02)."""
    try:
        return dt.datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        shown = original or f"{day}/{month}/{year}"
        raise DateError(f'ngày "{shown}" không có thật (ngày {day} tháng {month} năm {year})') from None
