"""The layout of a process diagram, computed from its definition.

A pure function of the definition and the role titles: it returns plain frozen
dataclasses with coordinates, and the template draws them as SVG. No SVG is
built here, so autoescaping in the template covers every text.

The shape:

- each phase is a horizontal band with its title on top, the bands stacked in
  process order;
- inside a band, a step's row is its depth counted over ``after`` links within
  the same phase only (a step waiting for a step of an earlier phase starts its
  band); steps of the same depth sit side by side, each row centred;
- every ``after`` link is an arrow from the bottom of the earlier step to the
  top of the later one, routed orthogonally through the gaps between rows:
  straight down and then across just above the target's row; or, when that
  would cross a box or a band title, across just below the source's row and
  then straight down; or, when neither is clear, out to a vertical lane on the
  right of all boxes (one lane per source step) and back in above the target.

Text width is estimated from the characters (the browser's font is unknown
here), on the generous side, so that a wide sans-serif still fits its box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.process import ENDING_KINDS, Phase, ProcessDefinition, Step

Point = tuple[float, float]

# Sizes in SVG user units; the stylesheet's font sizes must match these.
TITLE_SIZE = 16
TITLE_LINE = 21
OWNER_SIZE = 14
OWNER_LINE = 19
BAND_TITLE_SIZE = 18
NARROW_GLYPHS = frozenset(" .,:;'!|()-/ijlfrtI")

BOX_WIDTH = 420
BOX_PAD_X = 16
BOX_PAD_TOP = 12
BOX_PAD_BOTTOM = 12
TITLE_OWNER_GAP = 5
COLUMN_GAP = 56
ROW_GAP = 40

BAND_MARGIN = 8          # between the canvas edge and a band
BAND_HEADER = 70         # from a band's top to its first row of boxes
BAND_PAD_BOTTOM = 26
BAND_GAP = 14
BAND_TITLE_X = 20
BAND_TITLE_BASELINE = 30

# Arrows leave a box this far below it before they turn (lanes only) and turn
# into a box halfway through the gap above it.
EXIT_DROP = 13
ENTRY_RISE = ROW_GAP / 2
LANE_OFFSET = 36         # from the right-most box (or end marker) to the first lane
LANE_STEP = 18
CLEARANCE = 6            # how close a line may pass a box

# A step that can end the process has a short stub to a circle on its right.
END_STUB = 14
END_RADIUS = 8

MIN_WIDTH = 1040         # about the page's content width, so the scale is ~1
SIDE_MARGIN = 24


@dataclass(frozen=True)
class Box:
    key: str
    phase: str
    number: int
    x: float
    y: float
    width: float
    height: float
    title_lines: tuple[str, ...]
    owner_lines: tuple[str, ...]
    recurring: bool = False
    # The step has an outcome that ends, stops or redirects the process.
    ends: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def text_x(self) -> float:
        return self.x + BOX_PAD_X

    def title_baselines(self) -> list[tuple[float, str]]:
        """(baseline y, text) of each line of the title."""
        first = self.y + BOX_PAD_TOP + TITLE_SIZE
        return [(first + i * TITLE_LINE, line) for i, line in enumerate(self.title_lines)]

    def owner_baselines(self) -> list[tuple[float, str]]:
        """(baseline y, text) of each line of the owner roles, under the title."""
        first = self.y + BOX_PAD_TOP + len(self.title_lines) * TITLE_LINE + TITLE_OWNER_GAP + OWNER_SIZE
        return [(first + i * OWNER_LINE, line) for i, line in enumerate(self.owner_lines)]

    @property
    def end_marker(self) -> tuple[Point, Point, float] | None:
        """The stub's start and the circle's centre, and its radius."""
        if not self.ends:
            return None
        return (self.right, self.cy), (self.right + END_STUB + END_RADIUS, self.cy), END_RADIUS

    @property
    def extent_right(self) -> float:
        return self.right + (END_STUB + 2 * END_RADIUS if self.ends else 0)


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    points: tuple[Point, ...]
    # The link crosses from one phase into another.
    crosses_phase: bool = False

    @property
    def path(self) -> str:
        """The points for an SVG ``points`` attribute (numbers only)."""
        return " ".join(f"{x:g},{y:g}" for x, y in self.points)


@dataclass(frozen=True)
class Band:
    key: str
    number: int
    title: str
    x: float
    y: float
    width: float
    height: float

    @property
    def title_x(self) -> float:
        return self.x + BAND_TITLE_X

    @property
    def title_y(self) -> float:
        return self.y + BAND_TITLE_BASELINE

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    bands: tuple[Band, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)


@dataclass(frozen=True)
class _Rect:
    left: float
    top: float
    right: float
    bottom: float


# ---------------------------------------------------------------- text


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the text's width: four classes of glyph, with the
    advance widths of a wide sans-serif (DejaVu Sans) rounded up."""
    narrow, wide, upper, other = (0.42, 1.06, 0.78, 0.72) if bold else (0.35, 0.98, 0.74, 0.645)
    total = 0.0
    for char in text:
        if char in NARROW_GLYPHS:
            total += narrow
        elif char in "mwMW":
            total += wide
        elif char.isupper():
            total += upper
        else:
            total += other
    return total * size


