"""A query (the language of `insights.query`) as SQL full-text syntax for both databases.

    translate('"QR code" ticket* -storno')
    → fts5:    (({title_terms body_terms} : ("qr cod" OR "qr code")) AND ({title_terms
               body_terms parts} : ("ticket"*))) NOT (({title_terms body_terms parts} :
               ("storno")))
    → tsquery: ((('qr':A <-> 'cod':A) | ('qr':B <-> 'cod':B)) | (('qr':A <-> 'code':A) |
               ('qr':B <-> 'code':B))) & ('ticket':*) & !('storno')

Every term is analysed like the indexed text (`analysis.tokens`, then the German and the
English stem) and emitted quoted, so what a person types never reaches MATCH or to_tsquery
as syntax. A word looks in the title, the body and the compound parts; a phrase only in the
title and body, in order; `#tag` and `@handle` only in the parts. `lang:de` filters by the
entry's language (top level only). NOT needs something positive beside it: FTS5 knows only
`A NOT B`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from socialdesk.insights.query import (
    And,
    Lang,
    Mention,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Tag,
    Word,
    parse,
)
from socialdesk.search import analysis

MAX_LENGTH = 500
MAX_TERMS = 32

TITLE, BODY, PARTS = "title_terms", "body_terms", "parts"
_WORD_COLUMNS = f"{{{TITLE} {BODY} {PARTS}}}"
_PHRASE_COLUMNS = f"{{{TITLE} {BODY}}}"
_PARTS_COLUMN = f"{{{PARTS}}}"
# PostgreSQL weights of the generated vector: title A, body B, parts D
# a phrase lies in the title or in the body: PostgreSQL's `||` puts the body's first word
# right after the title's last, so each weight gets its own phrase
_PHRASE_WEIGHTS = ("A", "B")
_PARTS_WEIGHT = "D"


@dataclass(frozen=True)
class Compiled:
    """A query ready for both databases.

    `language`: keep only entries in this language (None: all); `excluded_languages`:
    drop entries in these. `highlight`: the stems to mark in snippets; a prefix ends in "*".
    """

    fts5: str
    tsquery: str
    language: str | None
    excluded_languages: frozenset[str]
    highlight: tuple[str, ...]


@dataclass(frozen=True)
class _Out:
    fts5: str
    tsquery: str


def fts5_term(term: str) -> str:
    """A term as an FTS5 string: always quoted, `"` doubled."""
    return '"' + term.replace('"', '""') + '"'


def ts_term(term: str, weights: str = "") -> str:
    """A term as a tsquery lexeme: always quoted, `'` doubled, `\\` escaped."""
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weights}" if weights else quoted


def _no_positive(position: int) -> QueryError:
    return QueryError(_("a search needs at least one word that must occur"), position)


class _Translator:
    def __init__(self) -> None:
        self.terms = 0
        self.highlight: dict[str, None] = {}

    def count(self, position: int) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(
                _("a search may hold at most %(max)s words") % {"max": MAX_TERMS}, position
            )

    def node(self, node: Node) -> _Out:
        match node:
            case And():
                return self.conjunction(node.parts, node.position)
            case Or():  # a NOT beside OR has nothing positive to stand on: node() says so
                outs = [self.node(part) for part in node.parts]
                return _Out(
                    " OR ".join(f"({o.fts5})" for o in outs),
                    " | ".join(f"({o.tsquery})" for o in outs),
                )
            case Not():
                if isinstance(node.inner, Not):  # NOT NOT x is x
                    return self.node(node.inner.inner)
                raise _no_positive(node.position)
            case Lang():
                raise QueryError(
                    _("lang: may not stand inside parentheses or beside OR"), node.position
                )
            case Word():
                return self.word(node.value, node.position)
            case Phrase():
                return self.phrase(node.raw, node.position)
            case Prefix():
                return self.prefix(node.value, node.position)
            case Tag():
                return self.special(analysis.tag_term(node.value), node.position)
            case Mention():
                return self.special(analysis.mention_term(node.value), node.position)

    def conjunction(self, parts: tuple[Node, ...], position: int) -> _Out:
        positive: list[_Out] = []
        excluded_parts: list[Node] = []
        for part in parts:
            while isinstance(part, Not) and isinstance(part.inner, Not):
                part = part.inner.inner
            if isinstance(part, Not):
                excluded_parts.append(part.inner)
            else:
                positive.append(self.node(part))
        marked = dict(self.highlight)  # what is excluded is never marked
        negative = [self.node(part) for part in excluded_parts]
        self.highlight = marked
        if not positive:
            raise _no_positive(position)
        fts5 = " AND ".join(f"({o.fts5})" for o in positive)
        tsquery = " & ".join(f"({o.tsquery})" for o in positive)
        if negative:
            excluded = " OR ".join(f"({o.fts5})" for o in negative)
            fts5 = f"({fts5}) NOT ({excluded})"
            tsquery += "".join(f" & !({o.tsquery})" for o in negative)
        return _Out(fts5, tsquery)

    def tokens(self, text: str, position: int) -> list[str]:
        tokens = analysis.tokens(text)
        if not tokens:
            raise QueryError(_("“%(word)s” holds no letters or digits") % {"word": text}, position)
        return tokens

    def word(self, value: str, position: int) -> _Out:
        tokens = self.tokens(value, position)
        if len(tokens) > 1:  # "e-bike", "u.s.a": its words side by side
            return self.phrase(value, position)
        self.count(position)
        stems = analysis.query_stems(tokens[0])
        self.highlight.update(dict.fromkeys(stems))
        fts5 = " OR ".join(fts5_term(s) for s in stems)
        tsquery = " | ".join(ts_term(s) for s in stems)
        return _Out(f"{_WORD_COLUMNS} : ({fts5})", tsquery)

    def phrase(self, text: str, position: int) -> _Out:
        tokens = self.tokens(text, position)
        for _token in tokens:
            self.count(position)
        variants = dict.fromkeys(
            tuple(analysis.stem(t, language) for t in tokens) for language in analysis.LANGUAGES
        )
        for variant in variants:
            self.highlight.update(dict.fromkeys(variant))
        fts5 = " OR ".join(fts5_term(" ".join(v)) for v in variants)
        tsquery = " | ".join(_ts_phrase(v) for v in variants)
        return _Out(f"{_PHRASE_COLUMNS} : ({fts5})", tsquery)

    def prefix(self, value: str, position: int) -> _Out:
        if value.startswith(("#", "@")):
            term = (analysis.tag_term if value[0] == "#" else analysis.mention_term)(value)
            if len(term) <= len(analysis.TAG_PREFIX):
                raise QueryError(
                    _("“%(word)s” holds no letters or digits") % {"word": value}, position
                )
            self.count(position)
            return _Out(
                f"{_PARTS_COLUMN} : ({fts5_term(term)}*)", ts_term(term, "*" + _PARTS_WEIGHT)
            )
        tokens = self.tokens(value, position)
        self.count(position)
        *before, last = tokens
        # the word as typed, and its stems: "verspätung*" must find the stem "verspat"
        starts = tuple(dict.fromkeys((last, *analysis.query_stems(last))))
        self.highlight.update(dict.fromkeys(f"{s}*" for s in starts))
        starts = _widest(starts)
        if not before:
            fts5 = " OR ".join(f"{fts5_term(s)}*" for s in starts)
            tsquery = " | ".join(ts_term(s, "*") for s in starts)
            return _Out(f"{_WORD_COLUMNS} : ({fts5})", tsquery)
        # "e-tick*": the words before (stemmed), then the prefix, side by side
        heads = dict.fromkeys(
            tuple(analysis.stem(t, language) for t in before) for language in analysis.LANGUAGES
        )
        phrases = [(head, s) for head in heads for s in starts]
        fts5 = " OR ".join(f"{fts5_term(' '.join([*head, s]))}*" for head, s in phrases)
        tsquery = " | ".join(_ts_phrase((*head, s), prefix=True) for head, s in phrases)
        return _Out(f"{_PHRASE_COLUMNS} : ({fts5})", tsquery)

    def special(self, term: str, position: int) -> _Out:
        if not term:
            raise QueryError(_("this name holds no letters or digits"), position)
        self.count(position)
        self.highlight[term[len(analysis.TAG_PREFIX) :]] = None  # the name as a word
        return _Out(f"{_PARTS_COLUMN} : ({fts5_term(term)})", ts_term(term, _PARTS_WEIGHT))


def _widest(starts: tuple[str, ...]) -> tuple[str, ...]:
    """The prefixes without those another one already covers ("vers*" within "ver*": the
    same matches, and FTS5 reads a prefix of its prefix index's length from that index, but
    merges the word lists of every term under a longer one: 140 ms instead of 0.3 ms at a
    million entries)."""
    return tuple(s for s in starts if not any(s != t and s.startswith(t) for t in starts))


def _ts_phrase(stems: tuple[str, ...], *, prefix: bool = False) -> str:
    """Words side by side within the title or within the body; the last one a prefix."""
    alternatives = []
    for weight in _PHRASE_WEIGHTS:
        terms = [ts_term(s, weight) for s in stems]
        if prefix:
            terms[-1] = ts_term(stems[-1], "*" + weight)
        alternatives.append(" <-> ".join(terms))
    return "(" + " | ".join(f"({a})" for a in alternatives) + ")"


def _top_level(node: Node) -> tuple[list[Node], str | None, frozenset[str]]:
    """The top-level conjunction without its `lang:` parts, and what those parts ask for."""
    parts = list(node.parts) if isinstance(node, And) else [node]
    rest: list[Node] = []
    language: str | None = None
    excluded: set[str] = set()
    for part in parts:
        if isinstance(part, Lang):
            if language not in (None, part.value):
                raise QueryError(_("a search can keep only one language"), part.position)
            language = part.value
        elif isinstance(part, Not) and isinstance(part.inner, Lang):
            excluded.add(part.inner.value)
        else:
            rest.append(part)
    return rest, language, frozenset(excluded)


def _readable(query: str) -> tuple[Node, list[Node], str | None, frozenset[str]]:
    """The query's tree and its top-level parts (`_top_level`); QueryError when unreadable."""
    if len(query) > MAX_LENGTH:
        raise QueryError(
            _("the query is longer than %(max)s characters") % {"max": MAX_LENGTH}, MAX_LENGTH
        )
    if (nul := query.find("\x00")) >= 0:
        raise QueryError(_("the query holds a control character"), nul)
    tree = parse(query)
    rest, language, excluded = _top_level(tree)
    if not rest:
        raise _no_positive(tree.position)
    return tree, rest, language, excluded


