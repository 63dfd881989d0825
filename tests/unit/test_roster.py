"""Roster files (engine.roster): both shapes, located errors, the merge a solve sees, and the hash
of forecasts that carry no contact data."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.ingest import ingest
from engine.models import DriverSpec
from engine.roster import COLUMNS, RosterError, merge_drivers, parse_roster
from testdata import FIXTURES

HEADER = ",".join(COLUMNS)
ROSTER_CSV = (FIXTURES / "roster_wien.csv").read_bytes()
ROSTER_JSON = (FIXTURES / "roster_wien.json").read_bytes()


def problems(data: bytes | str) -> list[str]:
    with pytest.raises(RosterError) as exc:
        parse_roster(data.encode() if isinstance(data, str) else data)
    return [str(p) for p in exc.value.problems]


def test_the_csv_and_json_fixtures_are_the_same_roster() -> None:
    csv_specs, json_specs = parse_roster(ROSTER_CSV), parse_roster(ROSTER_JSON)
    assert csv_specs == json_specs
    anna, bernd, cem, dana = csv_specs
    assert (anna.skills, anna.unavailable_days, anna.max_hours_week, anna.preferred_channel) == (("standard", "cooling"), (6, 7), 48, "email")
    assert (bernd.contract_type, bernd.unavailable_days, bernd.phone, bernd.email) == ("part_time", (6, 7), "+43 664 7654321", None)
    assert (cem.skills, cem.max_hours_week, cem.unavailable_days, cem.preferred_channel) == (("standard",), 55, (), None)
    assert dana.skills == ("standard", "cooling") and dana.unavailable_days == (1,)


def test_csv_columns_may_come_in_any_order_and_only_external_id_is_required() -> None:
    specs = parse_roster(b"name,external_id\r\nEva,D-7\r\n\r\n,D-8\r\n")
    assert [(d.external_id, d.name, d.max_hours_week) for d in specs] == [("D-7", "Eva", 55), ("D-8", "", 55)]
    assert parse_roster("\ufeffexternal_id\nD-1\n".encode()) == [DriverSpec(external_id="D-1")]


def test_every_bad_cell_is_named_with_its_line() -> None:
    """All problems of the file at once, each with its line (within a line in the model's field order)."""
    text = (
        f"{HEADER}\n"
        "D-1,Anna,full_time,40,standard,nord,6,,,\n"
        "# a comment line\n"
        "D-2,Bert,fulltime,60,,,9,bad,12,sms\n"
        "D-3,Cem,flex,abc,,,Xy,,,\n"
        "D-4,Dana,flex,40,,,,,,email\n"
    )
    assert problems(text) == [
        "line 4: max_hours_week 60 is above 55",
        "line 4: contract_type 'fulltime' must be one of 'full_time', 'part_time' or 'flex'",
        "line 4: unavailable_days: day 9 is not 1–7",
        "line 4: email 'bad' is not an email address",
        "line 4: phone 12 is not a phone number",
        "line 5: max_hours_week 'abc' is not a number",
        "line 5: unavailable_days 'Xy' is not a day 1–7 (or Mo…So)",
        "line 6: preferred_channel email needs an email",
    ]


def test_a_duplicate_id_names_both_lines() -> None:
    text = f"{HEADER}\nD-1,Anna,,,,,,,,\nD-2,Bert,,,,,,,,\n\nD-1,Again,,,,,,,,\n"
    assert problems(text) == ["line 5: external_id 'D-1' also at line 2"]
    doc = json.dumps([{"external_id": "A"}, {"external_id": "B"}, {"external_id": "A"}])
    assert problems(doc) == ["drivers[2]: external_id 'A' also at drivers[0]"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "file: file is empty"),
    ("name,depot\nEva,nord\n", "line 1: the header needs an external_id column"),
    ("external_id,hours\nD-1,40\n", "line 1: unknown column 'hours'"),
    ("external_id,name,name\nD-1,a,b\n", "line 1: column name appears twice"),
    ("external_id,name\nD-1\n", "line 2: 1 cells, the header has 2"),
    ("external_id\n", "file: no drivers in the file"),
    ("# only a comment\n", "file: no header line"),
    ("[1, 2]", "drivers[0]: is not an object"),
    ('{"drivers": {"external_id": "x"}}', 'file: expected a list of drivers or {"drivers": [...]}'),
    ('[{"external_id": "x", "hours": 3}]', "drivers[0]: unknown field 'hours'"),
    ('[{"external_id": "x", "max_hours_week": 0}]', "drivers[0]: max_hours_week 0 must be above 0"),
    ('[{"external_id": "x", "skills": "standard"}]', "drivers[0]: skills 'standard' must be a list"),
    ('[{"name": "x"}]', "drivers[0]: external_id missing"),
    ('[{"external_id": 7}]', "drivers[0]: external_id 7 must be text"),
    ('[{"external_id": "x",\n "name": }]', "line 2: not valid JSON"),
    ("[" + "9" * 5000 + "]", "file: not valid JSON: a number is too long"),
    ("[" * 100_000, "file: JSON is nested too deeply"),
    (b"external_id\n\xff\n", "file: file is not UTF-8 (byte 0xff at offset 12)"),
])
def test_file_level_and_json_problems(text: str | bytes, expected: str) -> None:
    found = problems(text)
    assert found[0].startswith(expected), found


