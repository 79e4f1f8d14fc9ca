"""Schema and storage rules that must hold on SQLite and PostgreSQL alike."""

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.migrate import alembic_config
from core.models import AuditEvent
from core.services import audit


def test_migrations_match_the_models(database_url):
    """Alembic is the only way the schema changes: the migrated schema equals the models."""
    command.check(alembic_config(database_url))


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"])
def test_audit_trail_is_append_only_in_the_database(db, statement):
    """GEN-05: registered positions and the audit trail cannot be altered afterwards."""
    audit.record(db, actor=None, tenant=None, object_type="test", object_id=1, action="create", after={"a": 1})
    db.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.execute(text(statement))
        db.commit()
    db.rollback()
    assert db.query(AuditEvent).one().action == "create"
