"""Safe row expressions over a user's own microdata (``--where``, ``--total``, mapping ``when:``).

An expression is one SQL *value* expression, never a statement: column names (a name that is not
a plain identifier, such as ``api.stu``, is written in double quotes or backticks: ``"api.stu"``;
an expression that is exactly a column's name is that column), numbers, quoted strings,
comparison and arithmetic operators, ``AND/OR/NOT/IN/IS/NULL/BETWEEN/LIKE/CASE``, and a
short list of scalar functions. Semicolons, comments, sub-queries and any other keyword are refused
with a message that says what is allowed. Column names are checked against the data, so a typo
stops with the list of columns instead of a database error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from corridors.errors import CorridorsError

KEYWORDS = {
    "and", "or", "not", "in", "is", "null", "between", "like", "case", "when", "then", "else",
    "end", "true", "false", "as", "double", "bigint", "integer", "string", "varchar",
}
FUNCTIONS = {
    "abs", "coalesce", "lower", "upper", "trim", "substr", "substring", "length", "round",
    "floor", "ceil", "least", "greatest", "cast", "nullif", "concat",
}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
      | (?P<string>'(?:[^'\\]|'')*')
      | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><>|!=|<=|>=|\|\||[-+*/%=<>(),])
    )""",
    re.VERBOSE,
)


class ExpressionError(CorridorsError):
    """An expression that is not a plain row expression, or names an unknown column."""


def tokens(text: str) -> list[tuple[str, str]]:
    """Split an expression into (kind, text) tokens, refusing anything outside the grammar."""
    if ";" in text or "--" in text or "/*" in text:
        raise ExpressionError(
            f"expression {text!r} contains ';' or a comment: give one row condition or value, "
            "e.g. \"age >= 15 AND sex = 'female'\"."
        )
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(
                f"expression {text!r}: cannot read {text[pos:pos + 20]!r}. Allowed: column names, "
                "numbers, 'quoted strings', comparisons, + - * /, AND/OR/NOT/IN/IS NULL/BETWEEN/LIKE/"
                "CASE, and the functions " + ", ".join(sorted(FUNCTIONS)) + ". A column name with "
                "dots or spaces goes in double quotes, e.g. \"api.stu\" > 100."
            )
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def render(text: str, columns: Iterable[str], quote: Callable[[str], str],
           literal: Callable[[str], str] | None = None) -> str:
    """Check ``text`` and return it with column names quoted for the engine's SQL dialect.

    ``columns`` are the names the expression may use (raw and derived). Raises ExpressionError
    naming the unknown column and the known ones.
    """
    known = {c.lower(): c for c in columns}
    if text.strip().lower() in known:  # a column whose name is not an identifier, e.g. api.stu
        return quote(known[text.strip().lower()])
    parts: list[str] = []
    depth = 0
    toks = tokens(text)
    if not toks:
        raise ExpressionError("empty expression")
    for i, (kind, value) in enumerate(toks):
        if kind == "name":
            lower = value.lower()
            nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
            if lower in FUNCTIONS and nxt == "(":
                parts.append(lower.upper())
            elif lower in KEYWORDS:
                parts.append(lower.upper())
            elif lower in known:
                parts.append(quote(known[lower]))
            else:
                listed = list(known.values())
                shown = ", ".join(listed[:60]) + (", ..." if len(listed) > 60 else "")
                raise ExpressionError(
                    f"expression {text!r}: unknown column {value!r}. Columns: {shown}"
                )
        elif kind == "quoted":
            name = _unquote(value)
            if name.lower() not in known:
                listed = list(known.values())
                shown = ", ".join(listed[:60]) + (", ..." if len(listed) > 60 else "")
                raise ExpressionError(f"expression {text!r}: unknown column {name!r}. Columns: {shown}")
            parts.append(quote(known[name.lower()]))
        elif kind == "string":
            body = value[1:-1].replace("''", "'")
            parts.append(literal(body) if literal else value)
        elif kind == "op":
            depth += value == "("
            depth -= value == ")"
            if depth < 0:
                raise ExpressionError(f"expression {text!r}: unbalanced parentheses")
            parts.append("<>" if value == "!=" else value)
        else:
            parts.append(value)
    if depth:
        raise ExpressionError(f"expression {text!r}: unbalanced parentheses")
    return " ".join(parts)


def names(text: str) -> set[str]:
    """Column names an expression mentions (lower case)."""
    toks = tokens(text)
    out = set()
    for i, (kind, value) in enumerate(toks):
        nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
        lower = value.lower()
        if kind == "name" and lower not in KEYWORDS and not (lower in FUNCTIONS and nxt == "("):
            out.add(lower)
        elif kind == "quoted":
            out.add(_unquote(value).lower())
    return out


def bare_name(text: str) -> bool:
    """True for a text that can only be a column name, unquoted (``api.stu``): no blanks, quotes,
    parentheses or operators other than dots. Checked against the columns by ``render``."""
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.$#@]*", text.strip()) is not None


def _unquote(token: str) -> str:
    """The column name inside ``"..."`` or a backtick-quoted name (doubled quotes undone)."""
    mark = token[0]
    return token[1:-1].replace(mark * 2, mark)
