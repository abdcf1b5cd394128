"""Write student copies of the chapters: every exercise solution replaced by a stub.

    python tools/make_exercises.py book/*.ipynb --out exercises

An exercise's solution is a code cell tagged ``solution`` whose answer sits between the lines
``# BEGIN SOLUTION`` and ``# END SOLUTION`` (see CONTRIBUTING.md). The student copy replaces that
block with ``raise NotImplementedError("Exercise N.k: ...")`` at the block's indentation, keeps the
problem and the check cell, and swaps the site-only ``{solution-start}``/``{solution-end}`` markers
for a short "your answer" note. Outputs are not copied.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
EXERCISE_LABEL = re.compile(r"```\{exercise\}.*?\n:label:\s*(ex-(\d+)-(\d+))", re.DOTALL)
SOLUTION_START = re.compile(r"^```\{solution-start\}\s*(ex-\d+-\d+)")
SOLUTION_END = re.compile(r"^```\{solution-end\}")


class ExerciseFormatError(ValueError):
    """A chapter's exercise cells do not follow the five-cell format."""


def stub_source(source: str, exercise: str) -> str:
    """Replace every BEGIN/END SOLUTION block in ``source`` with a NotImplementedError stub."""
    lines = source.splitlines()
    out, inside, found = [], False, 0
    for line in lines:
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ExerciseFormatError(f"{exercise}: nested {BEGIN}")
            inside, found = True, found + 1
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Exercise {exercise}: replace this line with your answer")')
        elif stripped == END:
            if not inside:
                raise ExerciseFormatError(f"{exercise}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ExerciseFormatError(f"{exercise}: {BEGIN} without {END}")
    if not found:
        raise ExerciseFormatError(f"{exercise}: solution cell has no {BEGIN} ... {END} block")
    return "\n".join(out)


def exercises_of(nb) -> list[dict]:
    """Find every exercise and its cells; raise ExerciseFormatError if the five-cell format is broken.

    Returns dicts with keys ``label`` ('ex-03-1'), ``number`` ('3.1'), ``problem``, ``start``,
    ``solutions`` (list of cell indices), ``end`` and ``check``.
    """
    found = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        m = EXERCISE_LABEL.search(cell.source)
        if not m:
            continue
        label, number = m.group(1), f"{int(m.group(2))}.{int(m.group(3))}"
        j = i + 1
        if j >= len(cells) or not SOLUTION_START.match(cells[j].source.strip()) or cells[j].cell_type != "markdown":
            raise ExerciseFormatError(f"{label}: the exercise must be followed by a {{solution-start}} cell")
        if SOLUTION_START.match(cells[j].source.strip()).group(1) != label:
            raise ExerciseFormatError(f"{label}: {{solution-start}} names a different exercise")
        start, j = j, j + 1
        solutions = []
        while j < len(cells) and cells[j].cell_type == "code":
            if "solution" not in cells[j].metadata.get("tags", []):
                raise ExerciseFormatError(f"{label}: code cell {j} inside the solution is not tagged 'solution'")
            solutions.append(j)
            j += 1
        if not solutions:
            raise ExerciseFormatError(f"{label}: no solution code cell")
        if j >= len(cells) or not SOLUTION_END.match(cells[j].source.strip()):
            raise ExerciseFormatError(f"{label}: the solution must be closed by a {{solution-end}} cell")
        end, j = j, j + 1
        if j >= len(cells) or cells[j].cell_type != "code" or "check" not in cells[j].metadata.get("tags", []):
            raise ExerciseFormatError(f"{label}: {{solution-end}} must be followed by a code cell tagged 'check'")
        found.append(dict(label=label, number=number, problem=i, start=start, solutions=solutions, end=end, check=j))
    return found


def student_copy(nb):
    """A copy of ``nb`` with solutions stubbed and outputs removed."""
    nb = copy.deepcopy(nb)
    exercises = exercises_of(nb)
    drop = set()
    for ex in exercises:
        nb.cells[ex["start"]] = nbformat.v4.new_markdown_cell(
            f"**Your answer to Exercise {ex['number']}.** Replace the `raise NotImplementedError(...)` line "
            "below, then run the check cell after it: it prints `PASS` when your answer is right."
        )
        for k in ex["solutions"]:
            cell = nb.cells[k]
            cell.source = stub_source(cell.source, ex["number"])
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != "solution"] + ["answer"]
        drop.add(ex["end"])
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in drop]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, exercises


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("exercises"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        try:
            copy_nb, exercises = student_copy(nb)
        except ExerciseFormatError as exc:
            sys.exit(f"{path}: {exc}")
        if not exercises:
            continue
        nbformat.write(copy_nb, args.out / path.name)
        total += len(exercises)
        print(f"{args.out / path.name}: {len(exercises)} exercises")
    print(f"{total} exercises in {args.out}/")


if __name__ == "__main__":
    main()
