"""Web-search syntax, parsed once and rendered for each database.

Readers type what they type into any search box: words, "quoted phrases", OR, and
-exclusions. The parser keeps only runs of letters and digits as words, so no
operator, quote or SQL fragment of the input ever reaches the database as syntax:
PostgreSQL gets a normalised string for websearch_to_tsquery, SQLite an FTS5
expression in which every word is a quoted string.

Precedence follows PostgreSQL's websearch_to_tsquery, so that both databases answer
alike: AND binds tighter than OR ("a OR b c" is a OR (b AND c)). Chinese, Japanese
and Korean runs have no stemmer in either database; they are matched as substrings
of the original-language text instead (see SearchDocumentQuerySet.matching)."""

import re
from dataclasses import dataclass, field

from core.text import clean_text

MAX_QUERY_LENGTH = 200
MAX_WORDS = 16

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN = re.compile(
    rf'(?P<quote>")|(?P<minus>-)|(?P<cjk>[{CJK_RANGES}]+)|(?P<word>[^\W_{CJK_RANGES}]+)'
)


def normalise(text):
    """The query as the database may see it: no control characters or NUL bytes
    (PostgreSQL refuses those) and no highlight markers (clean_text), single spaces,
    at most MAX_QUERY_LENGTH characters. Returns (text, whether it was shortened)."""
    text = " ".join(clean_text(text or "").split())
    if len(text) <= MAX_QUERY_LENGTH:
        return text, False
    shortened = text[:MAX_QUERY_LENGTH]
    if " " in shortened:
        shortened = shortened.rsplit(" ", 1)[0]
    return shortened, True


@dataclass(frozen=True)
class Clause:
    words: tuple
    phrase: bool = False
    negated: bool = False

    def websearch(self):
        text = " ".join(self.words)
        text = f'"{text}"' if self.phrase else text
        return f"-{text}" if self.negated else text

    def fts5(self):
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Query:
    """OR of AND-groups of clauses, plus the CJK runs to find as substrings."""

    groups: tuple = ()
    cjk: tuple = ()
    text: str = ""

    @property
    def has_words(self):
        return bool(self.groups)

    @property
    def is_empty(self):
        return not self.groups and not self.cjk

    @property
    def is_plain(self):
        """Only words: no phrase, OR or exclusion, which would ask for exactly this."""
        return len(self.groups) == 1 and not any(c.phrase or c.negated for c in self.groups[0])

    def words(self):
        return [w for group in self.groups for c in group if not c.negated for w in c.words]

    def websearch(self):
        """For websearch_to_tsquery: the same query, in its own syntax, normalised."""
        return " or ".join(" ".join(c.websearch() for c in group) for group in self.groups)

    def fts5(self):
        """For FTS5 MATCH: explicit parentheses, every word a quoted string."""
        rendered = []
        for group in self.groups:
            expression = "(" + " AND ".join(c.fts5() for c in group if not c.negated) + ")"
            for clause in group:
                if clause.negated:
                    expression = f"({expression} NOT {clause.fts5()})"
            rendered.append(expression)
        return " OR ".join(rendered)

    def replacing(self, corrections):
        """The same query with some words replaced (spelling suggestions)."""
        groups = tuple(
            tuple(
                Clause(tuple(corrections.get(w, w) for w in c.words), c.phrase, c.negated)
                for c in group
            )
            for group in self.groups
        )
        return Query(groups, self.cjk, self.text)


@dataclass
class _Builder:
    groups: list = field(default_factory=list)
    current: list = field(default_factory=list)
    cjk: list = field(default_factory=list)
    word_count: int = 0

    def add(self, words, phrase, negated):
        latin = []
        for word in words:
            if TOKEN.fullmatch(word) and TOKEN.fullmatch(word).lastgroup == "cjk":
                if not negated and word not in self.cjk:
                    self.cjk.append(word)
            else:
                latin.append(word.lower())
        latin = latin[: max(0, MAX_WORDS - self.word_count)]
        if latin:
            self.word_count += len(latin)
            self.current.append(Clause(tuple(latin), phrase and len(latin) > 1, negated))

    def new_group(self):
        if self.current:
            self.groups.append(self.current)
        self.current = []

    def build(self, text):
        self.new_group()
        # A group of exclusions only ("-flood") would match nearly everything; FTS5
        # cannot even express it. Such groups are dropped on both databases.
        groups = tuple(tuple(group) for group in self.groups if any(not c.negated for c in group))
        return Query(groups, tuple(self.cjk), text)


def parse(text):
    builder = _Builder()
    tokens = list(TOKEN.finditer(text))
    negate_next = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.lastgroup
        if kind == "quote":
            closing = text.find('"', token.end())
            end = len(text) if closing < 0 else closing
            inside = TOKEN.finditer(text[token.end() : end])
            words = [t.group() for t in inside if t.lastgroup in ("word", "cjk")]
            builder.add(words, phrase=True, negated=negate_next)
            while index < len(tokens) and tokens[index].start() <= end:
                index += 1
            negate_next = False
            continue
        if kind == "minus":
            # "-flood" excludes; "x-ray" and "- flood" do not: a hyphen inside a word
            # or a minus standing alone only separates words.
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            negate_next = (
                (token.start() == 0 or text[token.start() - 1].isspace())
                and after is not None
                and after.start() == token.end()
                and after.lastgroup != "minus"
            )
        elif kind == "word" and token.group().lower() == "or":
            builder.new_group()
            negate_next = False
        else:
            builder.add([token.group()], phrase=False, negated=negate_next)
            negate_next = False
        index += 1
    return builder.build(text)
