"""Every form, fuzzed: whatever is typed or sent, no page answers with a server
error. The fields of each form are read from the pages themselves (every
<form> with a POST action), so a new form is fuzzed without editing this
test; each gets values a person or a tool might send: text with NUL bytes
and control characters, right-to-left marks, text longer than any column,
digits from other scripts, 'NaN' and 'Infinity', dates in year 1 or 9999,
integers beyond 64 bits. The number of server errors is printed and must be 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import httpx
import pytest
from hypothesis import given, strategies as st
from litestar.testing import TestClient

from core.services import tenants, users
from core.services.permissions import ADMINISTRATOR
from tests import factories
from tests.factories import csrf, login
from tests.fuzzing import FUZZ

NASTY = [
    "", " ", "\x00", "a\x00b", "\u202eexe.pdf", "²", "١٢", "+1", "-1", "0", "1_000", "1e999", "NaN", "nan",
    "Infinity", "-Infinity", "sNaN", "99999999999999999999999", "3" * 400, "0001-01-01", "9999-12-31", "0000-00-00",
    "2026-02-30", "10000-01-01", "%", "_", "\\", "'", '"', "<script>", "Å" * 70_000, "\ud7ff", "\t\r\n", "x" * 301,
]
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S | re.I)
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)


def _forms(client: TestClient, pages: list[str]) -> dict[str, set[str]]:
    """Each POST action found on the pages, with the names of its fields."""
    found: dict[str, set[str]] = defaultdict(set)
    for url in pages:
        html = client.get(url).text
        for action, body in FORM.findall(html):
            found[unescape(action)] |= set(NAME.findall(body)) - {"_csrf_token"}
    return found


@pytest.fixture
def everyone(db, registry, world):
    """One person with every role of Järva's roles table, so that no form is
    refused for want of a permission before its input is read."""
    kommun = tenants.kommun_for(db, registry, world.jarva)
    user = db.merge(world.jarva_staff)
    for role in (*kommun.roles.roles, ADMINISTRATOR):
        if role.key != "handlaggare":
            users.assign_role(db, actor=None, user=user, tenant=db.merge(world.jarva), kommun=kommun, role_key=role.key)
    # A colleague whose staff page is fuzzed (never one's own: taking away
    # one's own roles would hide the other forms).
    factories.user(db, registry, "kollega@jarva.test", (db.merge(world.jarva), "handlaggare"))
    db.commit()
    return world


def test_no_form_input_gives_a_server_error(app, everyone, db, registry):
    world = everyone
    p = world.jarva_partnership.id
    pages = ["/k/jarva/", "/k/jarva/partnerskap/ny", f"/k/jarva/partnerskap/{p}", f"/k/jarva/partnerskap/{p}/andra",
             f"/k/jarva/partnerskap/{p}/moten", "/k/jarva/organisationer/ny", "/login", "/k/jarva/personal/",
             f"/k/jarva/personal/{users.get_by_email(db, 'kollega@jarva.test').id}"]
    with TestClient(app, base_url="http://testserver.local", raise_server_exceptions=False) as client:
        login(client, world.jarva_staff.email)
        forms = _forms(client, pages)
        html = client.get(f"/k/jarva/partnerskap/{p}").text
        for form_url in set(re.findall(r'href="(/k/jarva/partnerskap/\d+/formular/[^"#]+)"', html)):
            forms.update(_forms(client, [form_url]))
        forms.pop("/logout", None)
        # The step forms show only when a step can be completed; fuzz them all.
        for step in registry.kommuner["jarva"].process().steps():
            forms[f"/k/jarva/partnerskap/{p}/steg/{step.key}"] |= {"version", "outcome", "motivation"}
        assert len(forms) >= 7, sorted(forms)
        assert any("/personal/" in url for url in forms), sorted(forms)
        failures: list[str] = []

        @FUZZ
        @given(data=st.data())
        def fuzz(data):
            url = data.draw(st.sampled_from(sorted(forms)))
            fields = sorted(forms[url]) + ["version", "sida", "confirm_existing", "atgard"]
            sent = {name: data.draw(VALUE) for name in data.draw(st.lists(st.sampled_from(fields), max_size=12))}
            try:
                response = client.post(url, data={**sent, "_csrf_token": csrf(client)}, follow_redirects=False)
            except UnicodeEncodeError:
                return  # a lone surrogate cannot even be sent
            if response.status_code >= 500:
                failures.append(f"{url} {sorted(sent)}: {response.status_code}")

        fuzz()
    print(f"\nform fuzz: {len(forms)} forms, {len(failures)} server errors")
    assert failures == []


def test_no_query_string_gives_a_server_error(app, world):
    """The pages that read their query string (search, filter, sort, paging, tabs)."""
    pages = {"/k/jarva/": ["q", "status", "sort", "dir", "sida", "frister"], "/k/jarva/organisationer/": ["q"],
             "/login": ["next", "utloggad"], "/admin/": ["meddelande"]}
    with TestClient(app, base_url="http://testserver.local", raise_server_exceptions=False) as client:
        login(client, world.jarva_staff.email)
        failures: list[str] = []

        @FUZZ
        @given(data=st.data())
        def fuzz(data):
            url = data.draw(st.sampled_from(sorted(pages)))
            params = {name: data.draw(VALUE) for name in data.draw(st.lists(st.sampled_from(pages[url]), max_size=6))}
            htmx = data.draw(st.sampled_from([{}, {"HX-Request": "true", "HX-Target": "results"},
                                              {"HX-Request": "true", "HX-Target": "frister"}]))
            try:
                response = client.get(url, params=params, headers=htmx, follow_redirects=False)
            except (UnicodeEncodeError, httpx.InvalidURL):
                return  # no client can send it
            if response.status_code >= 500:
                failures.append(f"{url} {params}: {response.status_code}")

        fuzz()
    print(f"\nquery fuzz: {len(pages)} pages, {len(failures)} server errors")
    assert failures == []