def test_forecast_drivers_get_the_same_located_messages() -> None:
    doc = json.loads((FIXTURES / "valid_contract.json").read_text())
    doc["drivers"].append({"external_id": "DRV-2", "max_hours_week": 70})
    result = ingest(json.dumps(doc).encode())
    assert result.forecast is None
    assert result.report.error == "drivers list invalid: drivers[1]: max_hours_week 70 is above 55"


def test_a_forecast_without_contact_data_keeps_its_input_hash() -> None:
    """Hashes stored before contact fields existed must still match (pinned from the release before them)."""
    result = ingest((FIXTURES / "valid_contract.json").read_bytes())
    assert result.forecast is not None and result.forecast.drivers[0].email is None
    assert result.forecast.input_hash == "sha256:77a3098d350ba7e67be2d9d6ca8b00091a138e40501f82624eed23830bcb42a9"
    assert "email" not in result.forecast.canonical_json()
    with_email = result.forecast.model_copy(update={"drivers": [result.forecast.drivers[0].model_copy(update={"email": "a@b.at"})]})
    assert with_email.input_hash != result.forecast.input_hash and '"email":"a@b.at"' in with_email.canonical_json()


def test_merge_lets_the_forecast_win_per_id() -> None:
    roster = [DriverSpec(external_id="B", max_hours_week=40), DriverSpec(external_id="A", name="roster A")]
    forecast = [DriverSpec(external_id="A", name="forecast A", unavailable_days=(3,)), DriverSpec(external_id="C")]
    merged = merge_drivers(roster, forecast)
    assert [(d.external_id, d.name) for d in merged] == [("A", "forecast A"), ("B", ""), ("C", "")]
    assert merged[0].unavailable_days == (3,) and merged[1].max_hours_week == 40
    assert merge_drivers(roster, []) == sorted(roster, key=lambda d: d.external_id)
    assert merge_drivers([], forecast) == sorted(forecast, key=lambda d: d.external_id)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
@example(b"external_id\n\x00")
@example(b'[{"external_id": "x", "max_hours_week": 1e999}]')
@example(b'[{"external_id": "x", "unavailable_days": [99999999999999999999999]}]')
@example(b'{"drivers": [{"external_id": "x", "name": {"a": 1}}]}')
def test_arbitrary_bytes_raise_only_roster_error(data: bytes) -> None:
    try:
        specs = parse_roster(data)
    except RosterError as exc:
        assert exc.problems and str(exc)
        return
    assert specs and all(isinstance(d, DriverSpec) for d in specs)
    assert len({d.external_id for d in specs}) == len(specs)


@st.composite
def mutated_roster(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from([ROSTER_CSV, ROSTER_JSON])))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(("flip", "insert", "delete")))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from([b",", b";", b"|", b"\n", b'"', b"99", b"-1", b"[", b"}", b"nan", b"Mo"]))
        elif data:
            del data[pos: pos + draw(st.integers(1, 5))]
    return bytes(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutated_roster())
def test_mutated_rosters_raise_only_roster_error(data: bytes) -> None:
    try:
        specs = parse_roster(data)
    except RosterError as exc:
        assert all(p.where and p.message for p in exc.problems)
        return
    for d in specs:
        assert 0 < d.max_hours_week <= 55 and all(1 <= day <= 7 for day in d.unavailable_days)