def _wrap(text: str, size: float, width: float, bold: bool = False) -> tuple[str, ...]:
    """Greedy word wrap to ``width``; a word longer than a line stands alone."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def _title_lines(number: int, step: Step) -> tuple[str, ...]:
    return _wrap(f"{number}. {step.title}", TITLE_SIZE, BOX_WIDTH - 2 * BOX_PAD_X, bold=True)


def _owner_lines(step: Step, role_titles: Mapping[str, str]) -> tuple[str, ...]:
    # One role per line: role titles may themselves contain commas
    # ("Stabsenhet, administrativa avdelningen").
    lines: list[str] = []
    for key in step.owner_roles:
        lines.extend(_wrap(role_titles.get(key, key), OWNER_SIZE, BOX_WIDTH - 2 * BOX_PAD_X))
    return tuple(lines)


def _box_height(title_lines: int, owner_lines: int) -> float:
    owners = TITLE_OWNER_GAP + owner_lines * OWNER_LINE if owner_lines else 0
    return BOX_PAD_TOP + title_lines * TITLE_LINE + owners + BOX_PAD_BOTTOM


# ---------------------------------------------------------------- placement


def phase_rows(phase: Phase) -> list[list[Step]]:
    """The phase's steps grouped by depth over ``after`` links inside the phase,
    in declaration order within a row."""
    steps = {s.key: s for s in phase.steps}
    depth: dict[str, int] = {}

    def depth_of(key: str, seen: frozenset[str] = frozenset()) -> int:
        if key not in depth:
            # ``seen`` stops a circle (the validator forbids them; this only keeps
            # a broken definition from hanging the page).
            inside = [k for k in steps[key].after if k in steps and k not in seen]
            depth[key] = 1 + max((depth_of(k, seen | {key}) for k in inside), default=-1)
        return depth[key]

    rows: list[list[Step]] = []
    for step in phase.steps:
        d = depth_of(step.key)
        while len(rows) <= d:
            rows.append([])
        rows[d].append(step)
    return [row for row in rows if row]


def _ends(step: Step) -> bool:
    return any(o.kind in ENDING_KINDS for o in step.outcomes)


@dataclass(frozen=True)
class _BandRows:
    phase: Phase
    number: int
    top: float
    height: float


def _place(process: ProcessDefinition, role_titles: Mapping[str, str]) -> tuple[dict[str, Box], list[_BandRows], float]:
    """Boxes around a vertical centre line at x = 0, the bands' vertical
    extent, and the total height."""
    numbers = {s.key: n for n, s in enumerate(process.steps(), start=1)}  # as in the list beside the diagram
    boxes: dict[str, Box] = {}
    bands: list[_BandRows] = []
    y = BAND_MARGIN
    for band_number, phase in enumerate(process.phases, start=1):
        band_top = y
        y += BAND_HEADER
        for row_index, row in enumerate(phase_rows(phase)):
            if row_index:
                y += ROW_GAP
            texts = {s.key: (_title_lines(numbers[s.key], s), _owner_lines(s, role_titles)) for s in row}
            # A row's boxes share one height, so the row reads as a line.
            height = max(_box_height(len(title), len(owners)) for title, owners in texts.values())
            x = -(len(row) * BOX_WIDTH + (len(row) - 1) * COLUMN_GAP) / 2
            for step in row:
                title, owners = texts[step.key]
                boxes[step.key] = Box(step.key, phase.key, numbers[step.key], x, y, BOX_WIDTH, height, title, owners,
                                      recurring=step.recurring, ends=_ends(step))
                x += BOX_WIDTH + COLUMN_GAP
            y += height
        y += BAND_PAD_BOTTOM
        bands.append(_BandRows(phase, band_number, band_top, y - band_top))
        y += BAND_GAP
    return boxes, bands, y - BAND_GAP + BAND_MARGIN


# ---------------------------------------------------------------- routing


def _vertical_clear(x: float, y1: float, y2: float, obstacles: list[_Rect]) -> bool:
    top, bottom = min(y1, y2), max(y1, y2)
    return not any(r.left < x < r.right and r.top < bottom and top < r.bottom for r in obstacles)


def _simplify(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated points and the middle of three points on one line."""
    kept: list[Point] = []
    for p in points:
        if kept and kept[-1] == p:
            continue
        if len(kept) >= 2:
            (ax, ay), (bx, by) = kept[-2], kept[-1]
            if (ax == bx == p[0]) or (ay == by == p[1]):
                kept[-1] = p
                continue
        kept.append(p)
    return tuple(kept)


