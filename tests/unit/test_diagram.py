"""The process diagram's layout: every step a box, every ``after`` link an
arrow, no box on top of another, bands in process order, and arrows that go
round boxes instead of through them."""

from __future__ import annotations

import random

import pytest

from core.process import Outcome, Phase, ProcessDefinition, Step
from web.diagram import BOX_PAD_X, OWNER_SIZE, TITLE_SIZE, Box, Diagram, layout, phase_rows, text_width

ROLES = {"handlaggare": "Handläggare", "stab": "Stabsenhet, administrativa avdelningen"}


def _step(key: str, *after: str, **kwargs) -> Step:
    title = kwargs.pop("title", f"Steget {key}")
    return Step(key, title, kwargs.pop("owners", ("handlaggare",)), after=after, **kwargs)


def _process(*phases: Phase) -> ProcessDefinition:
    return ProcessDefinition(kommun="test", version=1, title="Testprocess", phases=phases)


# A fork, a join that skips a row, and links from the first phase into every
# later one: the shapes that need more than a straight drop.
FORKING = _process(
    Phase("forsta", "Första fasen", (
        _step("a"),
        _step("b", "a"),
        _step("c", "a", title="Ett steg med en lång titel som inte ryms på en rad i rutan"),
        _step("d", "b", "c"),
        _step("e", "d", "a", outcomes=(Outcome("stopp", "Avbryt", "stop"),)),
    )),
    Phase("andra", "Andra fasen", (_step("f", "e", owners=("handlaggare", "stab")),)),
    Phase("tredje", "Tredje fasen", (
        _step("g", "e", recurring=True),
        _step("h", "e"),
        _step("i", "h", "f"),
    )),
)


