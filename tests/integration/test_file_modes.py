"""Files the application creates are its own user's only (issue 7): the SQLite
database and its companions, the data directory and the secret key. Stored
documents are checked in test_documents.py."""

import os
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.config import load_settings
from core.db import make_engine
from core.migrate import upgrade


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    """umask 000: the modes must come from the code, not from the environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_sqlite_database_made_by_the_migrations_is_0600(tmp_path, permissive_umask):
    path = tmp_path / "iop.sqlite3"
    upgrade(f"sqlite:///{path}")
    assert _mode(path) == 0o600


def test_sqlite_wal_and_shm_take_the_database_files_mode(tmp_path, permissive_umask):
    path = tmp_path / "iop.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            companions = [tmp_path / "iop.sqlite3-wal", tmp_path / "iop.sqlite3-shm"]
            assert all(p.exists() for p in companions)
            assert [_mode(p) for p in [path, *companions]] == [0o600] * 3
    finally:
        engine.dispose()


def test_make_engine_creates_no_file_by_itself(tmp_path):
    """Only a connection creates the database file, as before (a missing file
    may later be made to stop start-up)."""
    path = tmp_path / "iop.sqlite3"
    make_engine(f"sqlite:///{path}").dispose()
    assert not path.exists()


def test_a_read_write_uri_still_refuses_a_missing_file(tmp_path):
    path = tmp_path / "iop.sqlite3"
    engine = make_engine(f"sqlite:///file:{path}?mode=rw&uri=true")
    try:
        with pytest.raises(OperationalError, match="unable to open database file"):
            engine.connect()
    finally:
        engine.dispose()
    assert not path.exists()


def test_existing_database_keeps_its_mode(tmp_path, permissive_umask):
    path = tmp_path / "iop.sqlite3"
    upgrade(f"sqlite:///{path}")
    path.chmod(0o640)
    upgrade(f"sqlite:///{path}")
    assert _mode(path) == 0o640


def test_data_directory_and_secret_key_are_private(tmp_path, permissive_umask):
    data_dir = tmp_path / "ny" / "var"
    settings = load_settings({"IOP_DATA_DIR": str(data_dir)})
    assert settings.data_dir == data_dir
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "secret_key") == 0o600
    assert load_settings({"IOP_DATA_DIR": str(data_dir)}).secret_key == settings.secret_key
