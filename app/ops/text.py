"""Text a person types that ends up in records and on other people's terminals.

Reasons and logins are refused at input when they hold control or format characters (a newline
forged a `log` line; ANSI escapes reached terminals raw; zero-width spaces passed the length
rule), reasons are measured in visible characters, and `printable` escapes whatever is printed
from stored data (older records, file names) the way the cockpit does.
"""

from __future__ import annotations

import re
import unicodedata

from app.i18n import _
from app.errors import EXIT_FAILED, UserError

# POSIX-portable account names (what `pwd` hands us): lowercase letter or _, then letters, digits, _ . -
LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
LOGIN_RULE = "^[a-z_][a-z0-9_.-]{0,31}$"
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})  # control, format, surrogate, private, unassigned, separators
_INVISIBLE = _UNSEEN | {"Mn", "Me"}  # … and combining marks, which add no character of their own


def hidden_characters(text: str) -> list[str]:
    """The control and format characters in `text`, as U+XXXX names."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _UNSEEN]


def visible_length(text: str) -> int:
    """Characters a reader sees: no control, format or combining characters, no outer blanks."""
    return sum(1 for c in text.strip() if unicodedata.category(c) not in _INVISIBLE)


def check_free_text(what: str, text: str) -> None:
    """Refuse control/format characters (newlines, ANSI escapes, zero-width or bidi marks)."""
    hidden = hidden_characters(text)
    if hidden:
        shown = ", ".join(sorted(set(hidden))[:3])
        raise UserError(_("{what} must not contain control or format characters (found {shown})").format(what=what, shown=shown), EXIT_FAILED)


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise UserError(_("login {printable!r} must match {login_rule} (an OS account name)").format(printable=printable(login), login_rule=LOGIN_RULE), EXIT_FAILED)
    return login


def printable(text: object) -> str:
    """`text` with control and format characters escaped (\\n, \\x1b, \\u200b …): safe on one terminal line."""
    value = str(text)
    if not any(unicodedata.category(c) in _UNSEEN for c in value):
        return value
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _UNSEEN else c for c in value)
