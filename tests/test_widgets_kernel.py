"""The widgets in a real ipykernel, driven by the comm messages a browser sends (no browser).

A fast drag floods the kernel with slider updates: they must coalesce into a few renders that
end on the last position. train_live runs as a task, so a Stop click gets through mid-training.
"""
import json
import time
from pathlib import Path

import pytest

pytest.importorskip("ipykernel")
from jupyter_client.manager import start_new_kernel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc, code, timeout=30):
    """Execute `code`; return its stdout (fails on an error)."""
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            pytest.fail("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def send_to_widget(kc, model_id, data):
    """A comm message to the widget `model_id`, as the browser's widget manager sends it."""
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": model_id, "data": data}))


def test_a_fast_drag_coalesces_and_ends_on_the_last_position(kernel):
    model_id = run(kernel, """
from autograd_lab.widgets import explore
w = explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.01, 0.0))
runs, _run = [], w._model.run
w._model.run = lambda values: runs.append(values["x"]) or _run(values)
print(w.sliders["x"].model_id)""").strip()
    values = [round(0.01 * k, 2) for k in range(1, 41)]
    for v in values:  # 40 drag steps sent back to back
        send_to_widget(kernel, model_id, {"method": "update", "state": {"value": v},
                                          "buffer_paths": []})
    time.sleep(0.5)
    state = json.loads(run(kernel, """
import json
print(json.dumps({"runs": runs, "value": w.sliders["x"].value, "grad": w.grads["x"],
                  "readout": w._readout.value}))"""))
    assert state["value"] == values[-1]
    assert 1 <= len(state["runs"]) <= len(values) // 4, state["runs"]
    assert state["runs"][-1] == values[-1]  # the last position is always drawn
    assert state["grad"] == pytest.approx(8 * values[-1] + 4, rel=1e-5)
    assert f">tensor({8 * values[-1] + 4:.4f})<" in state["readout"]


def test_train_live_keeps_the_kernel_responsive_and_stops_on_click(kernel):
    model_id = run(kernel, """
import autograd_lab as torch
from autograd_lab import nn, optim
from autograd_lab.widgets import train_live
model = nn.Linear(1, 1)
x = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
y_true = torch.tensor([[2.0], [4.0], [6.0]])
t = train_live(model, nn.functional.mse_loss, (x, y_true),
               optim.SGD(model.parameters(), lr=0.01), steps=10**7)
print(t.stop_button.model_id)""").strip()
    first = int(run(kernel, "print(len(t.losses))"))  # answered while training runs
    send_to_widget(kernel, model_id, {"method": "custom", "content": {"event": "click"}})
    deadline = time.monotonic() + 20
    while run(kernel, "print(t.done)").strip() != "True":
        assert time.monotonic() < deadline, "Stop did not stop training"
    steps = int(run(kernel, "print(len(t.losses))"))
    assert first < steps < 10**7
    assert run(kernel, "print(t.task.done(), 'stopped' in t._status.value)").split() == [
        "True", "True"]
    time.sleep(0.2)
    assert int(run(kernel, "print(len(t.losses))")) == steps  # really stopped
