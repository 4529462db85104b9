"""Web addresses users and curated files give (``source_url``, a practice's ``link``): only
``http://`` and ``https://`` addresses are accepted.

Anything else (``javascript:alert(1)``, ``data:...``, ``file:///etc/passwd``) would become a live
link on the dashboard or in an exported spreadsheet, so it is refused when the file is read, with
a message saying what was expected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from corridors.errors import quoted

EXPECTED = "an http:// or https:// address (e.g. https://normlex.ilo.org/...)"


def is_web_address(value: str) -> bool:
    """True when ``value`` is an http(s) address with a host and no spaces or control characters."""
    text = value.strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def web_address(value: str | None, what: str = "source_url") -> str | None:
    """The address, checked (None and "" stay None); ValueError saying what was expected."""
    if value is None or not str(value).strip():
        return None
    if not is_web_address(str(value)):
        raise ValueError(f"{what} {quoted(value)} is not {EXPECTED}")
    return str(value).strip()
