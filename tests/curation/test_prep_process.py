"""The ingest helper process answers exactly as in-process computation, and survives its child dying."""

import numpy as np
import pytest

from curation.prep_process import PrepProcess, compute

TEXTS = [
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound.",
    "Zum Kühlen einer Verbrennung zwanzig Minuten lang kaltes Wasser über die Haut laufen lassen.",
    "止血するには清潔な布で傷口をしっかり押さえてください。",
    "asdf asdf asdf asdf asdf asdf asdf asdf",
    "",
]


@pytest.fixture
def helper():
    process = PrepProcess()
    yield process
    process.close()


def test_the_child_answers_as_in_process_computation(helper):
    signatures, heuristics, embedded = helper.run(TEXTS, 128, 5, meanwhile=lambda: "embedded meanwhile")
    expected_signatures, expected_heuristics = compute(TEXTS, 128, 5)
    assert np.array_equal(signatures, expected_signatures) and signatures.dtype == np.uint32
    assert heuristics == expected_heuristics
    assert embedded == "embedded meanwhile"
    assert helper._child is not None and helper._child.poll() is None  # kept for the next chunk


def test_a_dead_child_is_replaced_and_nothing_is_lost(helper):
    helper.run(TEXTS[:1], 128, 5)
    first = helper._child
    first.kill()  # between chunks
    first.wait()
    signatures, heuristics, _ = helper.run(TEXTS, 64, 3)
    assert np.array_equal(signatures, compute(TEXTS, 64, 3)[0]) and heuristics == compute(TEXTS, 64, 3)[1]
    second = helper._child
    assert second is not first and second.poll() is None

    def kill_while_it_works():
        second.kill()
        second.wait()

    # Killed with a request in flight: this chunk is computed in-process, the next gets a new child.
    signatures, heuristics, _ = helper.run(TEXTS, 128, 5, meanwhile=kill_while_it_works)
    assert np.array_equal(signatures, compute(TEXTS, 128, 5)[0]) and heuristics == compute(TEXTS, 128, 5)[1]
    helper.run(TEXTS[:1], 128, 5)
    assert helper._child not in (None, first, second) and helper._child.poll() is None


def test_an_error_in_the_child_is_raised_with_its_traceback(helper):
    with pytest.raises(RuntimeError, match="shingle"):
        helper.run(TEXTS, 128, 0)
    signatures, _, _ = helper.run(TEXTS[:2], 128, 5)  # the child is still serving
    assert signatures.shape == (2, 128)
