"""Schemathesis fuzzes the served OpenAPI document: whatever it sends, the server never answers 5xx.

Bounded: a few examples per operation, no example database, solves capped by the body schema
(and cancelled when the server stops)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from live_server import live_server, mint_key
from ops_world import DISPATCHER, World

from schemathesis.generation.case import Case

URL_AND_KEY: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(world: World) -> Iterator[schemathesis.BaseSchema]:
    key = mint_key(world.db, DISPATCHER)
    with live_server(world.db, workers=1) as url:
        URL_AND_KEY.update(url=url, key=key)
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_server_fail(case: Case) -> None:
    response = case.call(base_url=URL_AND_KEY["url"], headers={"X-API-Key": URL_AND_KEY["key"]}, timeout=30)
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:500])
    if response.status_code >= 400:  # every refusal carries its trace id
        assert response.json().get("trace_id"), response.text[:300]
