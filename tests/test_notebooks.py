"""The tutorial notebooks as files: English and Chinese in step, exercises at the end, stored
outputs free of errors. (Their outputs are checked against a fresh run by `pytest --nbval`.)"""
import io
import tokenize
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ENGLISH = sorted(NOTEBOOKS.glob("*.ipynb"))
ALL = ENGLISH + sorted((NOTEBOOKS / "zh").glob("*.ipynb"))
UNANSWERED = {"en": "Not answered yet", "zh": "尚未作答"}


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def language(path):
    return "zh" if path.parent.name == "zh" else "en"


def code_shape(source):
    """The tokens of `source` without comments, layout and the text of string literals: what
    must not differ between a notebook and its translation."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, getattr(tokenize, "FSTRING_MIDDLE", None)}
    return [("<text>" if tok.type == tokenize.STRING else tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type not in skip]


def stored_text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_there_are_tutorials():
    assert ENGLISH, f"no notebooks in {NOTEBOOKS}"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_chinese_counterpart_has_the_same_code_cells(path):
    chinese = NOTEBOOKS / "zh" / path.name
    assert chinese.exists(), f"{path.name} has no Chinese version in notebooks/zh/"
    english, translated = code_cells(path), code_cells(chinese)
    assert len(translated) == len(english)
    for en, zh in zip(english, translated):
        assert code_shape(zh.source) == code_shape(en.source), \
            f"the code differs beyond comments and printed text:\n{en.source}\n---\n{zh.source}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{language(p)}/{p.name}")
def test_ends_with_an_exercise_and_its_check(path):
    *_, task, check = code_cells(path)
    assert "exercise" in task.metadata.get("tags", []), "second-to-last code cell: the task"
    assert "exercise-check" in check.metadata.get("tags", []), "last code cell: the check"
    assert "None" in task.source, "the task cell leaves a blank (None) for the learner to fill"
    for mark in ("✓", "✗", UNANSWERED[language(path)]):
        assert mark in check.source, f"the check cell never says {mark!r}"
    assert UNANSWERED[language(path)] in stored_text(check), "stored: the unanswered state"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{language(p)}/{p.name}")
def test_stored_outputs_have_no_errors(path):
    for cell in code_cells(path):
        assert cell.execution_count is not None, f"not executed:\n{cell.source}"
        for out in cell.outputs:
            assert out.output_type != "error", f"{out.ename}: {out.evalue}\n{cell.source}"
            assert out.get("name") != "stderr", f"stderr output:\n{out.text}\n{cell.source}"
