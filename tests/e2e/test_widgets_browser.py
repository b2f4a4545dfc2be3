"""The widgets in JupyterLab, in headless Chromium: move x with the keyboard and see x.grad and
the graph follow; step and play the backward player. Screenshots land in e2e-artifacts/."""
from playwright.sync_api import expect

from conftest import ARTIFACTS
from lab_harness import make_notebook, open_notebook, run_all

CODE = """\
import autograd_lab as torch
from autograd_lab.widgets import explore
explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1, 1.0))"""

PLAYER = """\
from autograd_lab.widgets import backprop_player
x = torch.tensor(1.0, requires_grad=True)
z = (2 * x + 1) ** 2
backprop_player(z)"""


def test_slider_moves_x_grad_graph_and_plot_and_player_steps(lab_server, browser_page):
    page = browser_page
    server = lab_server({"explore.ipynb": make_notebook(CODE, PLAYER)})
    open_notebook(page, server, "explore.ipynb")
    run_all(page)

    explorer, player = (page.locator(".jp-OutputArea-output").nth(i) for i in (0, 1))
    grad, graph = explorer.locator(".ag-grad"), explorer.locator(".ag-graph")
    plot = explorer.locator(".widget-image")
    expect(grad).to_have_text("tensor(12.)")  # x = 1: 8x + 4
    expect(graph.locator("svg")).to_be_visible()
    graph_before, plot_before = graph.text_content(), plot.get_attribute("src")
    assert "PowBackward0" in graph_before

    handle = explorer.locator(".widget-slider").get_by_role("slider")
    handle.focus()
    page.keyboard.press("ArrowRight")  # x = 1.1
    expect(handle).to_have_attribute("aria-valuenow", "1.1")
    expect(grad).to_have_text("tensor(12.8000)")
    expect(graph).not_to_have_text(graph_before)
    expect(plot).not_to_have_attribute("src", plot_before)  # the image arrives last

    for _ in range(4):  # a quick run of key presses: coalesced, but ends on x = 1.5
        page.keyboard.press("ArrowRight")
    expect(grad).to_have_text("tensor(16.)")
    expect(explorer.locator(".ag-value")).to_have_text("tensor(16., grad_fn=<PowBackward0>)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "explore-after-slider.png", full_page=True)

    step = player.locator(".ag-step")
    expect(step).to_have_text("step 0 / 4")
    player.get_by_role("button", name="Step").click()
    expect(step).to_have_text("step 1 / 4")
    expect(player.locator(".ag-player li")).to_have_count(1)
    expect(player.locator(".ag-node")).to_contain_text("PowBackward0 receives grad 1")
    player.get_by_role("button", name="Step").click()
    expect(step).to_have_text("step 2 / 4")
    player.locator(".ag-player").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "player-step-2.png")
    player.locator(".widget-play button").first.click()  # Play: the browser ticks the steps
    expect(step).to_have_text("step 4 / 4")
    expect(player.locator(".ag-accumulate")).to_have_text("x.grad += 12  → 12")
