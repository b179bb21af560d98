"""badges.jsonld under threads (gunicorn gthread): pyld's process-wide context caches are
shared by every thread, so canonicalising from many threads at once must neither fail nor
change the result."""

import sys
import threading

from badges.jsonld import canonical_forms
from tests.badges.node import open_badge_credential

THREADS = 8
ROUNDS = 40


def _document(number: int) -> dict:
    # A context of its own per document: every thread adds to and evicts from pyld's LRU caches
    # (100 resolved contexts, 10 processed contexts each, 20 inverse contexts).
    credential = open_badge_credential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    credential["@context"] = [
        *credential["@context"],
        {f"note{number}": f"https://portal.example.jp/terms/{number}#note"},
    ]
    credential[f"note{number}"] = f"memo {number}"
    return credential


def test_canonicalising_from_many_threads_at_once_neither_fails_nor_changes_the_result():
    documents = [_document(number) for number in range(THREADS * 4)]
    expected = {index: canonical_forms(doc).codepoint for index, doc in enumerate(documents)}
    errors: list[BaseException] = []
    wrong: list[int] = []
    start = threading.Barrier(THREADS)

    def work(offset: int) -> None:
        start.wait()
        try:
            for round_ in range(ROUNDS):
                index = (offset + round_ * THREADS) % len(documents)
                if canonical_forms(documents[index]).codepoint != expected[index]:
                    wrong.append(index)
        except BaseException as error:  # reported below, with its type
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up at once
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, [f"{type(error).__name__}: {error}" for error in errors[:3]]
    assert not wrong, f"different N-Quads for documents {sorted(set(wrong))}"
