""".properties files as `cpctl import` reads them: exactly as java.util.Properties reads them (checked
against the JVM the local stack runs on), except that a key given twice is an error."""

import shutil
import subprocess

import pytest

from cli.properties import PropertiesError, parse_properties, read_properties

# Java's Properties.load(Reader), each key and value printed as the hex of its UTF-8 bytes.
JAVA_DUMP = """
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class Dump {
    public static void main(String[] args) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = new InputStreamReader(Files.newInputStream(Path.of(args[0])), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        HexFormat hex = HexFormat.of();
        for (String key : properties.stringPropertyNames()) {
            System.out.println(hex.formatHex(key.getBytes(StandardCharsets.UTF_8)) + " "
                + hex.formatHex(properties.getProperty(key).getBytes(StandardCharsets.UTF_8)));
        }
    }
}
"""

# The forms of the format's specification (Properties.load's Javadoc) and a connector config's own.
TRICKY = r"""# a comment
! another comment
   # an indented comment, and a blank line:

connector.class=FileStreamSource
Truth = Beauty
 Truth2:Beauty
Truth3                    :Beauty
fruits                           apple, banana, pear, \
                                  cantaloupe, watermelon, \
                                  kiwi, mango
cheeses
key\ with\ spaces = trailing blanks are kept   
tab\tkey=a\tb\nc
escaped\=equals=x\:y
colon\:key:value
even.backslashes=ends with two \\\\
not.continued=so this line stands alone
unicode=caf\u00e9 \u20AC na\u00efve
emoji=\uD83D\uDE00
literal.utf8=Grüße
continued.hash=value \
  # is no comment on a continued line
empty.value=
only.key.and.blanks     
hash=#no comment after the key
url=jdbc:postgresql://db:5432/x?a=b&c=d
windows.path=C:\\data\\in.txt
bang!key=v
\  leading.escaped.blank=v
multi.equals==x=y
colon.then.equals:=v
other.escapes=\q\z\b
\#hash.key=v
blank.separator value with = inside
ends.at.the.end.of.the.file=last\
"""


def java_properties(path) -> dict[str, str]:
    java = shutil.which("java")
    assert java, "the local stack's JVM is on PATH (scripts/setup.sh installs it)"
    source = path.parent / "Dump.java"
    source.write_text(JAVA_DUMP)
    run = subprocess.run([java, str(source), str(path)], capture_output=True, text=True, timeout=120, check=True)
    pairs = (line.partition(" ") for line in run.stdout.splitlines())
    return {bytes.fromhex(key).decode(): bytes.fromhex(value).decode() for key, _, value in pairs}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_every_form_of_the_format_reads_as_java_reads_it(tmp_path, newline):
    path = tmp_path / "tricky.properties"
    path.write_bytes(newline.join(TRICKY.split("\n")).encode())

    ours = read_properties(path.read_bytes())
    assert ours == java_properties(path)
    assert list(ours)[:3] == ["connector.class", "Truth", "Truth2"], "file order is kept"
    assert ours["fruits"] == "apple, banana, pear, cantaloupe, watermelon, kiwi, mango"
    assert ours["key with spaces"] == "trailing blanks are kept   "
    assert ours["emoji"] == "😀" and ours["unicode"] == "café € naïve"
    assert ours["continued.hash"] == "value # is no comment on a continued line"
    assert ours["ends.at.the.end.of.the.file"] == "last"
    assert ours["cheeses"] == "" and ours["only.key.and.blanks"] == ""


def test_a_connect_standalone_connector_file():
    text = "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=connect-test\n"
    assert parse_properties(text) == {
        "name": "local-file-source",
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": "test.txt",
        "topic": "connect-test",
    }


def test_a_key_given_twice_is_an_error_naming_both_lines():
    with pytest.raises(PropertiesError, match=r"line 3: 'topic' is given twice \(first on line 1\)"):
        parse_properties("topic=a\nfile=x\ntopic = b\n")


def test_a_malformed_escape_is_an_error_as_in_java():
    with pytest.raises(PropertiesError, match=r"line 2: malformed \\uXXXX escape"):
        parse_properties("ok=1\nbad=\\u00g1\n")
    with pytest.raises(PropertiesError, match="half of a surrogate pair"):
        parse_properties("bad=\\uD83D alone\n")


def test_a_file_that_is_not_utf8_is_read_as_latin1_like_javas_input_stream_load():
    assert read_properties("city=Zürich\n".encode("iso-8859-1")) == {"city": "Zürich"}
    assert read_properties("\ufeffcity=Zürich\n".encode()) == {"city": "Zürich"}, "a byte order mark is no key"
