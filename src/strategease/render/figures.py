"""The report's figures, drawn once as a small scene of boxes, lines and labels, then written as SVG
(inline in the HTML and so in the PDF) or PNG (a picture in the Word document, via Pillow).

Two figures: the determinant × strategy matrix (:func:`matrix_scene`) and the logic model
(:func:`logic_model_scene`: determinants → types of HOW → strategies → implementation outcomes).
Text is laid out with an average glyph width (:data:`EM`), so both outputs share one layout; labels
that would overflow are wrapped or shortened with an ellipsis, never cut silently.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from strategease.render.document import LogicModel, Matrix

EM = 0.58
"""Average glyph width of the sans-serif fonts used, as a share of the font size (for layout)."""
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK, MUTED, RULE, ACCENT = "#1a1a1a", "#5a5a5a", "#c8ccd2", "#1f4e8c"
BARRIER, FACILITATOR = "#8a2b0f", "#1d6b32"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = "none"
    stroke: str | None = RULE
    width: float = 1.0
    dash: bool = False
    title: str | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = 12
    fill: str = INK
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    rotate: float = 0.0  # degrees, about (x, y)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = MUTED
    width: float = 1.0
    dash: bool = False
    arrow: bool = False


@dataclass
class Scene:
    width: int
    height: int
    title: str
    items: list[Rect | Text | Line] = field(default_factory=list)


def text_width(text: str, size: float) -> float:
    return len(text) * size * EM


def shorten(text: str, size: float, room: float) -> str:
    """TEXT, ending in an ellipsis if it is wider than ROOM at SIZE."""
    most = max(1, int(room / (size * EM)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def wrap(text: str, size: float, room: float, lines: int = 3) -> list[str]:
    """TEXT in lines no wider than ROOM (at most LINES; the last one shortened with an ellipsis)."""
    per_line = max(4, int(room / (size * EM)))
    out = textwrap.wrap(text, per_line, break_long_words=True) or [""]
    if len(out) > lines:
        out = [*out[: lines - 1], shorten(" ".join(out[lines - 1:]), size, room)]
    return out


# --------------------------------------------------------------------------- SVG


def to_svg(scene: Scene, element_id: str) -> str:
    """The scene as an inline ``<svg>`` element (every text escaped)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{element_id}-title" '
             f'width="{scene.width}" height="{scene.height}" viewBox="0 0 {scene.width} {scene.height}" '
             f'font-family={quoteattr(FONT)} font-size="12">',
             f'<title id="{element_id}-title">{escape(scene.title)}</title>',
             '<defs><marker id="' + element_id + '-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="' + MUTED + '"/></marker></defs>']
    for item in scene.items:
        if isinstance(item, Rect):
            attrs = (f'x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}" '
                     f'fill="{item.fill}"')
            attrs += f' stroke="{item.stroke}" stroke-width="{_n(item.width)}"' if item.stroke else ""
            attrs += ' stroke-dasharray="4 3"' if item.dash else ""
            tip = f"<title>{escape(_clean(item.title))}</title>" if item.title else ""
            parts.append(f"<rect {attrs}>{tip}</rect>" if tip else f"<rect {attrs}/>")
        elif isinstance(item, Line):
            attrs = (f'x1="{_n(item.x1)}" y1="{_n(item.y1)}" x2="{_n(item.x2)}" y2="{_n(item.y2)}" '
                     f'stroke="{item.stroke}" stroke-width="{_n(item.width)}"')
            attrs += ' stroke-dasharray="5 4"' if item.dash else ""
            attrs += f' marker-end="url(#{element_id}-arrow)"' if item.arrow else ""
            parts.append(f"<line {attrs}/>")
        else:
            attrs = f'x="{_n(item.x)}" y="{_n(item.y)}" font-size="{_n(item.size)}" fill="{item.fill}"'
            attrs += f' text-anchor="{item.anchor}"' if item.anchor != "start" else ""
            attrs += ' font-weight="bold"' if item.bold else ""
            attrs += f' transform="rotate({_n(item.rotate)} {_n(item.x)} {_n(item.y)})"' if item.rotate else ""
            parts.append(f"<text {attrs}>{escape(_clean(item.text))}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _clean(text: str) -> str:
    """Text a figure can hold: no characters XML forbids (controls, lone surrogates), no line breaks."""
    from strategease.render.report import strip_xml_invalid

    return " ".join(strip_xml_invalid(text).split())


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- PNG


@lru_cache(maxsize=16)
def _font(size: int, bold: bool):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    for name in (("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), ("Arial Bold.ttf" if bold else "Arial.ttf")):
        try:
            return ImageFont.truetype(name, size, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            continue
    return ImageFont.load_default(size)


def to_png(scene: Scene, scale: float = 2.0) -> bytes:
    """The scene as a PNG at SCALE pixels per unit (Pillow; fonts: DejaVu Sans where installed)."""
    from PIL import Image, ImageDraw

    def s(v: float) -> int:
        return round(v * scale)

    image = Image.new("RGB", (s(scene.width), s(scene.height)), "white")
    draw = ImageDraw.Draw(image)
    for item in scene.items:
        if isinstance(item, Rect):
            box = (s(item.x), s(item.y), s(item.x + item.w), s(item.y + item.h))
            draw.rectangle(box, fill=None if item.fill == "none" else item.fill)
            if item.stroke:
                width = max(1, s(item.width))
                if item.dash:
                    x1, y1, x2, y2 = box
                    corners = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
                    for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
                        _dashed(draw, a, b, item.stroke, width, s(4), s(3))
                else:
                    draw.rectangle(box, outline=item.stroke, width=width)
        elif isinstance(item, Line):
            a, b = (s(item.x1), s(item.y1)), (s(item.x2), s(item.y2))
            width = max(1, s(item.width))
            if item.dash:
                _dashed(draw, a, b, item.stroke, width, s(5), s(4))
            else:
                draw.line([a, b], fill=item.stroke, width=width)
            if item.arrow:
                _arrow_head(draw, a, b, item.stroke, s(7))
        else:
            font = _font(max(6, s(item.size)), item.bold)
            text = _clean(item.text)
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[item.anchor]
            if not item.rotate:
                draw.text((s(item.x), s(item.y)), text, fill=item.fill, font=font, anchor=anchor)
                continue
            left, top, right, bottom = draw.textbbox((0, 0), text, font=font, anchor="ls")
            label = Image.new("RGBA", (int(right - left) + 4, int(bottom - top) + 4), (255, 255, 255, 0))
            ImageDraw.Draw(label).text((2 - left, 2 - top), text, fill=item.fill, font=font, anchor="ls")
            turned = label.rotate(-item.rotate, expand=True, resample=Image.Resampling.BICUBIC)
            # the text's start (its baseline's left end) sits at (x, y); for an upward slant that is the
            # bottom-left corner of the rotated label
            image.paste(turned, (s(item.x), s(item.y) - turned.height), turned)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _dashed(draw, a: tuple[int, int], b: tuple[int, int], colour: str, width: int,  # type: ignore[no-untyped-def]
            on: int, off: int) -> None:
    (x1, y1), (x2, y2) = a, b
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    pos = 0.0
    while pos < length:
        end = min(length, pos + on)
        draw.line([(x1 + dx * pos, y1 + dy * pos), (x1 + dx * end, y1 + dy * end)], fill=colour, width=width)
        pos = end + off


def _arrow_head(draw, a: tuple[int, int], b: tuple[int, int], colour: str, size: int) -> None:  # type: ignore[no-untyped-def]
    (x1, y1), (x2, y2) = a, b
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1.0
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    left = (x2 - dx * size - dy * size / 2, y2 - dy * size + dx * size / 2)
    right = (x2 - dx * size + dy * size / 2, y2 - dy * size - dx * size / 2)
    draw.polygon([(x2, y2), left, right], fill=colour)


# --------------------------------------------------------------------------- the two figures


def shade(value: float, top: float) -> str:
    """A fill colour from white (0) to deep blue (the largest value)."""
    if top <= 0 or value <= 0:
        return "#ffffff"
    t = min(1.0, value / top)
    low, high = (255, 255, 255), (31, 78, 140)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high, strict=True))


def ink(value: float, top: float) -> str:
    return "#ffffff" if top > 0 and value / top > 0.55 else INK


def matrix_scene(m: Matrix) -> Scene | None:
    """The determinant × strategy matrix (rows: determinants; columns: strategies, the bundle outlined)."""
    from strategease.fmt import num

    if not m.columns or not m.rows:
        return None
    cell, left, top = 26, 290, 215
    grid_w, grid_h = cell * len(m.columns), cell * len(m.rows)
    scene = Scene(left + max(grid_w + 170, 330), top + grid_h + 60,
                  "Contribution of each determinant to each strategy's score")
    items = scene.items
    for i, col in enumerate(m.columns):
        x = left + cell * i + cell / 2
        items.append(Text(x, top - 8, shorten(f"{col.rank}. {col.name}", 11, 230), size=11, rotate=-55,
                          bold=col.in_bundle, fill=ACCENT if col.in_bundle else INK))
    for r, row in enumerate(m.rows):
        y = top + cell * r
        items.append(Text(left - 8, y + cell / 2 + 4, shorten(row.name, 12, left - 16), anchor="end",
                          fill=BARRIER if row.kind == "barrier" else FACILITATOR))
        for i, value in enumerate(row.cells):
            items.append(Rect(left + cell * i, y, cell, cell, fill=shade(value, m.max_value),
                              title=f"{row.name} × {m.columns[i].name}: {num(value)}"))
            if value > 0:
                items.append(Text(left + cell * i + cell / 2, y + cell / 2 + 3, f"{value:.2f}", size=8,
                                  anchor="middle", fill=ink(value, m.max_value)))
    for i, col in enumerate(m.columns):
        if col.in_bundle:
            items.append(Rect(left + cell * i, top, cell, grid_h, stroke=ACCENT, width=2))
    for i in range(5):
        v = m.max_value * i / 4
        items.append(Rect(left + 60 * i, top + grid_h + 22, 18, 14, fill=shade(v, m.max_value)))
        items.append(Text(left + 60 * i + 22, top + grid_h + 33, num(v), size=11, fill=MUTED))
    return scene


COLUMN_W, GAP, LINE_H, PAD, NODE_GAP, HEAD = 190, 56, 14, 6, 8, 34


def logic_model_scene(lm: LogicModel) -> Scene | None:
    """The logic model, four columns left to right, joined by arrows (dashed: determinant → strategy direct)."""
    if not lm.determinants or not lm.strategies:
        return None
    columns = [("Determinants", lm.determinants), ("Types of HOW", lm.functions), ("Strategies", lm.strategies),
               ("Implementation outcomes", lm.outcomes)]
    size = 11.0
    laid: list[list[tuple[str, float, float, list[str], str | None]]] = []  # id, y, h, lines, kind
    heights = []
    for _, nodes in columns:
        col: list[tuple[str, float, float, list[str], str | None]] = []
        y = 0.0
        for node in nodes:
            lines = wrap(node.label, size, COLUMN_W - 2 * PAD)
            h = float(len(lines) * LINE_H + 2 * PAD)
            col.append((node.id, y, h, lines, node.kind))
            y += h + NODE_GAP
        laid.append(col)
        heights.append(max(0.0, y - NODE_GAP))
    tallest = max(heights)
    width = 4 * COLUMN_W + 3 * GAP + 2
    scene = Scene(int(width), int(HEAD + tallest + 12),
                  "Logic model: determinants, types of HOW, strategies and implementation outcomes")
    where: dict[str, tuple[float, float, float]] = {}  # id -> (x, y-centre, column)
    for c, ((head, _), col) in enumerate(zip(columns, laid, strict=True)):
        x = 1 + c * (COLUMN_W + GAP)
        scene.items.append(Text(x + COLUMN_W / 2, 16, head, size=12, bold=True, anchor="middle", fill=ACCENT))
        offset = HEAD + (tallest - heights[c]) / 2
        for node_id, y, h, lines, kind in col:
            top = offset + y
            colour = BARRIER if kind == "barrier" else FACILITATOR if kind == "facilitator" else ACCENT
            fill = "#eef4fb" if c == 2 else "#ffffff" if c != 3 else "#f3f5f8"
            scene.items.append(Rect(x, top, COLUMN_W, h, fill=fill, stroke=colour if c == 0 else RULE,
                                    width=1.2, dash=c == 3))
            for i, line in enumerate(lines):
                scene.items.append(Text(x + PAD, top + PAD + LINE_H * (i + 1) - 3, line, size=size,
                                        fill=colour if c == 0 else INK, bold=c == 2))
            where[node_id] = (x, top + h / 2, c)
    if not lm.functions:
        scene.items.append(Text(1 + (COLUMN_W + GAP) + COLUMN_W / 2, HEAD + tallest / 2, "(none reached)", size=10,
                                anchor="middle", fill=MUTED))
    for edge in lm.edges:
        if edge.source not in where or edge.target not in where:
            continue
        (x1, y1, _), (x2, y2, _) = where[edge.source], where[edge.target]
        scene.items.insert(0, Line(x1 + COLUMN_W, y1, x2 - 1, y2, dash=edge.route == "direct", arrow=True,
                                   stroke=MUTED if edge.route != "direct" else "#8a8f96"))
    return scene


def matrix_png(m: Matrix) -> bytes | None:
    scene = matrix_scene(m)
    return None if scene is None else to_png(scene)


def logic_model_png(lm: LogicModel) -> bytes | None:
    scene = logic_model_scene(lm)
    return None if scene is None else to_png(scene)


def logic_model_svg(lm: LogicModel) -> str:
    scene = logic_model_scene(lm)
    return "" if scene is None else to_svg(scene, "logic-model")


__all__ = ["Scene", "logic_model_png", "logic_model_scene", "logic_model_svg", "matrix_png", "matrix_scene",
           "to_png", "to_svg"]
