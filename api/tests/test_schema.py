import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for path in ("/api/v1/speakers", "/api/v1/synthesize", "/api/v1/renders", "/api/v1/jobs/{public_id}"):
        assert f"{path}:" in schema
    assert "bearer" in schema and "'409':" in schema


def test_schema_and_docs_are_served_without_a_key(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
