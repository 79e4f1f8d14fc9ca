"""A closed matter exports as one archive package (issue 10, point 5): its
documents, a metadata file with each document's diarium fields in the
shape of FGS Ärendehantering, and a SHA-256 checksum for every file, which
the test reads back and verifies."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from core.models import Decision
from core.models.diarium import Matter
from core.services import archive, diarium, documents
from tests import factories

IOP = str(Path(sys.executable).parent / "iop")


def _closed_case(db, registry, world, settings):
    p = world.jarva_partnership
    rep = factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    documents.store_document(db, settings.documents_dir, world.jarva, rep, partnership=p, kind="budget",
                             title="Budget 2027", filename="budget.pdf", content=b"%PDF-1.4 budget")
    documents.store_document(db, settings.documents_dir, world.jarva, world.jarva_staff, partnership=p,
                             kind="ovrigt", title="Hyresavtal", filename="hyra.pdf", content=b"%PDF-1.4 hyra",
                             secrecy="OSL 31 kap. 16 §")
    db.add(Decision(tenant_id=p.tenant_id, partnership_id=p.id, process_code="jarva", process_version=1,
                    step_key="avslut", outcome_key="avsluta", outcome_kind="end", motivation="Perioden är slut.",
                    role_key="stadsdelsdirektor", role_title="Stadsdelsdirektör"))
    db.commit()
    entry = diarium.entries(db, world.jarva, diarium.Filters(q="Hyresavtal"))[0][0].entry
    diarium.correct(db, world.jarva, world.jarva_staff, entry, diarium.CorrectionInput(
        "Hyresavtal för lokalen", "", "OSL 31 kap. 16 §", "Tydligare beskrivning"))
    p.status = "avslutad"
    db.commit()
    return db.scalar(select(Matter).where(Matter.partnership_id == p.id))


def test_a_closed_matter_exports_with_its_documents_metadata_and_checksums(db, registry, world, settings, tmp_path):
    matter = _closed_case(db, registry, world, settings)
    package = archive.export_matter(db, world.jarva, matter.number, settings.documents_dir, tmp_path / "ut")
    assert archive.verify(package.path) == []
    with zipfile.ZipFile(package.path) as z:
        names = set(z.namelist())
        assert names == {"arende.xml", "sha256sums.txt", "Handlingar/0001-budget.pdf", "Handlingar/0002-hyra.pdf"}
        assert z.read("Handlingar/0001-budget.pdf") == b"%PDF-1.4 budget"
        root = ET.fromstring(z.read("arende.xml"))
    arende = root.find("ArkivobjektArende")
    assert arende.findtext("ArkivobjektID") == matter.number
    assert arende.findtext("Arendemening") == "Järvas hemliga läxhjälp"
    assert arende.findtext("StatusArende") == "Avslutad"
    handlingar = arende.find("Handlingar").findall("ArkivobjektHandling")
    budget, hyra, decision, correction = handlingar
    assert (budget.findtext("Riktning"), budget.findtext("AvsandareMottagare")) == ("Inkommen", "Föreningen Järvabron")
    assert budget.find("Bilaga").findtext("ChecksummaMetod") == "SHA-256"
    assert hyra.findtext("Sekretess") == "OSL 31 kap. 16 §"
    assert decision.findtext("Beskrivning").startswith("Beslut av stadsdelsdirektör") and decision.find("Bilaga") is None
    assert correction.findtext("Rattar") == "2" and correction.find("Bilaga") is None

    # A package changed afterwards is found out.
    tampered = tmp_path / "andrad.zip"
    with zipfile.ZipFile(package.path) as z, zipfile.ZipFile(tampered, "w") as out:
        for name in z.namelist():
            out.writestr(name, b"%PDF-1.4 annan" if name.endswith("budget.pdf") else z.read(name))
    assert archive.verify(tampered) == ["Handlingar/0001-budget.pdf"]


def test_only_a_closed_matter_is_archived_and_the_command_says_why(db, registry, world, settings, tmp_path,
                                                                  database_url):
    open_matter = db.scalar(select(Matter).where(Matter.partnership_id == world.tyreso_partnership.id))
    with pytest.raises(archive.ArchiveError, match="inte avslutat"):
        archive.export_matter(db, world.tyreso, open_matter.number, settings.documents_dir, tmp_path)
    with pytest.raises(archive.ArchiveError, match="inget ärende"):
        archive.export_matter(db, world.jarva, open_matter.number, settings.documents_dir, tmp_path)
    matter = _closed_case(db, registry, world, settings)

    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env.update(IOP_DATABASE_URL=database_url, IOP_DATA_DIR=str(settings.data_dir))
    run = subprocess.run([IOP, "archive", "export", "--tenant", "jarva", "--matter", matter.number,
                          "--out", str(tmp_path / "cli")], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Arkivpaketet är skrivet" in run.stdout
    (written,) = (tmp_path / "cli").glob("*.zip")
    assert archive.verify(written) == []
    refused = subprocess.run([IOP, "archive", "export", "--tenant", "tyreso", "--matter", open_matter.number],
                             capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode != 0 and "inte avslutat" in refused.stderr
