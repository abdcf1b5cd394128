"""Execute every student copy: each exercise's check must fail on the untouched stub.

The stub raises NotImplementedError inside the learner's function, so the check cell must end in
NotImplementedError (or a CheckFailed) -- any other error means the exercise is broken, and a check
that passes on the stub cannot grade anything.
"""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import CHAPTERS, read_nb
from tools.make_exercises import student_copy

ACCEPTED = {"NotImplementedError", "CheckFailed"}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_check_fails_on_the_stub(path, tmp_path):
    nb, exercises = student_copy(read_nb(path))
    assert exercises, f"{path.name} has no exercises"
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    executed = exercises_of_student(nb)
    for number, check_cell, answer_cells in executed:
        for cell in answer_cells:  # defining the stub function must itself work
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{path.name} exercise {number}: the stub cell raised {errors[0].ename}"
        errors = [o for o in check_cell.outputs if o.output_type == "error"]
        assert errors, f"{path.name} exercise {number}: the check PASSED on the stub"
        assert errors[0].ename in ACCEPTED, (
            f"{path.name} exercise {number}: check failed with {errors[0].ename}: {errors[0].evalue}"
        )
    # every other cell still runs cleanly in the student copy
    broken = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
              and "check" not in c.metadata.get("tags", [])
              and any(o.output_type == "error" for o in c.outputs)]
    assert not broken, f"{path.name}: cells {broken} fail in the student copy"


def exercises_of_student(nb):
    """(number, check cell, answer cells) for each exercise of an executed student copy."""
    out = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and "check" in cell.metadata.get("tags", []):
            answers = []
            j = i - 1
            while j >= 0 and "answer" in cells[j].metadata.get("tags", []):
                answers.insert(0, cells[j])
                j -= 1
            assert answers, f"check cell {i} has no answer cell before it"
            out.append((len(out) + 1, cell, answers))
    return out


def test_student_copy_removes_every_solution():
    for path in CHAPTERS:
        nb, exercises = student_copy(read_nb(path))
        text = nbformat.writes(nb)
        assert "# BEGIN SOLUTION" not in text and "solution-end" not in text, path.name
        assert text.count("NotImplementedError") >= len(exercises), path.name