def _registered_processes(registry) -> list[tuple[str, ProcessDefinition, dict[str, str]]]:
    return [
        (code, entry.process(), {r.key: r.title for r in entry.roles.roles})
        for code, entry in sorted(registry.kommuner.items())
        if entry.process() is not None
    ]


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the horizontal or vertical segment p–q enters the box (or its end marker)."""
    (x1, y1), (x2, y2) = p, q
    left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return left < box.extent_right and box.x < right and top < box.bottom and box.y < bottom


def check_invariants(process: ProcessDefinition, diagram: Diagram) -> None:
    """The properties every layout must have, whatever the definition."""
    steps = process.steps()
    assert [b.key for b in diagram.boxes] == [s.key for s in steps]
    links = sorted((before, s.key) for s in steps for before in s.after)
    assert sorted((a.source, a.target) for a in diagram.arrows) == links

    for i, a in enumerate(diagram.boxes):
        for b in diagram.boxes[i + 1:]:
            assert not _overlap(a, b), f"{a.key} and {b.key} overlap"
        assert 0 <= a.x and a.extent_right <= diagram.width and 0 <= a.y and a.bottom <= diagram.height

    # Bands in process order, one above the next, each holding its own steps.
    assert [band.key for band in diagram.bands] == [p.key for p in process.phases]
    for upper, lower in zip(diagram.bands, diagram.bands[1:]):
        assert upper.y + upper.height < lower.y
    for band in diagram.bands:
        for box in diagram.boxes:
            inside = band.y < box.y and box.bottom < band.y + band.height
            assert inside == (box.phase == band.key)

    boxes = {b.key: b for b in diagram.boxes}
    for arrow in diagram.arrows:
        source, target = boxes[arrow.source], boxes[arrow.target]
        assert arrow.points[0] == (source.cx, source.bottom)
        assert arrow.points[-1] == (target.cx, target.y)
        assert arrow.points[-2][0] == target.cx and arrow.points[-2][1] < target.y, "must point down into the box"
        for p, q in zip(arrow.points, arrow.points[1:]):
            assert p[0] == q[0] or p[1] == q[1], f"{arrow.source}->{arrow.target} has a slanted segment"
            for box in diagram.boxes:
                if box.key not in (arrow.source, arrow.target):
                    assert not _segment_hits_box(p, q, box), f"{arrow.source}->{arrow.target} crosses {box.key}"


def test_every_step_a_box_every_link_an_arrow_and_nothing_overlaps():
    check_invariants(FORKING, layout(FORKING, ROLES))


def test_registered_processes_lay_out_cleanly(registry):
    processes = _registered_processes(registry)
    assert any(code == "jarva" for code, _, _ in processes)
    for _, process, roles in processes:
        check_invariants(process, layout(process, roles))


def test_rows_follow_the_links_inside_a_phase_only():
    rows = phase_rows(FORKING.phases[0])
    assert [[s.key for s in row] for row in rows] == [["a"], ["b", "c"], ["d"], ["e"]]
    # g and h wait for e in an earlier phase: both start the third band.
    assert [[s.key for s in row] for row in phase_rows(FORKING.phases[2])] == [["g", "h"], ["i"]]


def test_steps_of_the_same_depth_sit_side_by_side():
    diagram = layout(FORKING, ROLES)
    b, c, d = diagram.box("b"), diagram.box("c"), diagram.box("d")
    assert b.y == c.y and b.right < c.x
    assert d.y > max(b.bottom, c.bottom)


def test_a_link_that_would_cross_a_box_goes_round_it():
    """a -> e skips the rows of b, c and d, which sit under a: the arrow bends."""
    diagram = layout(FORKING, ROLES)
    arrow = next(a for a in diagram.arrows if (a.source, a.target) == ("a", "e"))
    assert len(arrow.points) > 2
    assert max(x for x, _ in arrow.points) > max(b.right for b in diagram.boxes)


def test_long_titles_wrap_inside_the_box_and_owners_get_a_line_each():
    box = layout(FORKING, ROLES).box("c")
    assert len(box.title_lines) > 1
    assert " ".join(box.title_lines) == "3. Ett steg med en lång titel som inte ryms på en rad i rutan"
    inner = box.width - 2 * BOX_PAD_X
    assert all(text_width(line, TITLE_SIZE, bold=True) <= inner for line in box.title_lines)
    owners = layout(FORKING, ROLES).box("f").owner_lines
    assert owners == ("Handläggare", "Stabsenhet, administrativa avdelningen")
    assert all(text_width(line, OWNER_SIZE) <= inner for line in owners)
    # Text lines sit inside the box, one under the other.
    baselines = [y for y, _ in box.title_baselines()] + [y for y, _ in box.owner_baselines()]
    assert baselines == sorted(baselines) and box.y < baselines[0] and baselines[-1] < box.bottom


def test_cues_for_recurring_and_ending_steps():
    diagram = layout(FORKING, ROLES)
    assert diagram.box("g").recurring and not diagram.box("h").recurring
    assert diagram.box("e").ends and diagram.box("e").end_marker is not None
    assert not diagram.box("a").ends and diagram.box("a").end_marker is None


def test_a_link_back_to_a_later_band_still_reaches_its_step_from_above():
    """Nothing forbids a step from waiting for a step of a later phase; the
    arrow then climbs through the lane and still enters its box from above."""
    process = _process(
        Phase("forsta", "Första fasen", (_step("a"), _step("b", "c"))),
        Phase("andra", "Andra fasen", (_step("c", "a"),)),
    )
    diagram = layout(process, ROLES)
    check_invariants(process, diagram)
    arrow = next(a for a in diagram.arrows if a.target == "b")
    assert arrow.points[0][1] > arrow.points[-1][1]


def test_the_layout_is_deterministic():
    assert layout(FORKING, ROLES) == layout(FORKING, ROLES)


def test_the_canvas_is_about_the_page_width_so_text_keeps_its_size():
    diagram = layout(FORKING, ROLES)
    assert 1000 <= diagram.width <= 1200


@pytest.mark.parametrize("seed", range(40))
def test_random_processes_keep_the_invariants(seed):
    """Pseudo-random definitions (a fixed seed each): links only point back to
    earlier steps, as the validator requires, and may cross phases."""
    rng = random.Random(seed)
    words = ["Bedömning", "av", "överenskommelsen", "om", "IOP", "och", "ställningstagande", "nämndens"]
    keys: list[str] = []
    phases = []
    for p in range(rng.randint(1, 4)):
        steps = []
        for _ in range(rng.randint(1, 6)):
            key = f"s{len(keys)}"
            after = tuple(sorted(set(rng.sample(keys, k=min(len(keys), rng.randint(0, 2))))))
            ending = rng.random() < 0.2
            outcomes = (Outcome("slut", "Avsluta", "end"),) if ending else (Outcome("fortsatt", "Gå vidare"),)
            title = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
            steps.append(_step(key, *after, recurring=rng.random() < 0.2, outcomes=outcomes, title=title))
            keys.append(key)
        phases.append(Phase(f"fas{p}", f"Fas nummer {p}", tuple(steps)))
    process = _process(*phases)
    check_invariants(process, layout(process, ROLES))
