"""Dates as Vietnamese readers write them, without relying on a system locale.

* :func:`format_date` – "Thứ Năm, 24/11/2022" (and "Chủ Nhật" for Sunday);
* :func:`parse_header_date` – the ``Date:`` of an article header: ISO ("2022-11-24 10:59")
  or Vietnamese day-first ("24/11/2022", "24-11-2022 10:59"); impossible dates are errors;
* :func:`find_dates`, :func:`parse_dateline`, :func:`guess_year` – dates in free text, for the
  importer ("Chiều ngày 19/01/2022", "Cập nhật lúc 10:59, Thứ Sáu, 10/02/2012", "Chiều 12/3").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the portal's time zone: dates are written in it

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


def is_future(moment: dt.datetime, now: dt.datetime | None = None) -> bool:
    """True when ``moment`` (a naive one is Vietnam time) is later than ``now`` (default: this
    instant): a scheduled article, published by the first build after that moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment > (now or dt.datetime.now(VIETNAM))


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


# -- dates in free text (the importer) --------------------------------------------------------

_PART_OF_DAY = r"rạng sáng|sáng|trưa|chiều|tối|đêm|hôm"
# "Chiều ngày 19/01/2022", "Ngày 9-2-2012", "10.02.2012"; a day/month without a year only
# after a word that makes it a date ("Chiều 12/3", "ngày 30/8"), never "131/159 xã".
_NUMERIC_DATE = re.compile(
    rf"(?<!\w)(?:(?P<part>{_PART_OF_DAY})\s+)?(?:(?P<ngay>ngày)\s+)?"
    r"(?<![\d/.,-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})"
    r"(?:(?P=sep)(?P<year>\d{4}))?(?![\d/]|[.,-]\d)",
    re.IGNORECASE,
)
_WORDED_DATE = re.compile(
    rf"(?<!\w)(?:(?P<part>{_PART_OF_DAY})\s+)?(?P<ngay>ngày)\s+(?P<day>\d{{1,2}})\s+tháng\s+"
    r"(?P<month>\d{1,2})(?:\s*(?:năm|,)\s*(?P<year>\d{4}))?(?!\d)",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?<![\d:+])(\d{1,2})\s*[:hg]\s*(\d{2})(?!\d)")
_DATELINE_NOISE = re.compile(
    r"\(?GMT\s*[+-]\s*\d+\)?|\b(?:cập nhật|đăng|ngày|lúc|giờ|thời gian|xuất bản|ngày đăng)\b|"
    + "|".join(WEEKDAYS),
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\d/.-])(1[89]\d\d|2\d\d\d)(?![\d/])")
# The end of a range or a target ("2023 - 2025", "đến năm 2030") is not the year of the news.
_FUTURE_YEAR = re.compile(r"(?:\d{4}\s*[-–—]\s*|(?:đến|tới)\s+(?:năm\s+)?)(\d{4})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    """A date written in a text: where, and its parts (``year`` None for "Chiều 12/3")."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    part_of_day: bool  # "Sáng"/"Chiều"/… before it: the time of an event

    def on(self, year: int | None = None) -> dt.date | None:
        """The date in ``year`` (its own when written), None when it does not exist."""
        try:
            return dt.date(year or self.year, self.month, self.day)
        except (TypeError, ValueError):
            return None


def find_dates(text: str) -> list[FoundDate]:
    """Dates written in ``text`` ("Chiều ngày 19/01/2022", "9-2-2012", "ngày 30 tháng 8"), in order.

    Dates that cannot exist (30/02, "131/159") are left out.
    """
    found: list[FoundDate] = []
    for pattern in (_NUMERIC_DATE, _WORDED_DATE):
        for match in pattern.finditer(text):
            year = int(match["year"]) if match["year"] else None
            if year is None and not (match["part"] or match["ngay"]):
                continue
            if year is None and match.re is _NUMERIC_DATE and match["sep"] == ".":
                continue
            date = FoundDate(
                match.start(), match.end(), int(match["day"]), int(match["month"]), year, bool(match["part"])
            )
            if date.on(year or 2000) is not None:  # 29/2 exists in a leap year
                found.append(date)
    return sorted(found, key=lambda d: d.start)


def parse_dateline(line: str) -> dt.datetime | None:
    """The date and time of a line that is only a date ("Cập nhật lúc 10:59, Thứ Sáu, 10/02/2012").

    None when the line says more than a date (a sentence that mentions one).
    """
    dates = [d for d in find_dates(line) if d.year]
    if len(dates) != 1:
        return None
    date = dates[0]
    rest = line[: date.start] + " " + line[date.end :]
    time = _TIME.search(rest)
    if time:
        rest = rest[: time.start()] + rest[time.end() :]
    words = re.findall(r"\w+", _DATELINE_NOISE.sub(" ", rest))
    if len(words) > 2:
        return None
    hour = minute = 0
    if time and int(time[1]) < 24 and int(time[2]) < 60:
        hour, minute = int(time[1]), int(time[2])
    return dt.datetime(date.year, date.month, date.day, hour, minute)


def guess_year(date: FoundDate, text: str, latest: dt.date) -> int | None:
    """The year of a day/month written without one ("Chiều 12/3"), from the rest of ``text``.

    The latest full date mentioned (a letter "ngày 31/3/2023" the news follows) gives it: the
    same year, or the next when the day/month comes before that date in the year. Otherwise
    the latest year mentioned ("tổng kết năm 2018, triển khai nhiệm vụ năm 2019"), leaving out
    ends of ranges and targets ("2023 - 2025", "đến năm 2030"). Never after ``latest``.
    None when the text gives no year.
    """
    full = [d.on() for d in find_dates(text) if d.year]
    full = [d for d in full if d and d <= latest]
    if full:
        last = max(full)
        year = last.year if (date.month, date.day) >= (last.month, last.day) else last.year + 1
        if year > latest.year or (date.on(year) or latest) > latest:
            year -= 1
        return year
    targets = {m.start(1) for m in _FUTURE_YEAR.finditer(text)}
    years = [int(m[1]) for m in _YEAR.finditer(text) if m.start(1) not in targets]
    years = [y for y in years if y <= latest.year]
    if not years:
        return None
    year = max(years)
    on = date.on(year)
    if on is not None and on > latest:
        year -= 1
    return year
