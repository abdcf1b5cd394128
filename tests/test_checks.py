"""Both paths of every check, their messages, shape mismatch, NaN."""

import numpy as np
import pytest

from helpers import CheckFailed, check_close, check_grad, check_true, expect_fail


def test_check_close_pass_prints_one_pass_line(capsys):
    result = check_close("sum", 0.1 + 0.2, 0.3)
    assert result is None  # the numpy.testing contract: a check that returns has passed
    out = capsys.readouterr().out
    assert out.startswith("PASS sum") and out.count("\n") == 1


def test_check_close_fail_message_states_comparison_tolerance_and_error():
    with pytest.raises(CheckFailed) as info:
        check_close("vec", np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), rtol=1e-3)
    msg = str(info.value)
    assert msg.startswith("FAIL vec")
    assert "got 3.5" in msg and "expected 3" in msg and "index (2,)" in msg
    assert "rtol=0.001" in msg and "0.5" in msg
    assert isinstance(info.value, AssertionError)


def test_the_fail_message_on_how_this_book_checks_itself_is_what_check_close_raises():
    """The page quotes a FAIL message (wrapped over lines); it must be the one check_close raises."""
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "book" / "how_this_book_checks_itself.md").read_text()
    quoted = " ".join(re.search(r"```text\n(FAIL .*?)\n```", page, re.S).group(1).splitlines())
    expected = np.full((3, 3), 0.5)
    expected[0, 1] = 0.19
    got = expected.copy()
    got[0, 1] = 0.21
    with pytest.raises(CheckFailed) as info:
        check_close("softmax Jacobian", got, expected, rtol=1e-7, atol=0)
    assert str(info.value) == quoted


def test_check_close_shape_mismatch_fails_but_scalar_broadcasts(capsys):
    with pytest.raises(CheckFailed, match="shape mismatch"):
        check_close("shape", np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(CheckFailed, match="shape mismatch"):
        check_close("scalar got", 0.0, np.zeros(2))
    assert check_close("broadcast", np.zeros((2, 2)), 0.0) is None


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_never_passes(bad):
    with pytest.raises(CheckFailed, match="non-finite"):
        check_close("nan got", np.array([1.0, bad]), np.array([1.0, bad]), rtol=1.0, atol=1e9)
    with pytest.raises(CheckFailed, match="non-finite"):
        check_close("nan expected", 1.0, bad, atol=1e300)


def test_check_close_none_and_non_numeric_fail_clearly():
    with pytest.raises(CheckFailed, match="None"):
        check_close("answer", None, 1.0)
    with pytest.raises(CheckFailed, match="not numeric"):
        check_close("answer", "one", 1.0)


def test_check_close_accepts_torch_and_complex():
    torch = pytest.importorskip("torch")
    assert check_close("tensor", torch.tensor([1.0, 2.0], requires_grad=True) * 1, [1.0, 2.0]) is None
    assert check_close("complex", 1 + 2j, 1 + 2j) is None
    with pytest.raises(CheckFailed):
        check_close("complex", 1 + 2j, 1 - 2j, atol=1e-3)


def test_check_close_rejects_negative_tolerance():
    with pytest.raises(ValueError, match="rtol and atol"):
        check_close("x", 1.0, 1.0, rtol=-1)


def test_large_arrays_are_summarised_not_dumped(capsys):
    check_close("big", np.ones(1000), 1.0)
    assert len(capsys.readouterr().out) < 200
    with pytest.raises(CheckFailed) as info:
        check_close("big", np.ones(1000), 2.0)
    assert len(str(info.value)) < 400 and "1000 of 1000" in str(info.value)


def test_check_true_both_paths(capsys):
    assert check_true("yes", True, "because") is None
    assert capsys.readouterr().out == "PASS yes -- because\n"
    with pytest.raises(CheckFailed, match=r"^FAIL no -- detail"):
        check_true("no", np.bool_(False), "detail")


def test_check_true_refuses_ambiguous_conditions():
    with pytest.raises(TypeError, match="np.all"):
        check_true("array", np.array([True, False]))
    with pytest.raises(TypeError, match="must be a bool"):
        check_true("number", 1)


def test_check_grad_passes_right_and_fails_wrong_gradient():
    f = lambda x: np.sum(x**3)
    x = np.array([0.5, -1.0, 2.0])
    assert check_grad("cubic", f, lambda x: 3 * x**2, x) is None
    with pytest.raises(CheckFailed, match="relative error"):
        check_grad("cubic wrong", f, lambda x: 2 * x**2, x)
    with pytest.raises(CheckFailed, match="shape"):
        check_grad("cubic shape", f, lambda x: 3 * x[:2] ** 2, x)


def test_expect_fail_passes_only_when_a_check_fails(capsys):
    with expect_fail("caught"):
        check_close("wrong", 1.0, 2.0)
    assert capsys.readouterr().out.startswith("PASS caught")
    with pytest.raises(CheckFailed, match="none did"):
        with expect_fail("not caught"):
            check_close("right", 1.0, 1.0)
    with pytest.raises(ZeroDivisionError):  # other errors are not swallowed
        with expect_fail():
            1 / 0  # noqa: B018


def test_a_passing_check_on_a_cells_last_line_shows_only_its_pass_line(capsys):
    # a real IPython shell, as in a notebook: the displayhook echoes any value but None
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    result = shell.run_cell('from helpers import check_true\ncheck_true("quiet", True)')
    out = capsys.readouterr().out
    assert result.success and result.result is None
    assert out.splitlines() == ["PASS quiet"], out
    shell.run_cell("1 + 1")  # the test can fail: a value on the last line is echoed
    assert "2" in capsys.readouterr().out
