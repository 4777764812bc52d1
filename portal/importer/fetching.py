"""``portal import --fetch-images``: pictures still on the old portal's server, downloaded with care.

Only ``http``/``https`` (redirects too), a time limit, the photo size limit of the build
(:data:`portal.photos.MAX_BYTES`, read no further), an image content type, and bytes that
Pillow reads as a picture; anything else is not kept and is reported with its reason.
"""

from __future__ import annotations

import io
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from portal import photos

TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
TIMEOUT = 20
MAX_BYTES = photos.MAX_BYTES


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError(f"chuyển hướng tới địa chỉ không phải http(s): {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnly)


def is_remote(src: str) -> bool:
    return urlsplit(src).scheme in ("http", "https")


def fetch(url: str, destination: Path) -> str:
    """Download the picture at ``url`` to ``destination``; "" when done, else why not (Vietnamese)."""
    if not is_remote(url):
        return "chỉ tải được ảnh qua http hoặc https"
    request = urllib.request.Request(url, headers={"User-Agent": "antq-portal-import"})
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as reply:
            kind = reply.headers.get_content_type()
            if kind not in TYPES:
                return f"máy chủ không trả về ảnh ({kind})"
            length = reply.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                return f"ảnh quá giới hạn {MAX_BYTES // 1048576} MB"
            data = reply.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return f"không tải được ({reason})"
    if len(data) > MAX_BYTES:
        return f"ảnh quá giới hạn {MAX_BYTES // 1048576} MB"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - whatever Pillow says, these bytes are not a picture to keep
        return "tệp tải về không phải ảnh đọc được"
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, destination)
    return ""
