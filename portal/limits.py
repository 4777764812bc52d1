"""What an article may not be, checked before Markdown runs; and a content walk that names loops.

Control characters break feeds (XML cannot hold them) and are never part of Vietnamese text.
Markdown and the HTML sanitiser slow down more than linearly with very deep nesting and very
many lines, and Python-Markdown fails past about 400 nested lists; the limits below are far
above what any news article needs and keep each article's rendering time linear in its length.
Every check here reads each character a bounded number of times.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

MAX_BODY_CHARS = 1_000_000
MAX_LINES = 20_000
MAX_LIST_DEPTH = 20  # nested lists and quotes
MAX_HTML_DEPTH = 60  # nested HTML elements written in the article
MAX_BRACKET_DEPTH = 20  # "[" open at once in one paragraph (Markdown scans ahead from each)
MAX_OPEN_LINKS = 20  # link addresses "](" whose ")" has not come, in one paragraph (the same)
# Python-Markdown handles each inline element (emphasis, code, link, HTML, entity, escape, dash)
# in time proportional to its paragraph: quadratic in their number. Far above any real paragraph.
MAX_INLINE_MARKS = 5_000

# never in an article (portal import removes them)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_NAMES = {0: "NUL", 0x1b: "ESC", 0x7f: "DEL", 0x0b: "VT", 0x0c: "FF"}
_BLOCK_PREFIX = re.compile(r"([ \t]*)((?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))+)")
_MARKER = re.compile(r">|[-*+]|\d{1,9}[.)]")
_PARAGRAPH_MARKS = re.compile(r"\n[ \t]*\n|\]\(|[\[\]()*_`<&\\]|--|\.\.\.")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
# never counted: they hold no elements, or the HTML parser closes them by itself
_UNCOUNTED = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
              "param", "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead",
              "tbody", "tfoot", "option", "optgroup", "colgroup", "caption", "rb", "rt", "rp"}


def text_problems(text: str, body: str, body_line: int) -> list[tuple[int, str]]:
    """``(line, message)`` for each limit the article breaks (``text``: the whole file,
    ``body``: its Markdown, starting at line ``body_line``)."""
    found = []
    control = _control(text)
    if control:
        found.append(control)
    if len(body) > MAX_BODY_CHARS:
        found.append((body_line, f"phần thân bài dài {_n(len(body))} ký tự, quá giới hạn {_n(MAX_BODY_CHARS)} "
                                 "ký tự của một bài; hãy chia thành nhiều bài"))
        return found
    lines = body.count("\n") + 1
    if lines > MAX_LINES:
        found.append((body_line, f"phần thân bài có {_n(lines)} dòng, quá giới hạn {_n(MAX_LINES)} dòng của một "
                                 "bài; hãy chia thành nhiều bài"))
        return found
    for where in (_list_depth(body), _html_depth(body), _paragraph_marks(body)):
        if where:
            found.append((body_line + where[0], where[1]))
    return found


def _n(number: int) -> str:
    """1.000.000, as Vietnamese writes numbers."""
    return f"{number:_}".replace("_", ".")


def _control(text: str) -> tuple[int, str] | None:
    match = CONTROL.search(text)
    if match is None:
        return None
    code = ord(match.group())
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    total = len(CONTROL.findall(text))
    name = f"U+{code:04X}" + (f" ({_CONTROL_NAMES[code]})" if code in _CONTROL_NAMES else "")
    more = f"; tệp có {total} ký tự như vậy" if total > 1 else ""
    return line, (f"có ký tự điều khiển {name} ở cột {column}{more}; xóa ký tự này (thường lẫn vào khi "
                  "sao chép từ Word, PDF hay trang web), bài có nó không đưa được vào trang và bản tin RSS/Atom")


def _list_depth(body: str) -> tuple[int, str] | None:
    """The first line nested deeper than :data:`MAX_LIST_DEPTH` (0-based) and its message."""
    for number, line in enumerate(body.split("\n")):
        match = _BLOCK_PREFIX.match(line)
        if match is None:
            continue
        depth = len(match.group(1).expandtabs(4)) // 4 + len(_MARKER.findall(match.group(2)))
        if depth > MAX_LIST_DEPTH:
            return number, (
                f"danh sách hoặc trích dẫn lồng nhau {depth} cấp, quá giới hạn {MAX_LIST_DEPTH} cấp; bớt cấp "
                'lồng ở dòng này (mỗi dấu "- ", "1. " hay ">" đầu dòng và mỗi 4 dấu cách thụt lề là một cấp)'
            )
    return None


def _html_depth(body: str) -> tuple[int, str] | None:
    """The first place where HTML written in the body nests deeper than :data:`MAX_HTML_DEPTH`.

    Counted as a browser would: an end tag closes the innermost open element of its name and
    those opened inside it; an end tag with no open element of its name is ignored.
    """
    if "<" not in body:
        return None
    stack: list[str] = []
    for match in _TAG.finditer(body):
        closing, name = match.group(1), match.group(2).lower()
        if name in _UNCOUNTED:
            continue
        if not closing:
            stack.append(name)
            if len(stack) > MAX_HTML_DEPTH:
                line = body.count("\n", 0, match.start())
                return line, (
                    f"thẻ HTML lồng nhau quá {MAX_HTML_DEPTH} cấp; đóng các thẻ đã mở (</div>, </span>…) "
                    "hoặc bỏ bớt thẻ, tốt nhất viết bằng Markdown"
                )
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
    return None


def _paragraph_marks(body: str) -> tuple[int, str] | None:
    """The first paragraph whose inline Markdown would take more than linear time, and where:
    more than :data:`MAX_BRACKET_DEPTH` "[" not yet closed, more than :data:`MAX_OPEN_LINKS`
    link addresses not yet closed, or more than :data:`MAX_INLINE_MARKS` formatting marks."""
    depth = parens = marks = 0  # "[" open; "(" open since a "](" still open; marks
    for match in _PARAGRAPH_MARKS.finditer(body):
        mark = match.group()
        if mark[0] == "\n":  # a blank line ends the paragraph
            depth = parens = marks = 0
            continue
        if mark == "(":  # counted inside a link address still open: it needs its own ")"
            parens += 1 if parens else 0
            continue
        if mark == ")":
            parens = max(parens - 1, 0)
            continue
        marks += 1
        problem = None
        if mark == "[":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                problem = (f'đoạn văn có hơn {MAX_BRACKET_DEPTH} dấu "[" chưa đóng; đóng chúng bằng "]" hoặc bỏ '
                           'bớt (liên kết Markdown viết [chữ](địa chỉ))')
        elif mark in ("]", "]("):
            depth = max(depth - 1, 0)
            if mark == "](":
                parens += 1
                if parens > MAX_OPEN_LINKS:
                    problem = (f'đoạn văn có hơn {MAX_OPEN_LINKS} liên kết "](" chưa có ")" đóng; thêm ")" sau '
                               'mỗi địa chỉ hoặc bỏ "](" thừa (liên kết Markdown viết [chữ](địa chỉ))')
        if problem is None and marks > MAX_INLINE_MARKS:
            problem = (f"đoạn văn có hơn {_n(MAX_INLINE_MARKS)} dấu định dạng (* _ ` [ ] < & \\ -- ...); "
                       "chia thành nhiều đoạn bằng một dòng trống hoặc bỏ bớt định dạng")
        if problem:
            return body.count("\n", 0, match.start()), problem
    return None


def walk(root: str | Path, suffixes: set[str]) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Files under ``root`` with one of ``suffixes``, following symbolic links as Pelican does,
    and the ``(link, target)`` of each link to a folder that contains it (a loop, not followed)."""
    root = Path(root)
    files: list[Path] = []
    loops: list[tuple[Path, Path]] = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = os.path.realpath(folder)
        for name in list(dirs):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if here == target or here.startswith(target.rstrip(os.sep) + os.sep):
                    dirs.remove(name)
                    loops.append((Path(path), Path(target)))
        files += [Path(folder) / n for n in names if Path(n).suffix.lower() in suffixes]
    return sorted(f for f in files if f.is_file()), sorted(loops)


def loop_message(link: Path, target: Path) -> str:
    return (f"liên kết tượng trưng (symlink) {link} trỏ tới {target}, thư mục chứa chính nó: một vòng lặp; "
            "xóa liên kết này (hoặc trỏ nó ra ngoài thư mục bài viết)")
