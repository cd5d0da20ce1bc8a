"""The query language of listening monitors and feedback topics: what they look for.

    bahn OR zug                       either word
    "QR code" app                     a phrase and a word (side by side means AND)
    #bahnstreik OR @NordlichtBahn     a hashtag, a mention (or the author)
    ticket* -storno                   a word beginning with "ticket", without "storno"
    (verspätung OR ausfall) AND NOT lang:en

Words match whole words, whatever their case and accents (ä = a, ß = ss); a word also
matches its #hashtag. Operators are AND, OR, NOT in capitals (or -word); parentheses group;
`lang:de` keeps one language. NOT binds tighter than AND, AND tighter than OR. A query that
cannot be read raises QueryError with the position (0-based) of the problem.

`parse(query)` gives the parse tree (Word, Phrase, Prefix, Tag, Mention, Lang, And, Or, Not);
`compile_query` matches Documents with it here, the search translates it into SQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LANGUAGES = {"de", "en"}
MAX_LENGTH = 2000

_TOKEN = re.compile(
    r'\s+|(?P<lparen>\()|(?P<rparen>\))|(?P<quote>")|(?P<minus>-(?=[^\s)]))'
    r"|(?P<word>[^\s()\"]+)"
)
_TEXT_WORD = re.compile(r"[#@]?[\w][\w'’.+-]*", re.UNICODE)


class QueryError(ValueError):
    """A query that cannot be read; `position` is where (0-based), `message` says why."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} ({position + 1})")
        self.message = message
        self.position = position


def fold(text: str) -> str:
    """Lower case without accents: "Verspätung" → "verspatung", "Straße" → "strasse".

    Decomposed before and after the case folding: "㋌" (one character) decomposes to "Hg",
    which is folded too, so that folding twice gives what folding once gives."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Document:
    """What a query is matched against: the words of a text, its author and language."""

    words: tuple[str, ...]
    word_set: frozenset[str]
    language: str

    @classmethod
    def of(cls, text: str, *, author: str = "", language: str = "") -> Document:
        words = [w.rstrip(".'’-+") for w in _TEXT_WORD.findall(fold(text))]
        words = [w for w in words if w]
        extra = [f"@{fold(author).lstrip('@')}"] if author else []
        return cls(tuple(words), frozenset(words + extra), language)


Matcher = Callable[[Document], bool]


# The parse tree. `position` is where the part starts in the query (0-based), so a reader
# of the tree (the search) can point at the part it cannot use.


@dataclass(frozen=True)
class Word:
    """A whole word (folded); it also matches its #hashtag."""

    value: str
    raw: str
    position: int


@dataclass(frozen=True)
class Phrase:
    """Words side by side in this order (folded)."""

    words: tuple[str, ...]
    raw: str
    position: int


@dataclass(frozen=True)
class Prefix:
    """A word beginning with `value` (folded; may start with # or @)."""

    value: str
    raw: str
    position: int


@dataclass(frozen=True)
class Tag:
    """A #hashtag only (`value` folded, with the #)."""

    value: str
    raw: str
    position: int


@dataclass(frozen=True)
class Mention:
    """An @handle, also @handle@instance and the author (`value` folded, with the @)."""

    value: str
    raw: str
    position: int


@dataclass(frozen=True)
class Lang:
    """`lang:de`: the text's language."""

    value: str
    raw: str
    position: int


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]
    position: int


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]
    position: int


@dataclass(frozen=True)
class Not:
    inner: Node
    position: int


Node = Word | Phrase | Prefix | Tag | Mention | Lang | And | Or | Not


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, lparen, rparen, and, or, not
    value: str
    position: int


