"""The read API and its OpenAPI document."""

from tests.factories import login


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert "/api/v1/k/{code}/partnerships" in paths and "/api/v1/k/{code}/organisations/{organisation_id}" in paths
    assert not any(p.startswith(("/k/", "/admin")) for p in paths), "HTML pages stay out of the API document"


def test_api_lists_and_reads_partnerships_of_the_tenant_only(client, world):
    login(client, world.jarva_staff.email)
    page = client.get("/api/v1/k/jarva/partnerships").json()
    assert [p["title"] for p in page["items"]] == ["Järvas hemliga läxhjälp"]
    one = client.get(f"/api/v1/k/jarva/partnerships/{world.jarva_partnership.id}").json()
    assert one["parties"][1]["organisation_name"] == "Föreningen Järvabron"
    assert client.get(f"/api/v1/k/jarva/partnerships/{world.tyreso_partnership.id}").status_code == 404
    orgs = client.get("/api/v1/k/jarva/organisations").json()
    assert [o["organisationsnummer"] for o in orgs] == [world.jarva_org.organisationsnummer]


def test_api_needs_a_signed_in_user(client, world):
    response = client.get("/api/v1/k/jarva/partnerships")
    assert response.status_code == 401 and response.json()["detail"] == "Inloggning krävs"
