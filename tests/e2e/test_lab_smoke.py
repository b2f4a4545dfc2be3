"""A learner's first minute: open a notebook in JupyterLab, Run All, see the gradient."""
from playwright.sync_api import expect

from lab_harness import make_notebook, open_notebook, run_all

CODE = """\
import autograd_lab as torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (2*x + 1).sum()
y.backward()
print("grad:", x.grad.tolist())"""


def test_run_all_prints_gradient(lab_server, browser_page):
    server = lab_server({"smoke.ipynb": make_notebook(CODE)})
    open_notebook(browser_page, server, "smoke.ipynb")
    run_all(browser_page)
    expect(browser_page.locator(".jp-OutputArea-output")).to_have_text("grad: [2.0, 2.0]")
