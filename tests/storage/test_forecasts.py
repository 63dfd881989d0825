"""Forecast storage: idempotent per tenant + site + input_hash, content kept byte for byte."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ALICE, new_forecast

from storage import InvalidInput, NotFound, Scope, Store


def test_same_content_returns_the_same_forecast(store: Store, scope: Scope) -> None:
    first = store.forecasts.add(scope, new_forecast(), ALICE)
    again = store.forecasts.add(scope, new_forecast(), ALICE.model_copy(update={"name": "bob"}))
    assert first.created and not again.created
    assert again.forecast == first.forecast  # same id, first uploader and time kept
    assert len(store.forecasts.list_forecasts(scope)) == 1


def test_different_content_or_site_is_a_new_forecast(store: Store, scope: Scope) -> None:
    a = store.forecasts.add(scope, new_forecast(), ALICE).forecast
    b = store.forecasts.add(scope, new_forecast(n=13), ALICE).forecast
    c = store.forecasts.add(scope, new_forecast(site="graz"), ALICE).forecast
    d = store.forecasts.add(Scope.of("other", "wien"), new_forecast(tenant="other"), ALICE).forecast
    assert len({a.id, b.id, c.id, d.id}) == 4
    assert len({a.input_hash, b.input_hash, c.input_hash}) == 3


def test_raw_bytes_canonical_form_and_findings_round_trip(store: Store, scope: Scope) -> None:
    nf = new_forecast(status="WARN")
    nf = nf.model_copy(update={"raw_bytes": b"\xef\xbb\xbfMontag;Anzahl\r\n04:45-09:15;3\r\n", "findings": {"SG-004": {"count": 2}}})
    rec = store.forecasts.add(scope, nf, ALICE).forecast
    assert (rec.status, rec.findings, rec.instance_count, rec.source_format) == ("WARN", {"SG-004": {"count": 2}}, 12, "contract_csv")
    assert rec.week_anchor == date(2026, 3, 2) and rec.input_hash == nf.forecast.input_hash
    content = store.forecasts.content(scope, rec.id)
    assert content.raw_bytes == nf.raw_bytes
    assert content.canonical().input_hash == rec.input_hash
    assert store.forecasts.find_by_hash(scope, "wien", rec.input_hash) == rec
    assert store.forecasts.find_by_hash(scope, "graz", rec.input_hash) is None


def test_a_forecast_registers_its_site_in_shadow_mode(store: Store, scope: Scope) -> None:
    store.forecasts.add(scope, new_forecast(site="graz"), ALICE)
    site = store.sites.get(scope, "graz")
    assert not site.enabled and "shadow" in site.reason


def test_out_of_scope_or_bad_anchor_is_refused(store: Store) -> None:
    with pytest.raises(NotFound):
        store.forecasts.add(Scope.of("acme", "graz"), new_forecast(site="wien"), ALICE)
    with pytest.raises(InvalidInput):
        store.forecasts.add(Scope.of("acme", "wien"), new_forecast(week=date(2026, 3, 3)), ALICE)
