"""The labelled comparison grid: tiles in one row, a label band above each column.

Pillow only. Each label says the embedding, its weight, SD version and vector count
("none" for the tile without them); a tile that was skipped or not generated is a grey
box saying so. The infotext goes into the PNG's ``parameters`` text chunk, as the
WebUI writes it, so PNG Info reads the grid. Also the "without | with" split a generated
preview shows on its card.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

LABEL_BAND = 44
GAP = 4
MAX_COLUMNS = 8  # a longer comparison wraps into rows
BACKGROUND = (24, 24, 27)
TEXT = (240, 240, 240)
MUTED = (170, 170, 176)
MISSING = (60, 60, 66)


def _font() -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=14)  # Pillow >= 10.1
    except TypeError:
        return ImageFont.load_default()


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> str:
    ellipsis = "…"
    if not isinstance(font, ImageFont.FreeTypeFont):
        # Pillow < 10.1's bitmap font encodes text as Latin-1 and raises on anything else
        text, ellipsis = text.replace("·", "-").encode("latin-1", "replace").decode("latin-1"), "..."
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + ellipsis, font=font) > width:
        text = text[:-1]
    return text + ellipsis


def compose(
    tiles: Sequence[Image.Image | None],
    labels: Sequence[tuple[str, str]],
    size: tuple[int, int],
) -> Image.Image:
    """One image: ``tiles`` (None = not generated) under their (title, detail) labels."""
    width, height = size
    columns = min(len(tiles), MAX_COLUMNS) or 1
    rows = (len(tiles) + columns - 1) // columns or 1
    cell_h = LABEL_BAND + height
    grid = Image.new(
        "RGB", (columns * width + (columns + 1) * GAP, rows * cell_h + (rows + 1) * GAP), BACKGROUND
    )
    draw = ImageDraw.Draw(grid)
    font = _font()
    for i, tile in enumerate(tiles):
        x = GAP + (i % columns) * (width + GAP)
        y = GAP + (i // columns) * (cell_h + GAP)
        title, detail = labels[i] if i < len(labels) else ("", "")
        draw.text((x + 4, y + 4), _fit(draw, title, font, width - 8), fill=TEXT, font=font)
        draw.text((x + 4, y + 24), _fit(draw, detail, font, width - 8), fill=MUTED, font=font)
        if tile is None:
            draw.rectangle((x, y + LABEL_BAND, x + width - 1, y + cell_h - 1), fill=MISSING)
            draw.text(
                (x + 8, y + LABEL_BAND + 8),
                _fit(draw, "not generated", font, width - 16),
                fill=MUTED,
                font=font,
            )
            continue
        if tile.size != (width, height):
            tile = tile.resize((width, height))
        grid.paste(tile.convert("RGB"), (x, y + LABEL_BAND))
    return grid


def split_pair(
    without: Image.Image, with_: Image.Image, labels: tuple[str, str] = ("without", "with")
) -> Image.Image:
    """A card preview: the left half of ``without`` beside the right half of ``with_``.

    Both come from the same seed and size, so the halves meet where the pictures agree and
    the card, cropped to its middle, shows what the embedding changes at a glance. A line
    marks the seam; a small tag on each side of it, at the bottom, says which side is which
    (beside the seam, as a card's crop keeps the middle and its badges cover the top).
    """
    width, height = without.size
    if with_.size != (width, height):
        with_ = with_.resize((width, height))
    out = without.convert("RGB")
    half = width // 2
    out.paste(with_.convert("RGB").crop((half, 0, width, height)), (half, 0))
    draw = ImageDraw.Draw(out)
    draw.line((half, 0, half, height), fill=TEXT, width=max(1, width // 256))
    font = _font()
    if width < 192 or height < 64:  # too small to carry the tags: the seam says enough
        return out
    y = height - 26
    for side, text in enumerate(labels):
        text = _fit(draw, text, font, half - 16)
        w = int(draw.textlength(text, font=font))
        x = half - w - 14 if side == 0 else half + 6
        draw.rectangle((x, y, x + w + 8, y + 20), fill=BACKGROUND)
        draw.text((x + 4, y + 2), text, fill=TEXT, font=font)
    return out


def png_bytes(image: Image.Image, parameters: str | None = None) -> bytes:
    """PNG bytes with the infotext in the ``parameters`` text chunk."""
    info = PngImagePlugin.PngInfo()
    if parameters:
        info.add_text("parameters", parameters)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
