"""Small upload files built in memory for the document tests: real minimal
Office files, look-alikes and zip bombs."""

from __future__ import annotations

import functools
import io
import zipfile

# The limits of issue 7, stated here rather than imported so that the tests say them.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

CONTENT_TYPES = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def make_zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        if stored_first is not None:
            zf.writestr(stored_first, members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                zf.writestr(name, data)
    return buffer.getvalue()


def docx(main_part: str = "word/document.xml") -> bytes:
    return make_zip({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
                     main_part: b"<w:document/>"})


def xlsx() -> bytes:
    return make_zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def odt(mimetype: bytes = ODT_MIMETYPE) -> bytes:
    return make_zip({"mimetype": mimetype, "content.xml": b"<office:document-content/>",
                     "META-INF/manifest.xml": b"<manifest:manifest/>"}, stored_first="mimetype")


def plain_zip() -> bytes:
    return make_zip({"bilder/foto.jpg": b"\xff\xd8\xff", "readme.txt": b"hej"})


@functools.cache
def zip_bomb(ext: str = ".docx") -> bytes:
    """A real package of its type whose one extra member unpacks to just over
    the cap: zeros, deflated to about a tenth of a megabyte."""
    base = {".docx": docx, ".xlsx": xlsx, ".odt": odt}[ext]()
    buffer = io.BytesIO(base)
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("nollor.bin", "w", force_zip64=True) as member:
            for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
                member.write(chunk)
    return buffer.getvalue()


@functools.cache
def too_many_members() -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
    members.update({f"word/media/{i}.txt": b"" for i in range(MAX_ZIP_MEMBERS)})
    return make_zip(members)
