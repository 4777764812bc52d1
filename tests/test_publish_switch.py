"""Publishing to a search host (README "Publishing a new build without a failed search"): each build
in its own folder, the service's ``--site`` a symlink switched with ``ln -s`` + ``mv -T`` while
searches run. No request fails, and the next query answers from the new build."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import requests

from portal.service_process import ServiceProcess
from tests.conftest import ROOT, build, write_article

NEW_URL = "/2024/hoi-thi-chua-chay-rung-tay-nguyen/"
SWITCH = 'ln -s "$new" site.new && mv -T site.new site'  # the README's commands


def test_switching_the_site_link_loses_no_search(tmp_path):
    old_content = tmp_path / "content-old"
    shutil.copytree(ROOT / "content", old_content)
    new_content = tmp_path / "content-new"
    shutil.copytree(ROOT / "content", new_content)
    write_article(new_content / "2024", "hoi-thi.md", "Hội thi chữa cháy rừng Tây Nguyên", "2024-03-05",
                  "Đắk Lắk", "Công an tỉnh tổ chức hội thi chữa cháy rừng cho lực lượng dân phòng.")
    builds = tmp_path / "builds"
    for name, content in (("old", old_content), ("new", new_content)):
        result = build(content, builds / name, tmp_path / f"cache-{name}")
        assert result.returncode == 0, result.stderr
    (tmp_path / "site").symlink_to(builds / "old")
    service = ServiceProcess(tmp_path / "site", tmp_path / "serve.log")
    failures: list[str] = []
    seen_new: list[float] = []
    stop = threading.Event()

    def client() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                known = session.get(service.url + "/api/search", params={"q": "an ninh to quoc"}, timeout=10)
                if known.status_code != 200 or known.json()["total"] < 1:
                    failures.append(f"api: {known.status_code} {known.text[:200]}")
                fresh = session.get(service.url + "/api/search", params={"q": "chua chay rung"}, timeout=10)
                if fresh.status_code != 200:
                    failures.append(f"api: {fresh.status_code} {fresh.text[:200]}")
                elif fresh.json()["total"]:
                    seen_new.append(time.monotonic())
                page = session.get(service.url + "/", timeout=10)
                if page.status_code != 200:
                    failures.append(f"home: {page.status_code}")
            except (requests.RequestException, ValueError) as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        assert not seen_new  # the old build has no such article
        assert requests.get(service.url + NEW_URL, timeout=10).status_code == 404
        switching = time.monotonic()
        env = {"new": str(builds / "new"), "PATH": "/usr/bin:/bin"}
        switch = subprocess.run(["sh", "-c", SWITCH], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert switch.returncode == 0, switch.stderr
        assert requests.get(service.url + NEW_URL, timeout=10).status_code == 200  # files: the next request
        fresh = requests.get(service.url + "/api/search", params={"q": "chua chay rung"}, timeout=10).json()
        assert fresh["results"][0]["url"].strip("/") == NEW_URL.strip("/")  # search: the next query
        time.sleep(0.5)
        shutil.rmtree(builds / "old")  # the old build is removed while searches go on
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        service.stop()
    assert not failures, failures[:5]
    assert seen_new and seen_new[0] >= switching
