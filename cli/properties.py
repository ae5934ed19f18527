"""Java .properties files, read as `java.util.Properties.load` reads them (Kafka Connect's own format for a
connector's config: `connect-standalone worker.properties connector.properties`).

No well-kept parser is among the project's dependencies, so this follows the format's specification
(the Javadoc of `Properties.load(Reader)`): `key=value`, `key: value` or `key value`; comment lines whose
first non-blank character is `#` or `!`; a line ending in an odd number of backslashes continues on the
next one (whose leading blanks are dropped); the escapes `\\t \\n \\r \\f \\uXXXX`, and a backslash before
any other character stands for that character (`\\=`, `\\:`, `\\ `, `\\\\`, `\\#`).

Unlike Java, a key given twice is an error rather than its last value silently winning: an import takes
every key of the file, and two values for one key mean the file says two things.
"""

from __future__ import annotations

import re

BLANKS = " \t\f"
SEPARATORS = "=:"
ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class PropertiesError(ValueError):
    """The text is not a valid properties file; the message gives the line."""


def read_properties(data: bytes) -> dict[str, str]:
    """A properties file's bytes: UTF-8 as editors write it, else ISO-8859-1 as `Properties.load(InputStream)`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")
    return parse_properties(text.removeprefix("\ufeff"))


def parse_properties(text: str) -> dict[str, str]:
    """Every key and value of the text, in file order."""
    properties: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, line in _logical_lines(text):
        key, value = _key_and_value(line, number=number)
        if key in properties:
            raise PropertiesError(f"line {number}: '{key}' is given twice (first on line {first_line[key]})")
        properties[key], first_line[key] = value, number
    return properties


def _logical_lines(text: str):
    """(number of its first natural line, the logical line joined from its continuations), blanks and
    comments left out."""
    natural = LINE_BREAK.split(text)
    index = 0
    while index < len(natural):
        number, line = index + 1, natural[index].lstrip(BLANKS)
        index += 1
        if not line or line[0] in "#!":
            continue
        parts = []
        while _continues(line):
            parts.append(line[:-1])
            if index >= len(natural):  # a continuation at the end of the file continues to nothing
                line = ""
                break
            line = natural[index].lstrip(BLANKS)  # a continued line is never a comment
            index += 1
        parts.append(line)
        yield number, "".join(parts)


def _continues(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _key_and_value(line: str, *, number: int) -> tuple[str, str]:
    """Split at the first unescaped `=`, `:` or blank (blanks around a separator belong to neither side)."""
    position, end = 0, len(line)
    while position < end and line[position] not in SEPARATORS and line[position] not in BLANKS:
        position += 2 if line[position] == "\\" else 1
    position = min(position, end)
    key = line[:position]
    while position < end and line[position] in BLANKS:
        position += 1
    if position < end and line[position] in SEPARATORS:
        position += 1
        while position < end and line[position] in BLANKS:
            position += 1
    return _unescape(key, number=number), _unescape(line[position:], number=number)


def _unescape(text: str, *, number: int) -> str:
    if "\\" not in text:
        return text
    out, position = [], 0
    while position < len(text):
        char = text[position]
        if char != "\\":
            out.append(char)
            position += 1
            continue
        escaped = text[position + 1 : position + 2]
        if escaped == "u":
            digits = text[position + 2 : position + 6]
            if len(digits) != 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise PropertiesError(f"line {number}: malformed \\uXXXX escape: '\\u{digits}'")
            out.append(chr(int(digits, 16)))
            position += 6
            continue
        out.append(ESCAPES.get(escaped, escaped))  # a lone backslash at the very end stands for nothing
        position += 2
    return _joined_surrogates("".join(out), number=number)


def _joined_surrogates(text: str, *, number: int) -> str:
    """`\\uD83D\\uDE00` is one character (Java strings are UTF-16): join escaped surrogate pairs."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise PropertiesError(f"line {number}: a \\uXXXX escape is half of a surrogate pair") from error
