"""The child process of `curation.prep_process`: reads pickled (texts, num_perm, shingle_size)
requests from stdin until it closes, answers each with ("ok", signatures, heuristics) or
("error", traceback) on its original stdout. Anything else it prints goes to stderr, so stray
output can never corrupt an answer. Exits when its parent goes (stdin at end of file)."""

import os
import pickle
import sys
import traceback


def serve() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    from curation.prep_process import compute

    while True:
        try:
            texts, num_perm, shingle_size = pickle.load(requests)
        except EOFError:
            return
        try:
            signatures, heuristics = compute(texts, num_perm, shingle_size)
            answer = ("ok", signatures, heuristics)
        except Exception:  # noqa: BLE001 — reported to the parent, which raises it
            answer = ("error", traceback.format_exc())
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    serve()
