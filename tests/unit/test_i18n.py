"""The German catalog: complete against a fresh extraction, compiled, consistent; the language choice.

The completeness test extracts the sources anew (Babel, as `scripts/i18n.py check` does), so a
string added without a German entry fails here, named with its file:line.
"""

from __future__ import annotations

import ast
import importlib.util
import string
from pathlib import Path

import pytest

from app import i18n
from app.i18n import UnknownLanguage, choose

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


def test_every_extracted_msgid_has_a_german_entry():
    problems = [p for p in TOOL.problems("de") if "stale" not in p]
    assert not problems, "untranslated (python scripts/i18n.py update, translate, compile):\n" + "\n".join(problems)


def test_the_committed_mo_is_the_compiled_po():
    assert not [p for p in TOOL.problems("de") if "stale" in p], "run: python scripts/i18n.py compile"


def _fields(text: str) -> list[str]:
    braces = sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)
    percents = sorted(part.split(")")[0] for part in text.split("%(")[1:])
    return braces + percents


def test_translations_keep_every_placeholder():
    """A German text with a missing or misspelt {field} would raise KeyError where it is shown."""
    catalog = TOOL.read("de")
    wrong = [(m.id, m.string) for m in catalog if m.id and _fields(m.id) != _fields(m.string)]
    assert not wrong, wrong


def _literal_msgids() -> dict[str, str]:
    """Every literal msgid of a `_()`, `N_()`, `ngettext()` or `pgettext()` call under app/, found by
    walking the syntax tree (so also one nested in an f-string), with where it is."""
    found = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "ngettext", "pgettext"):
                arg = node.args[1 if node.func.id == "pgettext" else 0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_extraction_sees_every_marked_string():
    """Babel does not look inside f-strings (`f"{_('gate')}"`): such a msgid would be missing from
    the catalog without the completeness test noticing."""
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in TOOL.extract() if m.id}
    unseen = [f"{where}: {msgid!r}" for msgid, where in _literal_msgids().items() if msgid not in extracted]
    assert not unseen, "move these out of the f-string:\n" + "\n".join(unseen)


def test_no_translation_at_import_time():

    """`_()` only inside functions: a constant is marked N_ and translated where shown, so a process
    that imported the cockpit can still switch language (the German snapshots do)."""
    found = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _outside_functions(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


def _outside_functions(node: ast.AST):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield child
        yield from _outside_functions(child)


def test_gate_titles_are_the_engines_texts():
    """The report translates engine.contract.GATES' checks by their English text: the app's list
    of msgids must stay equal to the engine's texts."""
    from app.reports import GATE_TITLES
    from engine.contract import GATES

    assert list(GATE_TITLES) == [text for _, text in GATES.values()]


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {}, "en"),
    (None, {"LANG": "de_AT.UTF-8"}, "de"),
    (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # a locale we do not speak: English
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {"LC_ALL": "en_US.UTF-8", "LANG": "de_AT.UTF-8"}, "en"),  # LC_ALL decides first
    (None, {"LC_MESSAGES": "de_DE.UTF-8", "LANG": "en_GB.UTF-8"}, "de"),
    (None, {"SOLVEREIGN_LANG": "de", "LC_ALL": "en_US.UTF-8"}, "de"),
    ("en", {"SOLVEREIGN_LANG": "de", "LANG": "de_AT.UTF-8"}, "en"),  # the flag beats everything
    ("DE", {}, "de"),
])
def test_language_choice(flag, env, expected):
    assert choose(flag, env) == expected


@pytest.mark.parametrize(("flag", "env"), [("xx", {}), (None, {"SOLVEREIGN_LANG": "fr"})])
def test_an_unknown_language_is_refused(flag, env):
    with pytest.raises(UnknownLanguage):
        choose(flag, env)


def test_day_names_follow_the_language():
    i18n.set_language("de")
    assert [i18n.day(n) for n in range(1, 8)] == ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
    assert i18n.day_long(1) == "Montag" and i18n.day_of_code("Fr") == "Fr"
    assert i18n._("Publish") == "Freigeben"
    i18n.set_language("en")
    assert [i18n.day(n) for n in range(1, 8)] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert i18n.day_of_code("Fr") == "Fri" and i18n._("Publish") == "Publish"


def test_the_stores_errors_are_worded_in_the_language():
    """A lost race and a busy file reach a dispatcher often: `said` words them from their facts,
    in English exactly as the store does."""
    from app.errors import said
    from storage.errors import StaleVersion, StoreBusy

    errors = [StaleVersion(7, 3, 4), StoreBusy("/srv/s.duckdb", 10.2, 4711, "solvereign"), StoreBusy("/srv/s.duckdb", 10.0, None, None)]
    assert [said(e) for e in errors] == [e.message for e in errors]
    i18n.set_language("de")
    assert said(errors[0]).startswith("Plan 7 wurde inzwischen von jemand anderem geändert (Version 4, Sie hatten 3)")
    assert said(errors[1]) == ("Datenbank /srv/s.duckdb ist belegt: von PID 4711 (solvereign) seit mehr als 10 s gehalten; "
                               "gleich noch einmal versuchen")


def test_unmarked_names_user_facing_literals_only(tmp_path):
    src = tmp_path / "module.py"
    src.write_text('print(f"plan {n} locked")\nprint(_("plan {n} locked").format(n=1))\nx = d["some key"]\n'
                   'raise UserError("no such plan here", 1)\n', encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in TOOL.unmarked([src])] == ["'plan '", "' locked'", "'no such plan here'"]
