"""/api/docs/ needs no internet: Swagger UI comes from the project's own static files."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_the_project(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in asset for asset in assets)
    for asset in assets:
        if asset.endswith((".js", ".css", ".png")):
            assert asset.startswith("/static/"), asset  # nothing from a CDN
            assert finders.find(asset.removeprefix("/static/")), asset
