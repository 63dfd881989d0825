"""The message catalogs: extract, update, compile, check (Babel; a developer tool, not the runtime).

    python scripts/i18n.py check     # untranslated / fuzzy msgids with file:line, stale .mo; exit 1 if any
    python scripts/i18n.py update    # merge a fresh extraction into every .po (new msgids get an empty msgstr)
    python scripts/i18n.py compile   # .po → .mo (commit both)
    python scripts/i18n.py extract [--out FILE]   # the template (.pot), to stdout or FILE
    python scripts/i18n.py unmarked [FILE…]       # literals that look user-facing but are not marked (candidates)

The source is every `_()`, `ngettext()` and `N_()` call with literal strings under app/. The .po
files carry no line numbers (only file names), so a moved line does not touch them and branches
merge without catalog conflicts; `check` names file:line from the fresh extraction.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

SOURCES = ROOT / "app"
FIXED_DATE = datetime(2026, 12, 1, tzinfo=timezone.utc)  # headers stay the same from run to run
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def extract() -> Catalog:
    """Every message of the sources, with where it is used (path relative to the project, line)."""
    catalog = Catalog(project="solvereign", domain=DOMAIN, creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                      fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCES, method_map=[("**.py", "python")], comment_tags=("i18n:",), strip_comment_tags=True,
    ):
        catalog.add(message, None, [(f"app/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="solvereign", creation_date=FIXED_DATE,
                       revision_date=FIXED_DATE, fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _singular(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _done(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def problems(lang: str) -> list[str]:
    """One line per msgid of a fresh extraction that `lang` does not translate (missing, empty or
    fuzzy), with the first place it is used; and a line if the .mo is not the compiled .po."""
    catalog = read(lang)
    lines = []
    for message in extract():
        if not message.id:
            continue
        have = catalog.get(message.id, message.context)
        if have is None or not _done(have):
            where = ":".join(map(str, message.locations[0])) if message.locations else "?"
            state = "missing" if have is None else ("fuzzy" if have.fuzzy else "empty")
            lines.append(f"{where}: {state} [{lang}] {_singular(message.id)!r}")
    mo = mo_path(lang)
    if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
        lines.append(f"{mo.relative_to(ROOT)}: stale, run: python scripts/i18n.py compile")
    return lines


# calls whose text arguments people read (the CLI's lines, refusals, the cockpit's widgets, notices, columns)
SHOWN_BY = {"print", "UserError", "NotAUser", "Check", "Column", "Static", "Label", "notify", "update", "Binding", "Input",
            "ConfirmDialog", "WorkFailed", "append", "_say", "_hint", "_progress"}
MARKERS = {"_", "N_", "ngettext", "pgettext"}


def unmarked(paths: list[Path]) -> list[str]:
    """String literals with words in them, passed to a call that shows them, and not inside a marker:
    candidates for `_()` (codes such as "PASS" or a state show up too; judge each)."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name not in SHOWN_BY:
                continue
            first = node.args[2:3] if name in ("Binding", "Check") else node.args[1:2] if name == "NotAUser" else node.args[:1]
            args = [*first, *(k.value for k in node.keywords if k.arg in ("placeholder", "message"))]
            for arg in args:
                for lit in ast.walk(arg):
                    if not (isinstance(lit, ast.Constant) and isinstance(lit.value, str) and re.search(r"[A-Za-z]{2,} ", lit.value + " ")):
                        continue
                    up = parent.get(lit)
                    while isinstance(up, (ast.JoinedStr, ast.FormattedValue)):
                        up = parent.get(up)
                    if isinstance(up, ast.Call) and getattr(up.func, "id", None) in MARKERS:
                        continue
                    if isinstance(up, ast.Subscript) or (isinstance(up, ast.Call) and getattr(up.func, "attr", "") in ("get", "join")):
                        continue  # a key or a separator, not words

                    if isinstance(up, ast.keyword) and up.arg not in ("placeholder", "message"):
                        continue
                    found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{lit.lineno}: {lit.value[:80]!r}")
    return found


def update() -> None:
    template = extract()
    for lang in TRANSLATED:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        po_path(lang).parent.mkdir(parents=True, exist_ok=True)
        po_path(lang).write_bytes(po_bytes(catalog))
        todo = sum(1 for m in catalog if m.id and not _done(m))
        print(f"{po_path(lang).relative_to(ROOT)}: {len(catalog)} msgids, {todo} to translate")


def compile_all() -> None:
    for lang in TRANSLATED:
        mo_path(lang).write_bytes(mo_bytes(read(lang)))
        print(f"{mo_path(lang).relative_to(ROOT)} written")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/i18n.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="write the template (.pot)")
    ex.add_argument("--out", type=Path, help="file to write (default: stdout)")
    sub.add_parser("update", help="merge a fresh extraction into the .po files")
    sub.add_parser("compile", help="compile the .po files to .mo")
    sub.add_parser("check", help="list untranslated msgids (file:line) and stale .mo files; exit 1 if any")
    um = sub.add_parser("unmarked", help="literals that look user-facing but are not marked for translation (candidates)")
    um.add_argument("files", nargs="*", type=Path, help="default: every .py under app/")
    args = parser.parse_args(argv)
    if args.cmd == "extract":
        data = po_bytes(extract())
        if args.out:
            args.out.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
    elif args.cmd == "update":
        update()
    elif args.cmd == "compile":
        compile_all()
    elif args.cmd == "unmarked":
        print("\n".join(unmarked([p.resolve() for p in args.files] or sorted(SOURCES.rglob("*.py")))))

    else:
        found = [line for lang in TRANSLATED for line in problems(lang)]
        print("\n".join(found) or f"ok: every msgid is translated ({', '.join(TRANSLATED)}) and compiled")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