def _route(a: Box, b: Box, others: list[_Rect], lane: float | None) -> tuple[Point, ...] | None:
    """An orthogonal path from a's bottom centre to b's top centre that keeps
    clear of ``others`` (every box but a and b, and the band titles); None when
    only a lane would do and ``lane`` is None."""
    start, end = (a.cx, a.bottom), (b.cx, b.y)
    turn_in = b.y - ENTRY_RISE  # in the gap above b's row
    turn_out = a.bottom + EXIT_DROP  # in the gap below a's row
    downwards = b.y > a.bottom
    # Straight down under a, then across to b just above its row.
    if downwards and _vertical_clear(a.cx, a.bottom, turn_in, others):
        return _simplify([start, (a.cx, turn_in), (b.cx, turn_in), end])
    if lane is None:
        # Across just below a, then straight down onto b. Not for a source that
        # has a lane: its arrows would cross each other's turns.
        if downwards and _vertical_clear(b.cx, turn_out, b.y, others):
            return _simplify([start, (a.cx, turn_out), (b.cx, turn_out), end])
        return None
    return _simplify([start, (a.cx, turn_out), (lane, turn_out), (lane, turn_in), (b.cx, turn_in), end])


def _arrows(process: ProcessDefinition, boxes: dict[str, Box], box_rects: dict[str, _Rect],
            title_rects: list[_Rect], lanes_from: float) -> list[Arrow]:
    """Every ``after`` link as an arrow. A source step gets a lane of its own on
    the right when one of its arrows cannot drop through the gaps; all its other
    bent arrows then use that lane too, so they share their turns."""
    links = []
    for step in process.steps():
        for before in step.after:
            if before in boxes:  # an unknown key is the validator's to report
                a, b = boxes[before], boxes[step.key]
                others = [r for key, r in box_rects.items() if key not in (a.key, b.key)] + title_rects
                links.append((a, b, others))
    lanes: dict[str, float] = {}
    for a, b, others in links:
        if a.key not in lanes and _route(a, b, others, None) is None:
            lanes[a.key] = lanes_from + len(lanes) * LANE_STEP
    return [
        Arrow(a.key, b.key, _route(a, b, others, lanes.get(a.key)), crosses_phase=a.phase != b.phase)
        for a, b, others in links
    ]


def layout(process: ProcessDefinition, role_titles: Mapping[str, str]) -> Diagram:
    """The diagram of ``process``; ``role_titles`` maps owner role keys to the
    titles shown in the boxes (an unknown key is shown as it is)."""
    boxes, band_rows, height = _place(process, role_titles)
    box_rects = {
        key: _Rect(b.x - CLEARANCE, b.y - CLEARANCE, b.extent_right + CLEARANCE, b.bottom + CLEARANCE)
        for key, b in boxes.items()
    }
    # Everything is placed around x = 0 first and shifted onto the canvas last.
    half_width = max([0.0, *(b.extent_right for b in boxes.values()), *(-b.x for b in boxes.values())])
    # Band titles start at the canvas's left edge. Lanes may still widen the
    # canvas, which only moves the titles further left, away from the arrows.
    canvas_half = max(MIN_WIDTH / 2, half_width + SIDE_MARGIN)
    title_left = -canvas_half + BAND_MARGIN + BAND_TITLE_X
    title_rects = [
        _Rect(title_left - CLEARANCE, band.top + BAND_TITLE_BASELINE - BAND_TITLE_SIZE - CLEARANCE,
              title_left + text_width(f"{band.number}. {band.phase.title}", BAND_TITLE_SIZE, bold=True) + CLEARANCE,
              band.top + BAND_TITLE_BASELINE + BAND_TITLE_SIZE / 3 + CLEARANCE)
        for band in band_rows
    ]
    arrows = _arrows(process, boxes, box_rects, title_rects, lanes_from=half_width + LANE_OFFSET)

    canvas_half = max(canvas_half, max((x for a in arrows for x, _ in a.points), default=0) + SIDE_MARGIN)
    width = 2 * canvas_half
    return Diagram(
        width=width,
        height=height,
        bands=tuple(Band(b.phase.key, b.number, b.phase.title, BAND_MARGIN, b.top, width - 2 * BAND_MARGIN, b.height)
                    for b in band_rows),
        boxes=tuple(replace(boxes[s.key], x=boxes[s.key].x + canvas_half) for s in process.steps()),
        arrows=tuple(replace(a, points=tuple((x + canvas_half, y) for x, y in a.points)) for a in arrows),
    )
