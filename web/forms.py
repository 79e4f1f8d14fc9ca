"""Reading submitted forms."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile
from litestar.params import MultipartBody, URLEncodedBody

from core.values import parse_int, sanitise

# A URL-encoded form body, parsed by Litestar before a sync handler runs.
FormData = URLEncodedBody[dict[str, Any]]
# A form with a file upload.
UploadData = MultipartBody[dict[str, Any]]


def clean(data: dict[str, Any]) -> dict[str, str]:
    """Every field as one string (the last value of a repeated field), in NFC
    and without control characters, which no one types and PostgreSQL refuses
    (NUL). A password is taken exactly as sent."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = value[-1] if value else ""
        value = value if isinstance(value, str) else str(value)
        out[sanitise(key)] = value if "password" in key else sanitise(value)
    return out


def number(raw: str | None, default: int) -> int:
    """A number from a form or query: ASCII digits within a 32-bit key, else ``default``."""
    value = parse_int(raw)
    return default if value is None else value


def safe_next(target: str | None) -> str | None:
    """Only a local path may be a redirect target after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def uploaded(upload) -> bytes:
    """An uploaded file's bytes, one byte beyond the largest document allowed
    (so an oversize file is recognised without reading all of it); empty
    when no file was sent."""
    from core.services.documents import MAX_BYTES

    return upload.file.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
