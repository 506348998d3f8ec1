"""Names and free text as the workflow accepts them.

Every text field refuses control and format characters: U+202E and the other bidi controls can make
`evil.exe` read as `exe.live`, and zero-width characters make two different names look equal. Names
are NFKC-normalised (full-width and compatibility forms fold to their plain letters) with spaces
collapsed. A name whose letters mix scripts, where a letter of one script looks like a letter of
another script used in the same name (a Cyrillic `а` among Latin letters), is a look-alike: not
refused (real names mix scripts) but reported, so the request records it as a red flag.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from confusable_homoglyphs import categories, confusables

from verification.errors import CallShieldError, WorkflowRefused

MAX_NAME = 200
# Cc control, Cf format (bidi controls, zero-width), Co private use, Cs lone surrogates, Cn unassigned,
# Zl/Zp line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})


def refuse_controls(text: str, field: str, allow_newlines: bool = False,
                    error: type[CallShieldError] = WorkflowRefused) -> str:
    """`text` unchanged, or a one-line refusal naming the field and the first bad character."""
    for ch in text:
        if allow_newlines and ch in "\n\t":
            continue
        if unicodedata.category(ch) in REFUSED_CATEGORIES:
            raise error(f"{field} contains the control or format character U+{ord(ch):04X}; "
                        f"type it again without invisible characters")
    return text


def normalise_name(text: str, field: str, error: type[CallShieldError] = WorkflowRefused) -> str:
    """NFKC, single spaces, no control characters, 1 to MAX_NAME characters."""
    refuse_controls(text, field, error=error)
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    refuse_controls(name, field, error=error)  # NFKC can map into nothing refused, but check what is stored
    if not name:
        raise error(f"{field} is empty")
    if len(name) > MAX_NAME:
        raise error(f"{field} is too long ({len(name)} characters, at most {MAX_NAME})")
    return name


def _script(ch: str) -> str:
    return str(categories.alias(ch))


def lookalike_letters(name: str) -> list[str]:
    """Letters of `name` that look like a letter of another script the name also uses; [] when none."""
    counts = Counter(_script(ch) for ch in name if ch.isalpha() and _script(ch) not in NEUTRAL_SCRIPTS)
    if len(counts) < 2:
        return []
    scripts = set(counts)
    main_script = counts.most_common(1)[0][0]
    found = []
    for item in confusables.is_confusable(name, greedy=True) or []:
        own = item["alias"]
        if own in NEUTRAL_SCRIPTS or own == main_script:
            continue  # name the intruders, not the letters of the name's main script
        for glyph in item["homoglyphs"]:
            other = {_script(c) for c in glyph["c"]} - NEUTRAL_SCRIPTS
            if len(other) == 1 and own not in other and other <= scripts:
                found.append(f"{own.lower()} {item['character']!r} looks like {other.pop().lower()} {glyph['c']!r}")
                break
    return found


def lookalike_flag(name: str, field: str) -> str | None:
    """A one-line red flag for a look-alike name, or None."""
    letters = lookalike_letters(name)
    if not letters:
        return None
    return f"{field} {name!r} mixes scripts with look-alike letters ({'; '.join(letters[:3])})"
