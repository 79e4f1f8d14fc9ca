"""Reading submitted forms."""

from __future__ import annotations

from typing import Any

from litestar.params import MultipartBody, URLEncodedBody

# A URL-encoded form body, parsed by Litestar before a sync handler runs.
FormData = URLEncodedBody[dict[str, Any]]
# A form with a file upload.
UploadData = MultipartBody[dict[str, Any]]


def clean(data: dict[str, Any]) -> dict[str, str]:
    """Every field as one string (the last value of a repeated field)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = value[-1] if value else ""
        out[key] = value if isinstance(value, str) else str(value)
    return out


def safe_next(target: str | None) -> str | None:
    """Only a local path may be a redirect target after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
