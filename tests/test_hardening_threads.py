"""Concurrency: grad mode and the module scope are per thread; parallel training is independent."""
import threading

import numpy as np

import autograd_lab as torch


def _run_in_threads(*targets):
    errors = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported in the main thread
                errors.append(e)
        return run
    threads = [threading.Thread(target=guarded(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_grad_mode_is_per_thread():
    inside, seen = threading.Event(), {}
    done = threading.Event()

    def no_grad_thread():
        with torch.no_grad():
            inside.set()
            done.wait(5)
            seen["off"] = torch.is_grad_enabled()

    def recording_thread():
        inside.wait(5)
        x = torch.ones(2, requires_grad=True)
        seen["on"] = torch.is_grad_enabled()
        seen["recorded"] = (x * 2).grad_fn is not None
        done.set()
    _run_in_threads(no_grad_thread, recording_thread)
    assert seen == {"off": False, "on": True, "recorded": True}
    assert torch.is_grad_enabled()


_SETUP = threading.Lock()


def _train(seed, steps, out, barrier=None):
    with _SETUP:  # the random generator is global, as in PyTorch: seed and draw one at a time
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(),
                                    torch.nn.Linear(16, 1))
        x, y = torch.randn(32, 3), torch.randn(32, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    if barrier is not None:
        barrier.wait()
    scopes = set()
    for i in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        fn = loss.grad_fn
        while fn is not None:  # the module scope every node of this graph was tagged with
            scopes.add(fn._scope)
            nxt = [f for f, _ in fn.next_functions if f is not None and hasattr(f, "_scope")]
            fn = nxt[0] if nxt else None
        if i % 2:
            with torch.no_grad():  # toggling grad mode here must not affect the other thread
                model(x)
        loss.backward()
        opt.step()
    out[seed] = ([p.detach().numpy().copy() for p in model.parameters()], scopes)


def test_two_threads_training_separate_models_do_not_interfere():
    alone = {}
    _train(1, 150, alone)
    _train(2, 150, alone)
    together = {}
    barrier = threading.Barrier(2)
    _run_in_threads(lambda: _train(1, 150, together, barrier),
                    lambda: _train(2, 150, together, barrier))
    for seed in (1, 2):
        for a, b in zip(alone[seed][0], together[seed][0]):
            assert np.array_equal(a, b), f"model {seed} trained differently beside another"
        assert together[seed][1] == alone[seed][1], (
            f"module scopes leaked between threads: {together[seed][1]} vs {alone[seed][1]}")
