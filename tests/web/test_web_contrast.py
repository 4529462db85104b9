"""Readable colours: the style sheet's text and background pairs meet WCAG 2 contrast (4.5:1 for
text, 3:1 for the focus ring), computed from the colours in app.css itself."""

from __future__ import annotations

import re

import pytest

from corridors.web import static_dir


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def colours() -> dict[str, str]:
    css = (static_dir() / "app.css").read_text(encoding="utf-8")
    return dict(re.findall(r"--([a-z\-]+):\s*(#[0-9a-fA-F]{6})", css))


@pytest.mark.parametrize(("fore", "back", "minimum"), [
    ("ink", "paper", 7.0), ("muted", "paper", 4.5), ("muted", "band", 4.5),
    ("accent", "paper", 4.5), ("accent", "band", 4.5), ("accent-ink", "accent", 4.5),
    ("bad", "paper", 4.5), ("focus", "paper", 3.0),
])
def test_text_contrast(colours, fore, back, minimum):
    assert contrast(colours[fore], colours[back]) >= minimum


def test_known_ratio():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
