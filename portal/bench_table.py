"""The benchmarks' closing table: one row per figure, one column per size, and the growth from the
second-largest size to the largest divided by their size ratio (35,529 → 100,000: ÷ 2.81).

A growth ≤ 1 means the figure grew no faster than the number of articles. Kinds of figure:
``cost`` (seconds, MB: the growth of the value), ``rate`` (queries per second: the growth of its
inverse, the cost of a query) and ``ratio`` (already relative: no growth given).
"""

from __future__ import annotations


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and abs(value) < 100:
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def growth(rows: list[dict], key: str, kind: str = "cost") -> float | None:
    """(value at the largest size ÷ value at the one before) ÷ (size ratio); None when not given."""
    if len(rows) < 2 or kind == "ratio":
        return None
    before, after = rows[-2], rows[-1]
    a, b = before.get(key), after.get(key)
    if not a or not b or before["articles"] == after["articles"]:
        return None
    change = b / a if kind == "cost" else a / b
    return change / (after["articles"] / before["articles"])


def markdown(rows: list[dict], figures: list[tuple[str, str, str]]) -> str:
    """The table of ``figures`` (key, label, kind) over ``rows`` (one per size, ``articles``
    ascending); figures no row has are left out."""
    rows = sorted(rows, key=lambda row: row["articles"])
    header = ["figure", *(f"{row['articles']:,}" for row in rows)]
    if len(rows) >= 2:
        size_ratio = rows[-1]["articles"] / rows[-2]["articles"]
        header.append(f"growth {rows[-2]['articles']:,}→{rows[-1]['articles']:,} ÷ {size_ratio:.2f}")
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for key, label, kind in figures:
        if not any(key in row for row in rows):
            continue
        cells = [label, *(_number(row.get(key)) for row in rows)]
        if len(rows) >= 2:
            value = growth(rows, key, kind)
            cells.append("—" if value is None else f"**{value:.2f}**" if value > 1 else f"{value:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
