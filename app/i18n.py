"""One language per process, English or German, over Python's gettext.

The catalogs live in `app/locale/<lang>/LC_MESSAGES/solvereign.{po,mo}`; the compiled `.mo` is
committed, so the runtime needs nothing but the standard library (Babel is a dev tool:
`scripts/i18n.py`). English is the source language: its "catalog" is the msgids themselves.

Strings are translated where they are shown, never at import time: module-level constants are
marked with `N_()` (which only marks them for extraction) and passed through `_()` on display,
so a test can switch the language of a process that has already imported the cockpit.
This module imports nothing of the application (engine and storage could use `N_`).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "solvereign"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "de")
DEFAULT = "en"
ENV = "SOLVEREIGN_LANG"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides

_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
}
_DAYS_LONG = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}

_current = DEFAULT
_translation: gettext.NullTranslations = gettext.NullTranslations()


class UnknownLanguage(ValueError):
    """`--lang xx` or SOLVEREIGN_LANG=xx names no language we speak (a usage error)."""


def _load(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def set_language(lang: str) -> None:
    """Speak `lang` ("en" or "de") from now on, in this process."""
    global _current, _translation
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {lang!r} (choose from {', '.join(LANGUAGES)})")
    _translation = _load(lang)
    _current = lang


def language() -> str:
    return _current


def from_locale(value: str) -> str | None:
    """"de_AT.UTF-8" → "de"; "C", "POSIX", or a language we do not speak → None."""
    code = value.split(".")[0].split("@")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def choose(flag: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """`--lang` > SOLVEREIGN_LANG > the locale (LC_ALL, LC_MESSAGES, LANG) > English. An unknown
    flag or SOLVEREIGN_LANG is refused; a locale we do not speak (fr_FR) falls back to English."""
    for source, given in (("--lang", flag), (ENV, environ.get(ENV))):
        if given:
            if given.lower() not in LANGUAGES:
                raise UnknownLanguage(f"{source} {given!r}: unknown language (choose from {', '.join(LANGUAGES)})")
            return given.lower()

    for var in LOCALE_VARS:
        if environ.get(var):
            return from_locale(environ[var]) or DEFAULT
    return DEFAULT


def _(msgid: str) -> str:
    """The message in the current language (the msgid itself in English or when untranslated)."""
    return _translation.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(msgid: str) -> str:
    """Marks a constant for extraction; translate it with `_()` where it is shown."""
    return msgid


def day(n: int) -> str:
    """The short name of day n (1 = Monday): "Mon" / "Mo"."""
    return _DAYS[_current][n - 1]


def day_long(n: int) -> str:
    return _DAYS_LONG[_current][n - 1]


def days(ns) -> str:
    """"Mon Tue Fri" / "Mo Di Fr", or "-" for none."""
    return " ".join(day(n) for n in ns) or "-"


def day_of_code(code: str) -> str:
    """An engine day code ("Mo" … "So", engine.models.DAY_CODES, in reports and JSON) in the
    current language; anything else as it is."""
    codes = _DAYS["de"]
    return day(codes.index(code) + 1) if code in codes else code


def pgettext(context: str, msgid: str) -> str:
    """A msgid whose translation depends on where it stands (the same English word, two German ones)."""
    return _translation.pgettext(context, msgid)
