"""The grammar of config values, written once for the validator and for the JSON Schema the API serves.

Connect configs are strings, so every field also takes its string encoding ("5432", "true"). Each rule
is a regular expression in the common subset of Python's `re` and ECMA-262 (no inline flags, no `\\Z`),
anchored with `anchored` (a lookahead for the true end, since Python's `$` also matches before a final
newline): the validator runs it with `re.search`, and the schema carries it as a `pattern`, which JSON
Schema also searches for. One expression, so both accept exactly the same strings.
"""

from __future__ import annotations

import re

SPACE = r"[ \t\r\n]*"  # Connect trims numbers and booleans before it parses them
INTEGER = f"{SPACE}-?[0-9]+{SPACE}"
NUMBER = f"{SPACE}-?[0-9]+(?:\\.[0-9]+)?{SPACE}"
NOT_BLANK = r"\S"  # searched: a value with at least one non-space character
LIST_ITEM = r"[^,]*\S[^,]*"


def anchored(pattern: str) -> str:
    """`pattern` matching the whole value (the lookahead means "nothing follows", in Python and ECMA-262)."""
    return f"^(?:{pattern})(?![\\s\\S])"


def matches(pattern: str, value: str) -> bool:
    return re.search(pattern, value) is not None


def case_insensitive(text: str) -> str:
    """`text` as a regular expression that matches it in any case ("[Mm][Oo][Dd][Ee]")."""
    parts = []
    for char in text:
        if char.lower() != char.upper():
            parts.append(f"[{char.upper()}{char.lower()}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def one_of_pattern(values: tuple[str, ...], *, ignore_case: bool) -> str:
    return anchored("|".join(case_insensitive(value) if ignore_case else re.escape(value) for value in values))


def boolean_pattern() -> str:
    return anchored(f"{SPACE}(?:{case_insensitive('true')}|{case_insensitive('false')}){SPACE}")


def placeholder_free_pattern(allowed: tuple[str, ...]) -> str:
    """No "${" except inside the `allowed` template tokens."""
    tokens = "".join(f"{re.escape(token)}|" for token in allowed)
    return anchored(f"(?:{tokens}\\$(?!\\{{)|[^$])*")


def list_string_pattern() -> str:
    """A comma-separated list whose every item has a non-space character."""
    return anchored(f"{LIST_ITEM}(?:,{LIST_ITEM})*")


def _same_length(low: str, high: str) -> list[str]:
    """Regular expressions matching the decimal numbers from `low` to `high`, both of the same length."""
    if low == high:
        return [low]
    if len(low) == 1:
        return [f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _same_length(low[1:], high[1:])]
    width = len(low) - 1
    parts: list[str] = []
    first = int(low[0])
    if low[1:] != "0" * width:
        parts += [low[0] + rest for rest in _same_length(low[1:], "9" * width)]
        first += 1
    last = int(high[0]) if high[1:] == "9" * width else int(high[0]) - 1
    if first <= last:
        parts.append(f"[{first}-{last}][0-9]{{{width}}}")
    if high[1:] != "9" * width:
        parts += [high[0] + rest for rest in _same_length("0" * width, high[1:])]
    return parts


def _canonical_range(low: int, high: int | None) -> str:
    """The numbers from `low` (≥ 0) to `high` (None: no end) written without leading zeros."""
    parts: list[str] = []
    digits = len(str(low))
    top = len(str(high)) if high is not None else digits
    for length in range(digits, top + 1):
        start = max(low, 10 ** (length - 1) if length > 1 else 0)
        end = min(high if high is not None else 10**length - 1, 10**length - 1)
        if start <= end:
            parts += _same_length(str(start), str(end))
    if high is None:
        parts.append(f"[1-9][0-9]{{{digits},}}")  # any number with more digits than `low`
    return "|".join(parts)


def integer_pattern(minimum: int | None, maximum: int | None) -> str:
    """A string that `int()` reads as a whole number within the bounds (leading zeros and "-0" included)."""
    if minimum is None and maximum is None:
        return anchored(INTEGER)
    if minimum is None or minimum < 0:
        raise ValueError("bounded integers start at 0 or above")
    if maximum is not None and maximum < minimum:
        raise ValueError("maximum is below minimum")
    zero = "-0+|" if minimum == 0 else ""
    return anchored(f"{SPACE}(?:{zero}0*(?:{_canonical_range(minimum, maximum)})){SPACE}")
