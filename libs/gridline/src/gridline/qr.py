"""QR codes for links residents scan from paper (a door, a notice board): SVG for print, PNG for chat apps."""

from __future__ import annotations

import io

import segno


def svg(text: str, *, scale: int = 4) -> str:
    """A standalone SVG document; error correction M survives a smudged print."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=scale, xmldecl=False)
    return buffer.getvalue().decode()


def png(text: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()
