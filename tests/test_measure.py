"""helpers.measure.peak_bytes: what it measures, and the errors it gives for misuse."""

import tracemalloc

import numpy as np
import pytest

from helpers import peak_bytes, torch_allocations, torch_peak_bytes

MIB = 2**20


def test_peak_of_one_array_is_its_size():
    # a 1 MiB float64 array; a measurement that missed it would report ~0, one that doubled it 2 MiB
    assert peak_bytes(lambda: np.ones(MIB // 8)) == pytest.approx(MIB, rel=0.01)


def test_peak_counts_arrays_alive_at_once_not_their_sum():
    def two_at_once():
        a, b = np.ones(MIB // 8), np.ones(MIB // 8)
        return a, b

    def one_after_another():
        for _ in range(2):
            np.ones(MIB // 8)

    assert peak_bytes(two_at_once) == pytest.approx(2 * MIB, rel=0.01)
    assert peak_bytes(one_after_another) == pytest.approx(MIB, rel=0.01)


def test_a_computation_that_allocates_nothing_measures_near_zero():
    assert 0 <= peak_bytes(lambda: 1 + 1) < 1024


@pytest.mark.parametrize("bad", [None, 3, "np.ones(3)"])
def test_not_callable_is_a_type_error(bad):
    with pytest.raises(TypeError, match="callable"):
        peak_bytes(bad)


@pytest.mark.parametrize("runs", [0, -1, 1.5, True])
def test_runs_must_be_a_positive_int(runs):
    with pytest.raises(ValueError, match="runs"):
        peak_bytes(lambda: None, runs=runs)


def test_refuses_to_end_a_trace_it_did_not_start():
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match="already tracing"):
            peak_bytes(lambda: None)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


def test_tracing_stops_when_the_computation_raises():
    def boom():
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        peak_bytes(boom)
    assert not tracemalloc.is_tracing()


def test_the_two_meters_see_different_allocators():
    # tracemalloc sees NumPy and not PyTorch's CPU allocator; the profiler the other way round
    torch = pytest.importorskip("torch")
    numpy_array = lambda: np.ones(MIB // 8)
    torch_tensor = lambda: torch.ones(MIB // 8, dtype=torch.float64)
    assert peak_bytes(numpy_array) == pytest.approx(MIB, rel=0.01)
    assert peak_bytes(torch_tensor) < MIB / 100
    assert torch_peak_bytes(torch_tensor) == MIB
    assert torch_peak_bytes(numpy_array) == 0


def test_torch_peak_is_the_running_maximum():
    torch = pytest.importorskip("torch")

    def one_after_another():
        for _ in range(3):
            torch.ones(MIB // 8, dtype=torch.float64)

    records, _ = torch_allocations(one_after_another)
    assert records == [MIB, -MIB] * 3
    assert torch_peak_bytes(one_after_another) == MIB


def test_torch_allocations_returns_the_result_and_rejects_non_callables():
    torch = pytest.importorskip("torch")
    _, result = torch_allocations(lambda: torch.arange(3))
    assert result.tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="callable"):
        torch_allocations(torch.arange(3))
