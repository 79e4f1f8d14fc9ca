"""A closed matter as one archive package (issue 10, point 5).

The package is a zip file holding the matter's registered documents, a
metadata file describing the matter and each document with its diarium
fields, and a SHA-256 checksum for every file. Its structure follows
Riksarkivet's FGS for case management (FGS Ärendehantering) as far as it
applies: an ärende with its diarienummer, ärendemening, status and dates,
and handlingar with löpnummer, inkommen/upprättad, datum, avsändare or
mottagare, beskrivning, sekretess and the file they refer to. Names in the
metadata are the FGS's Swedish ones.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Document, Partnership, Tenant
from core.models.diarium import DIRECTIONS, Matter, RegistryEntry
from core.models.partnership import PartnershipStatus
from core.services import documents

METADATA = "arende.xml"
CHECKSUMS = "sha256sums.txt"
CLOSED = {PartnershipStatus.AVSLUTAD.value, PartnershipStatus.AVBRUTEN.value}


class ArchiveError(Exception):
    """Why the matter cannot be exported, in Swedish."""


@dataclass(frozen=True)
class Package:
    path: Path
    files: int


def _safe(name: str) -> str:
    """A file name without path separators or characters archives stumble on."""
    return re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "fil"


def _text(parent: ET.Element, tag: str, value: str | None) -> None:
    ET.SubElement(parent, tag).text = value or ""


def export_matter(session: Session, tenant: Tenant, number: str, documents_dir: Path, out_dir: Path) -> Package:
    """Writes ``<out_dir>/<number>.zip`` for the tenant's closed matter ``number``."""
    matter = session.scalar(select(Matter).where(Matter.tenant_id == tenant.id, Matter.number == number.strip()))
    if matter is None:
        raise ArchiveError(f"det finns inget ärende med diarienumret {number!r} hos {tenant.name}")
    p = session.get(Partnership, matter.partnership_id)
    if p.status not in CLOSED:
        raise ArchiveError(f"ärendet {matter.number} är inte avslutat ({p.status_label.lower()}); "
                           "bara avslutade ärenden arkiveras")
    entries = session.scalars(select(RegistryEntry).where(RegistryEntry.matter_id == matter.id)
                              .order_by(RegistryEntry.entry_no)).all()
    docs = {d.id: d for d in session.scalars(select(Document).where(
        Document.id.in_([e.document_id for e in entries if e.document_id])))}

    root = ET.Element("Leveransobjekt")
    _text(root, "Arkivbildare", tenant.name)
    arende = ET.SubElement(root, "ArkivobjektArende")
    _text(arende, "ArkivobjektID", matter.number)
    _text(arende, "Arendemening", p.title)
    _text(arende, "StatusArende", p.status_label)
    _text(arende, "Upprattad", matter.opened_on.isoformat())
    _text(arende, "Avslutat", p.updated_at.date().isoformat())
    handlingar = ET.SubElement(arende, "Handlingar")
    files: dict[str, bytes] = {}
    for e in entries:
        handling = ET.SubElement(handlingar, "ArkivobjektHandling")
        _text(handling, "ArkivobjektID", f"{matter.number}-{e.entry_no}")
        _text(handling, "Lopnummer", str(e.entry_no))
        _text(handling, "Riktning", DIRECTIONS.get(e.direction, e.direction))
        _text(handling, "Datum", e.dated.isoformat())
        _text(handling, "AvsandareMottagare", e.counterparty)
        _text(handling, "Beskrivning", e.description)
        _text(handling, "Sekretess", e.secrecy)
        if e.corrects_id:
            _text(handling, "Rattar", str(next((o.entry_no for o in entries if o.id == e.corrects_id), "")))
        doc = docs.get(e.document_id)
        if doc is not None and e.corrects_id is None:
            name = f"Handlingar/{e.entry_no:04d}-{_safe(doc.original_filename)}"
            content = documents.document_path(documents_dir, doc).read_bytes()
            if hashlib.sha256(content).hexdigest() != doc.sha256:
                raise ArchiveError(f"filen till handling {matter.number}-{e.entry_no} stämmer inte med sin "
                                   "kontrollsumma; den exporteras inte")
            files[name] = content
            bilaga = ET.SubElement(handling, "Bilaga")
            _text(bilaga, "Lank", name)
            _text(bilaga, "Mimetyp", doc.content_type)
            _text(bilaga, "Storlek", str(len(content)))
            _text(bilaga, "Checksumma", doc.sha256)
            _text(bilaga, "ChecksummaMetod", "SHA-256")
    ET.indent(root)
    files[METADATA] = ET.tostring(root, encoding="utf-8", xml_declaration=True)

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{_safe(matter.number)}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, content in files.items():
            package.writestr(name, content)
        sums = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in files.items())
        package.writestr(CHECKSUMS, sums)
    return Package(path, len(files) + 1)


def verify(path: Path) -> list[str]:
    """The files of a package whose checksum does not match, or that the checksum list misses."""
    with zipfile.ZipFile(path) as package:
        listed = dict(reversed(line.split("  ", 1)) for line in package.read(CHECKSUMS).decode().splitlines())
        names = set(package.namelist()) - {CHECKSUMS}
        wrong = [name for name in sorted(names)
                 if listed.get(name) != hashlib.sha256(package.read(name)).hexdigest()]
    return wrong + sorted(set(listed) - names)