@dataclass(frozen=True)
class Parts:
    """A query's top-level parts, each compiled alone: what must occur, what must not."""

    wanted: tuple[Compiled, ...]
    unwanted: tuple[Compiled, ...]


def translate_parts(query: str) -> Parts:
    """The query for a search over groups of entries (a conversation and its messages): each
    wanted part held by some entry of the group, no unwanted one by any. QueryError (with the
    position) when unreadable, as `translate`."""
    tree, rest, language, excluded = _readable(query)
    translator = _Translator()
    wanted: list[Compiled] = []
    unwanted: list[Compiled] = []
    for part in rest:
        while isinstance(part, Not) and isinstance(part.inner, Not):
            part = part.inner.inner
        out = translator.node(part.inner if isinstance(part, Not) else part)
        compiled = Compiled(out.fts5, out.tsquery, language, excluded, ())
        (unwanted if isinstance(part, Not) else wanted).append(compiled)
    if not wanted:
        raise _no_positive(tree.position)
    return Parts(tuple(wanted), tuple(unwanted))


def translate(query: str) -> Compiled:
    """The query for FTS5 and PostgreSQL; QueryError (with the position) when unreadable."""
    tree, rest, language, excluded = _readable(query)
    translator = _Translator()
    out = translator.conjunction(tuple(rest), tree.position)
    return Compiled(out.fts5, out.tsquery, language, excluded, tuple(translator.highlight))
