"""The sign-in limit (issue 7, item 9): every attempt is recorded before its
password is checked, failures slow down one address from one client, and
nobody on another client can lock the owner of an account out."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import make_sessionmaker, utcnow
from core.models import LoginAttempt
from core.services import auth
from core.services.auth import SessionPolicy, TooManyAttempts
from tests.factories import PASSWORD, from_address, login

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
POLICY = SessionPolicy(free_failures=3, free_failures_per_client=10, free_failures_per_address=30)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def checked(monkeypatch):
    """Counts the passwords actually checked. A stand-in for argon2 that takes
    a few milliseconds, like the real check, so parallel requests overlap; the
    tests in the browser's terms below use the real one."""
    calls: list[str] = []
    lock = threading.Lock()

    def counting(password_hash, password):
        with lock:
            calls.append(password)
        time.sleep(0.005)
        return password_hash is not None and password == PASSWORD

    monkeypatch.setattr(auth, "verify_password", counting)
    return calls


def _try(db, email, password, client, clock, policy=POLICY):
    try:
        return auth.authenticate(db, email, password, client, policy, now=clock())
    except TooManyAttempts as exc:
        return exc


def test_parallel_wrong_passwords_reach_the_password_check_at_most_the_allowed_number_of_times(engine, world, checked):
    """40 parallel wrong passwords, each on its own connection, against a limit of 3."""
    factory = make_sessionmaker(engine)
    now = utcnow()
    barrier = threading.Barrier(40)

    def attempt(_):
        with factory() as session:
            barrier.wait()
            try:
                return auth.authenticate(session, world.jarva_staff.email, "fel", ATTACKER, POLICY, now=now)
            except TooManyAttempts:
                return "refused"

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(attempt, range(40)))
    assert len(checked) <= POLICY.free_failures, f"{len(checked)} of 40 were checked"
    assert results.count("refused") == 40 - len(checked)
    with factory() as session:
        # Refused attempts leave no trace; the checked ones stay as failures.
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == len(checked)


def test_failures_slow_one_address_from_one_client_down_step_by_step(db, world, checked):
    clock = Clock()
    email = world.jarva_staff.email
    for _ in range(POLICY.free_failures):
        assert _try(db, email, "fel", ATTACKER, clock) is None
    waits = []
    for _ in range(8):
        refused = _try(db, email, "fel", ATTACKER, clock)
        assert isinstance(refused, TooManyAttempts)
        waits.append(refused.retry_after)
        clock.advance(refused.retry_after - 0.5)
        assert isinstance(_try(db, email, "fel", ATTACKER, clock), TooManyAttempts), "not before the wait is over"
        clock.advance(0.5)
        assert _try(db, email, "fel", ATTACKER, clock) is None, "checked once the wait is over"
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert len(checked) == POLICY.free_failures + 8


def test_the_owner_signs_in_from_their_own_client_while_an_attacker_fails_elsewhere(db, world, checked):
    clock = Clock()
    email = world.jarva_staff.email
    for _ in range(POLICY.free_failures + 5):
        _try(db, email, "fel", ATTACKER, clock)
    assert isinstance(_try(db, email, PASSWORD, ATTACKER, clock), TooManyAttempts)
    user = _try(db, email, PASSWORD, OWNER, clock)
    assert user is not None and user.id == world.jarva_staff.id


def test_a_successful_sign_in_clears_the_failures_of_that_address_from_that_client(db, world, checked):
    clock = Clock()
    email = world.jarva_staff.email
    for _ in range(POLICY.free_failures):
        _try(db, email, "fel", OWNER, clock)
    _try(db, email, "fel", ATTACKER, clock)
    clock.advance(1)
    assert _try(db, email, PASSWORD, OWNER, clock) is not None
    db.commit()
    left = db.execute(select(LoginAttempt.client)).scalars().all()
    assert left == [ATTACKER], "only the owner's own failures are cleared"
    for _ in range(POLICY.free_failures):
        assert _try(db, email, "fel", OWNER, clock) is None, "the owner starts afresh"


def test_one_client_trying_many_addresses_is_slowed_down_too(db, world, checked):
    clock = Clock()
    for n in range(POLICY.free_failures_per_client):
        assert _try(db, f"gissning{n}@jarva.test", "fel", ATTACKER, clock) is None
    refused = _try(db, "ny-gissning@jarva.test", "fel", ATTACKER, clock)
    assert isinstance(refused, TooManyAttempts) and refused.retry_after == 1
    assert _try(db, "ny-gissning@jarva.test", "fel", OWNER, clock) is None, "other clients are not affected"


def test_the_ceiling_per_address_only_delays_and_is_much_higher(db, world, checked):
    clock = Clock()
    email = world.jarva_staff.email
    clients = [f"192.0.2.{n}" for n in range(POLICY.free_failures_per_address // POLICY.free_failures)]
    for client in clients:
        for _ in range(POLICY.free_failures):
            assert _try(db, email, "fel", client, clock) is None
    refused = _try(db, email, PASSWORD, OWNER, clock)
    assert isinstance(refused, TooManyAttempts) and refused.retry_after == 1
    clock.advance(1)
    assert _try(db, email, PASSWORD, OWNER, clock) is not None, "a wait, never a lock-out"


def test_old_failures_are_forgotten(db, world, checked):
    clock = Clock()
    email = world.jarva_staff.email
    for _ in range(POLICY.free_failures):
        _try(db, email, "fel", ATTACKER, clock)
    assert isinstance(_try(db, email, "fel", ATTACKER, clock), TooManyAttempts)
    clock.advance(POLICY.failure_window.total_seconds() + 1)
    assert _try(db, email, "fel", ATTACKER, clock) is None


# --------------------------------------------------------------------------- in the browser's terms


@pytest.fixture
def web_clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth, "utcnow", clock)
    return clock


def test_too_many_failures_answer_429_with_the_wait_in_swedish(client, world, web_clock):
    for _ in range(SessionPolicy().free_failures):
        assert login(client, world.jarva_staff.email, "fel").status_code == 400
    response = login(client, world.jarva_staff.email, PASSWORD)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert "Vänta 1 sekund och försök igen." in response.text
    assert f'value="{world.jarva_staff.email}"' in response.text
    web_clock.advance(1)
    assert login(client, world.jarva_staff.email, "fel").status_code == 400
    response = login(client, world.jarva_staff.email, PASSWORD)
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert "Vänta 2 sekunder och försök igen." in response.text
    web_clock.advance(2)
    assert login(client, world.jarva_staff.email, PASSWORD).status_code == 303


def test_failures_from_another_address_do_not_keep_the_owner_out(app, client, world, web_clock):
    from litestar.testing import TestClient

    attacker = from_address(client, ATTACKER)
    for _ in range(SessionPolicy().free_failures + 2):
        login(attacker, world.jarva_staff.email, "fel")
    assert login(attacker, world.jarva_staff.email, PASSWORD).status_code == 429
    with TestClient(app, base_url="http://testserver.local") as other:
        response = login(from_address(other, OWNER), world.jarva_staff.email, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/k/jarva/"
