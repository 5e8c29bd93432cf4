"""Text for terminals that cannot show every character ai-lca writes.

People-facing output uses a few characters beyond ASCII (``m³``, ``2.757 ×
10²⁶``, ``kg CO2e per km·kg``, ``µg``). A terminal or pipe whose encoding
cannot hold them (``PYTHONIOENCODING=ascii``, a legacy code page) would fail
on the first one, after the results were written. :func:`fit_streams` makes
standard output and error write ASCII with a plain spelling instead (``m^3``,
``2.757 x 10^26``, ``km*kg``, ``ug``; letters lose their accents), and leaves
streams that can hold them as they are.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

__all__ = ["fit_streams", "writes_plain", "plain", "ERRORS"]

ERRORS = "ai-lca-plain"  # the codec error handler registered here
# what ai-lca writes beyond ASCII (cp1252 holds ² and ³ but not ⁶): all of it, or plain text throughout
PROBE = "×·µ—–−…≤≥→±²³⁰¹⁴⁵⁶⁷⁸⁹⁻"
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
SPELLING = {
    "×": "x",
    "·": "*",
    "µ": "u",
    "—": "-",
    "–": "-",
    "−": "-",
    "…": "...",
    "≤": "<=",
    "≥": ">=",
    "→": "->",
    "±": "+/-",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
}


def plain(text: str) -> str:
    """``text`` in ASCII: powers as ``^26``, the symbols above by their spelling, accents dropped, else ``?``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii():
            out.append(ch)
            i += 1
            continue
        if ch.translate(SUPERSCRIPTS) != ch:
            j = i
            while j < len(text) and text[j].translate(SUPERSCRIPTS) != text[j]:
                j += 1
            out.append("^" + text[i:j].translate(SUPERSCRIPTS))
            i = j
            continue
        spelled = SPELLING.get(ch)
        if spelled is None:
            spelled = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"
        out.append(spelled)
        i += 1
    return "".join(out)


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return plain(exc.object[exc.start : exc.end]), exc.end


codecs.register_error(ERRORS, _handler)


def fit_streams() -> None:
    """Let standard output and error write the plain spelling of what their encoding cannot hold."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            PROBE.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:  # all of it plain: a latin-1 terminal holds ² but not ⁶ (10²⁶ -> 10²^6)
                reconfigure(encoding="ascii", errors=ERRORS)


def writes_plain() -> bool:
    """Whether :func:`fit_streams` set standard output to plain text (a console then spells its text plainly
    before it measures table columns)."""
    return getattr(sys.stdout, "errors", None) == ERRORS
