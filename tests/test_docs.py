"""The docs a newcomer reads: a short README that starts with the two commands, and
no link in README.md or docs/ that leads nowhere or out of the repository."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), with an optional "title"; and [label]: target.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)


def markdown_files():
    return [README, *DOCS]


def link_targets(path):
    """Every link target in a Markdown file, code blocks and code spans left out."""
    text = INLINE_CODE.sub("", FENCED_CODE.sub("", path.read_text(encoding="utf-8")))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def is_relative(target):
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc or target.startswith("#"))


def test_the_readme_is_short_and_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= 100, f"README.md has {len(lines)} lines; keep it to 100"
    first_block = FENCED_CODE.search(text)
    assert first_block, "README.md should show the two commands in a code block"
    starts_on = text.count("\n", 0, first_block.start()) + 1
    assert starts_on <= 20, f"the two commands start on line {starts_on}; bring them up"
    commands = [line.split("#")[0].strip() for line in first_block.group(0).splitlines()[1:-1]]
    assert [command for command in commands if command] == ["make run", "make test"]


def test_the_docs_folder_has_the_docs_the_readme_promises():
    names = {path.name for path in DOCS}
    assert {
        "architecture.md",
        "adding-an-entry-type.md",
        "contracts.md",
        "editors.md",
        "import-format.md",
        "operations.md",
        "search.md",
    } <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.name)
def test_every_relative_link_points_to_a_file_in_the_repository(path):
    broken = []
    for target in link_targets(path):
        if not is_relative(target):
            continue
        relative = unquote(urlsplit(target).path)
        if not relative:
            continue
        resolved = (path.parent / relative).resolve()
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{target} (outside the repository)")
            continue
        if not resolved.exists():
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT)}: links to missing files: {broken}"


# A path that climbs out of the folder it is written in, anywhere in the text.
CLIMBING_PATH = re.compile(r"(?:\.\./)+[\w./-]*")


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.name)
def test_no_doc_names_a_path_outside_the_repository(path):
    """A clone holds only the repository: no doc may send its reader to a folder beside
    it (the contracts, once kept outside, live in docs/contracts.md)."""
    text = path.read_text(encoding="utf-8")
    outside = [
        found
        for found in CLIMBING_PATH.findall(text)
        if not (path.parent / found).resolve().is_relative_to(ROOT)
    ]
    assert not outside, f"{path.name} names paths outside the repository: {outside}"
    assert "CONTRACTS.md" not in text, "the contracts live in docs/contracts.md"
