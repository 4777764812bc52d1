"""``bench search``'s throughput: queries per second with 1, 2, 4 search processes behind nginx.

For each count, that many ``python -m portal serve`` processes run on the size's site (each waits
until its warm-up is done), nginx runs in front of them with ``deploy/nginx.conf`` unchanged
(:mod:`portal.nginx_deploy`), and ``clients`` threads, each with its own ``requests.Session``
(keep-alive, as browsers), send one pass of the load query set through nginx's ``/api/search``
as fast as they are answered. Every query is new to the process that answers it (fresh
processes, no query twice). Reported: queries per second over the whole pass, latency p50/p95
(ms, client side, under that load) and failed requests. The clients run in this process and
share its cores with nginx and the services: on a small machine they are part of the load.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import requests

from portal.nginx_deploy import Nginx
from portal.service_process import ServiceProcess, free_port


def parse_counts(text: str | None) -> list[int]:
    """``--processes``: "1,2,4" → [1, 2, 4]; "0" → [] (no throughput figures)."""
    try:
        counts = [int(part) for part in (text or "").split(",") if part.strip()]
    except ValueError:
        raise ValueError("--processes là các số, ví dụ 1,2,4") from None
    if any(count < 0 for count in counts):
        raise ValueError("--processes không được âm")
    return [count for count in counts if count]


def _load(url: str, queries: list[dict], clients: int) -> tuple[float, list[float], list[str]]:
    """Wall seconds for the whole pass, each answer's latency (ms), the failures."""
    pending = iter(queries)
    lock = threading.Lock()
    timings: list[float] = []
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def client() -> None:
        with requests.Session() as session:
            start.wait()
            while True:
                with lock:
                    params = next(pending, None)
                if params is None:
                    return
                began = time.perf_counter()
                try:
                    response = session.get(url, params=params, timeout=60)
                    ok = response.status_code == 200
                    detail = str(response.status_code)
                except requests.RequestException as error:
                    ok, detail = False, repr(error)
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if ok:
                        timings.append(elapsed)
                    else:
                        failures.append(f"{params}: {detail}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, timings, failures


def measure(site: Path, queries: list[dict], counts: list[int], clients: int, wait_ready, summary) -> dict:
    """Figures per process count: ``qps_N``, ``load_p50_ms_N``, ``load_p95_ms_N``, ``load_failed_N``.
    ``wait_ready(session, url)`` waits for a service's warm-up; ``summary(timings)`` gives p50/p95."""
    row: dict = {}
    for count in counts:
        prefix = Path(tempfile.mkdtemp(prefix="portal-bench-nginx-"))  # readable by nginx's user
        prefix.chmod(0o755)
        services: list[ServiceProcess] = []
        server = None
        try:
            for _ in range(count):
                services.append(ServiceProcess(site, timeout=600))
            with requests.Session() as session:
                for service in services:
                    wait_ready(session, service.url)
            server = Nginx(prefix / "nginx", site, free_port(), [service.port for service in services],
                           access_log=False)
            seconds, timings, failures = _load(server.url + "/api/search", queries, clients)
        except RuntimeError as error:
            raise SystemExit(f"bench: {error}") from None
        finally:
            if server is not None:
                server.stop()
            for service in services:
                service.stop()
            shutil.rmtree(prefix, ignore_errors=True)
        figures = summary(timings) if timings else {"p50_ms": None, "p95_ms": None}
        row[f"qps_{count}"] = round(len(timings) / seconds, 1)
        row[f"load_p50_ms_{count}"] = figures["p50_ms"]
        row[f"load_p95_ms_{count}"] = figures["p95_ms"]
        row[f"load_failed_{count}"] = len(failures)
        if failures:
            print(f"bench: {len(failures)} requests failed with {count} processes, e.g. {failures[0]}", flush=True)
    return row


def table_figures(counts: list[int]) -> list[tuple[str, str, str]]:
    """Rows of the closing table for these process counts."""
    figures = []
    for count in counts:
        processes = f"{count} process{'es' if count > 1 else ''}"
        figures += [(f"qps_{count}", f"queries/s, {processes} behind nginx", "rate"),
                    (f"load_p50_ms_{count}", f"p50 under that load (ms), {processes}", "cost"),
                    (f"load_p95_ms_{count}", f"p95 under that load (ms), {processes}", "cost")]
    return figures
