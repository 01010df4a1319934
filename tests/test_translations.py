"""The vi and en catalogues are complete, and templates hold no untranslated text.

Refresh the catalogues after adding or changing interface strings, from the
repository root:

    .venv/bin/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=sandbox --ignore=tests
    # translate every new or "#, fuzzy" entry in locale/vi/LC_MESSAGES/django.po
    # and locale/en/LC_MESSAGES/django.po, then remove the fuzzy flags
    make messages    # compiles the .mo files (gitignored)
"""

import ast
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("vi", "en")
EXTRACTED_FROM = ("lookup", "customer360", "templates")
MAKEMESSAGES = [
    "manage.py", "makemessages", "-l", "vi", "-l", "en",
    "--ignore=.venv", "--ignore=sandbox", "--ignore=tests",
]
# Attributes a person reads or hears; the others carry data for code.
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
# Words a template may show untranslated. Keep this short: product names only.
ALLOWED_WORDS: set[str] = set()


def catalogue_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """Parse a .po file into {(msgctxt, msgid): {"msgstr": [...], "fuzzy": bool}}, skipping the header."""
    entries: dict[tuple[str, str], dict[str, object]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in lines:
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _, quoted = line.partition(" ")
                fields[current] = ast.literal_eval(quoted)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        msgstrs = [text for name, text in fields.items() if name.startswith("msgstr")]
        entries[(fields.get("msgctxt", ""), fields["msgid"])] = {"msgstr": msgstrs, "fuzzy": fuzzy}
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[tuple[str, str], dict[str, object]]:
    """Run makemessages on a copy of the sources and return the msgids it finds."""
    copy = tmp_path_factory.mktemp("extract")
    shutil.copy(ROOT / "manage.py", copy)
    for folder in EXTRACTED_FROM:
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "locale").mkdir()

    subprocess.run([sys.executable, *MAKEMESSAGES], cwd=copy, check=True, capture_output=True)

    # Both languages extract the same msgids, so one file is enough.
    return read_po(catalogue_path(copy, "vi"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_msgid(extracted, language):
    committed = read_po(catalogue_path(ROOT, language))

    missing = sorted(msgid for _, msgid in extracted.keys() - committed.keys())
    assert len(extracted) > 50, "makemessages found almost nothing; is gettext installed?"

    assert missing == [], f"locale/{language} lacks these strings; refresh it (see the module docstring)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_entries_translated(language):
    committed = read_po(catalogue_path(ROOT, language))

    empty = sorted(msgid for (_, msgid), entry in committed.items() if not all(entry["msgstr"]))
    fuzzy = sorted(msgid for (_, msgid), entry in committed.items() if entry["fuzzy"])

    assert committed, f"locale/{language} has no entries"
    assert empty == [], f"locale/{language} has untranslated entries"
    assert fuzzy == [], f"locale/{language} has fuzzy entries, which gettext ignores"


def test_vietnamese_catalogue_is_vietnamese():
    committed = read_po(catalogue_path(ROOT, "vi"))

    same_as_english = sorted(
        msgid for (_, msgid), entry in committed.items()
        if entry["msgstr"] == [msgid] and any(character.isalpha() for character in msgid)
    )

    # Loan words agents use as they are.
    assert set(same_as_english) <= {"Email", "Salon", "Ticket %(ticket)s", "ticket"}


class VisibleText(HTMLParser):
    """Collect text a person sees: text nodes and visible attributes, outside script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden_depth += 1
        self.found.extend(value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.found.append(data)


def untranslated_text(source: str) -> list[str]:
    """Return the pieces of template text with letters that no translation tag covers.

    Template tags and variables become a private-use character, so the HTML
    still parses and what a tag prints never counts as template text. Text
    inside blocktranslate and comment blocks is skipped: makemessages extracts
    the first, and the second is never shown.
    """
    markup: list[str] = []
    skipping_until = None
    for token in Lexer(source).tokenize():
        if skipping_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skipping_until:
                skipping_until = None
            continue
        if token.token_type == TokenType.TEXT:
            markup.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            command = token.contents.split()[0]
            if command in {"blocktranslate", "blocktrans", "comment"}:
                skipping_until = "end" + command
        markup.append("\ue000")

    parser = VisibleText()
    parser.feed("".join(markup))
    parser.close()
    leftovers = []
    for text in parser.found:
        words = [word for word in text.replace("\ue000", " ").split() if word not in ALLOWED_WORDS]
        if any(unicodedata.category(character).startswith("L") for character in "".join(words)):
            leftovers.append(" ".join(words))
    return leftovers


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_template_text_is_translated(template):
    leftovers = untranslated_text(template.read_text(encoding="utf-8"))

    assert leftovers == [], "wrap this text in {% translate %} or {% blocktranslate %}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<button title="Close">{% translate "Close" %}</button>', ["Close"]),
        ("<p>{% translate 'Hi' %}: {{ name }} · 12</p>", []),
        ("<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}</p>", []),
        ("{% comment %}Only for developers{% endcomment %}<p>{{ x }}</p>", []),
        ('<a href="/x" data-kind="profile" hx-get="/y">{{ x }}</a>', []),
        ("<script>const a = 1;</script><style>p { color: red }</style>", []),
        ("<p>Xin chào</p>", ["Xin chào"]),
    ],
)
def test_untranslated_text_detection(source, expected):
    assert untranslated_text(source) == expected
