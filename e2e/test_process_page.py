"""The process page in a real browser: Järva's case officer sees the diagram
drawn from the process definition, the list beside it, and axe-core finds no
serious accessibility problem."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

JARVA = "handlaggare@jarva.demo"


def test_process_page_shows_the_diagram_and_the_steps(page: Page, sign_in: Callable[..., None]) -> None:
    sign_in(page, JARVA)
    response = page.goto("/k/jarva/process")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Process och roller")

    diagram = page.get_by_role(
        "img", name="Processdiagram: Lokala tillämpningsanvisningar för IOP i Järva stadsdelsnämnd"
    )
    expect(diagram).to_be_visible()
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 900, "the diagram should use the page's width"
    # Drawn from the definition: one box per step, one arrow per link.
    expect(diagram.locator(".process-diagram__box")).to_have_count(17)
    expect(diagram.locator(".process-diagram__arrow")).to_have_count(16)
    # The CSP forbids inline styles; the stylesheet styles the diagram (the box is
    # white with a dark border, not the SVG default of solid black).
    fill = diagram.locator(".process-diagram__box").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(255, 255, 255)"

    expect(page.get_by_role("heading", level=3, name="Fas 1: Inleda")).to_be_visible()
    expect(page.get_by_role("heading", level=4, name="2. Första möte med den idéburna parten")).to_be_visible()
    expect(page.get_by_text("Senast fyra veckor efter initiativet")).to_be_visible()

    assert_no_serious_violations(page, "processidan")


def test_process_page_on_a_phone_scrolls_the_diagram_sideways(new_page: Callable[[], Page],
                                                              sign_in: Callable[..., None]) -> None:
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, JARVA)
    page.goto("/k/jarva/process")
    region = page.get_by_role("region", name="Processdiagram, kan rullas i sidled på smala skärmar")
    expect(region).to_be_visible()
    # The text keeps a readable size: the diagram is wider than the screen and
    # its region scrolls (and takes keyboard focus, so it can be scrolled without a mouse).
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    expect(region).to_be_focused()
    assert_no_serious_violations(page, "processidan på en smal skärm")
