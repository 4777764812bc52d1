"""``bench build --profile DIR``: where a full build's time goes (cProfile), portal and vanilla.

One more full build of each, from nothing and not timed with the others (cProfile slows it),
runs as ``python -m cProfile -o DIR/build-N-NAME.prof pelican …``. The portal's search index
is written in a forked process that the parent's profile does not see: the environment
variable ``PORTAL_PROFILE_INDEX`` makes that process profile itself into
``DIR/build-N-portal-index.prof`` (``plugins/search_index``). Beside each ``.prof`` a ``.txt``
holds the 25 functions with the most cumulative time and the 25 with the most time of their own;
read the ``.prof`` further with ``python -m pstats`` or snakeviz.
"""

from __future__ import annotations

import io
import os
import pstats
import shutil
import sys
import sysconfig
from pathlib import Path

INDEX_PROFILE_ENV = "PORTAL_PROFILE_INDEX"
TOP = 25


def summarize(profile: Path, title: str, root: Path) -> Path:
    """Write ``profile``'s top functions (cumulative, own time) as text beside it."""
    stream = io.StringIO()
    stats = pstats.Stats(str(profile), stream=stream)
    stream.write(f"{title}\nTotal: {stats.total_tt:.2f} s in {stats.total_calls:,} calls\n\n")
    for order, name in (("cumulative", "cumulative time"), ("tottime", "own time")):
        stream.write(f"== Top {TOP} by {name} ==\n")
        stats.sort_stats(order).print_stats(TOP)
    text = stream.getvalue()
    paths = sysconfig.get_paths()
    for prefix in sorted({paths["purelib"], paths["stdlib"], str(root)}, key=len, reverse=True):
        text = text.replace(prefix + os.sep, "")
    summary = profile.with_suffix(".txt")
    summary.write_text(text, encoding="utf-8")
    return summary


def profile_builds(folder: Path, size: int, commands: dict[str, list[str]], work: Path, root: Path,
                   run) -> dict:
    """Profile one full build per ``commands`` entry (name → pelican command; its ``-o`` and
    ``--cache-path`` folders are emptied first); ``run(command, cwd, env=…)`` times it.
    Returns the profiled wall times (s) and prints where the files are."""
    folder.mkdir(parents=True, exist_ok=True)
    times = {}
    for name, command in commands.items():
        for option in ("-o", "--cache-path"):
            target = Path(command[command.index(option) + 1])
            for path in (target, Path(f"{target}.spare")):
                shutil.rmtree(path, ignore_errors=True)
        profile = folder / f"build-{size}-{name}.prof"
        index_profile = folder / f"build-{size}-{name}-index.prof"
        index_profile.unlink(missing_ok=True)
        env = {**os.environ, INDEX_PROFILE_ENV: str(index_profile)}
        wrapped = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
        times[f"{name}_profiled_s"] = round(run(wrapped, root, env=env), 2)
        written = [summarize(profile, f"{name}: full build of {size} articles (pelican, main process)", root)]
        if index_profile.exists():
            written.append(summarize(index_profile, f"{name}: search index process, {size} articles", root))
        print(f"profile ({name}, {size} articles, {times[f'{name}_profiled_s']}s under cProfile): "
              + ", ".join(str(path) for path in written), flush=True)
    return times