def _tokens(query: str) -> list[_Tok]:
    out: list[_Tok] = []
    position = 0
    while position < len(query):
        if query[position] == '"':
            end = query.find('"', position + 1)
            if end < 0:
                raise QueryError(_("the quote is not closed"), position)
            phrase = query[position + 1 : end].strip()
            if not phrase:
                raise QueryError(_("the quotes hold nothing"), position)
            out.append(_Tok("phrase", phrase, position))
            position = end + 1
            continue
        match = _TOKEN.match(query, position)
        if match is None:  # pragma: no cover - the pattern matches every character
            raise QueryError(_("unexpected character"), position)
        kind = match.lastgroup
        if kind == "word":
            word = match.group()
            kind = {"AND": "and", "OR": "or", "NOT": "not"}.get(word, "word")
            out.append(_Tok(kind, word, position))
        elif kind == "minus":
            out.append(_Tok("not", "-", position))
        elif kind in ("lparen", "rparen"):
            out.append(_Tok(kind, match.group(), position))
        position = match.end()
    return out


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.index = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Tok:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def end_position(self) -> int:
        return len(self.query.rstrip())

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError(_("the query is empty: give at least one word"), 0)
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            if token.kind == "rparen":
                raise QueryError(_("this “)” closes no “(”"), token.position)
            raise QueryError(
                _("unexpected “%(token)s”") % {"token": token.value}, token.position
            )  # pragma: no cover
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("or", "and", "rparen"):
                raise QueryError(_("OR needs something on both sides"), token.position)
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return Or(tuple(parts), _position(parts[0]))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while (token := self.peek()) is not None and token.kind not in ("or", "rparen"):
            if token.kind == "and":
                self.take()
                following = self.peek()
                if following is None or following.kind in ("or", "and", "rparen"):
                    raise QueryError(_("AND needs something on both sides"), token.position)
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        return And(tuple(parts), _position(parts[0]))

    def not_expr(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError(_("the query ends too early"), self.end_position())
        if token.kind == "not":
            self.take()
            if self.peek() is None:
                raise QueryError(
                    _("%(operator)s needs something to exclude") % {"operator": token.value},
                    token.position,
                )
            return Not(self.not_expr(), token.position)
        return self.atom()

    def atom(self) -> Node:
        token = self.take() if self.peek() is not None else None
        if token is None:  # pragma: no cover - not_expr checked
            raise QueryError(_("the query ends too early"), self.end_position())
        if token.kind == "lparen":
            following = self.peek()
            if following is None:
                raise QueryError(_("this “(” is not closed"), token.position)
            if following.kind == "rparen":
                raise QueryError(_("the parentheses hold nothing"), token.position)
            inner = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QueryError(_("this “(” is not closed"), token.position)
            self.take()
            return inner
        if token.kind == "rparen":
            raise QueryError(_("this “)” closes no “(”"), token.position)
        if token.kind in ("and", "or"):
            raise QueryError(
                _("%(operator)s needs something before it") % {"operator": token.value},
                token.position,
            )
        if token.kind == "phrase":
            return _phrase(token)
        return _word(token)


def _position(node: Node) -> int:
    return node.position


def _phrase(token: _Tok) -> Phrase:
    words = tuple(w.rstrip(".'’-+") for w in _TEXT_WORD.findall(fold(token.value)))
    if not words:
        raise QueryError(_("the phrase holds no word"), token.position)
    return Phrase(words, token.value, token.position)


def _word(token: _Tok) -> Word | Prefix | Tag | Mention | Lang:
    raw = token.value
    if raw.lower().startswith("lang:"):
        language = raw[5:].lower()
        if language not in LANGUAGES:
            known = ", ".join(sorted(LANGUAGES))
            raise QueryError(
                _("unknown language “%(language)s” (known: %(known)s)")
                % {"language": raw[5:], "known": known},
                token.position,
            )
        return Lang(language, raw, token.position)
    word = fold(raw)
    if word.endswith("*"):
        stem = word.rstrip("*")
        if len(stem.lstrip("#@")) < 2:
            raise QueryError(
                _("a word with * needs at least two letters before it"), token.position
            )
        return Prefix(stem, raw, token.position)
    if "*" in word:
        raise QueryError(_("* may only end a word"), token.position + raw.index("*"))
    if not _TEXT_WORD.fullmatch(word):
        raise QueryError(_("“%(word)s” is not a word") % {"word": raw}, token.position)
    if word.startswith("@"):
        return Mention(word, raw, token.position)
    if word.startswith("#"):
        return Tag(word, raw, token.position)
    return Word(word, raw, token.position)


def parse(query: str) -> Node:
    """The parse tree of a query; QueryError (with the position) when it cannot be read."""
    if len(query) > MAX_LENGTH:
        raise QueryError(
            _("the query is longer than %(max)s characters") % {"max": MAX_LENGTH}, MAX_LENGTH
        )
    return _Parser(query).parse()


def matcher(node: Node) -> Matcher:
    """A function telling whether a Document matches the parse tree `node`."""
    match node:
        case And(parts=parts):
            matchers = [matcher(p) for p in parts]
            return lambda d: all(m(d) for m in matchers)
        case Or(parts=parts):
            matchers = [matcher(p) for p in parts]
            return lambda d: any(m(d) for m in matchers)
        case Not(inner=inner):
            excluded = matcher(inner)
            return lambda d: not excluded(d)
        case Phrase(words=words):
            return _phrase_matcher(words)
        case Lang(value=language):
            return lambda d: d.language == language
        case Prefix(value=stem):
            return lambda d: any(w.startswith(stem) or w.startswith(f"#{stem}") for w in d.word_set)
        case Mention(value=handle):
            # @name also matches @name@instance (Mastodon) in the text
            return lambda d: (
                handle in d.word_set or any(w.startswith(handle + "@") for w in d.word_set)
            )
        case Tag(value=tag):
            return lambda d: tag in d.word_set
        case Word(value=word):
            hashtag = f"#{word}"
            return lambda d: word in d.word_set or hashtag in d.word_set


def _phrase_matcher(words: tuple[str, ...]) -> Matcher:
    size = len(words)

    def match(d: Document) -> bool:
        if not all(w in d.word_set or f"#{w}" in d.word_set for w in words):
            return False
        text = d.words
        plain = tuple(w.lstrip("#") for w in text)
        return any(plain[i : i + size] == words for i in range(len(plain) - size + 1))

    return match


def compile_query(query: str) -> Matcher:
    """Return a function telling whether a Document matches; QueryError when unreadable."""
    return matcher(parse(query))


def marked(query: str, position: int) -> str:
    """The query with ▸ where the problem is: „QR code▸“."""
    return query[:position] + "▸" + query[position:]


def check_query(query: str) -> None:
    """Raise ValidationError naming the position when the query cannot be read."""
    try:
        compile_query(query)
    except QueryError as error:
        marker = marked(query, error.position)
        raise ValidationError(
            {
                "query": _("%(problem)s at position %(position)s: %(marked)s")
                % {"problem": error.message, "position": error.position + 1, "marked": marker}
            }
        ) from None
