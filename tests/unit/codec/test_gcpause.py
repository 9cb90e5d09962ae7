"""kubeset.codec.gcpause: large decodes with the cyclic garbage collector paused."""

from __future__ import annotations


def test_decode_large_pauses_gc_and_restores_it() -> None:
    import gc

    from kubeset.codec import decode_large, gc_paused
    from kubeset.kubernetes.models.core.v1 import PodList

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    items = ",".join(f'{{"metadata":{{"name":"p{i}"}}}}' for i in range(3000))
    data = f'{{"apiVersion":"v1","kind":"PodList","items":[{items}]}}'.encode()
    pods = decode_large(PodList, data)
    assert pods.items is not None and len(pods.items) == 3000 and gc.isenabled()


def test_gc_stays_paused_until_the_last_thread_leaves() -> None:
    """Two overlapping decodes in two threads: the first to finish must not resume collection."""
    import gc
    import threading

    from kubeset.codec import gc_paused

    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other)
    with gc_paused():  # this thread begins first and ends first
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled(), "resumed while another thread was still decoding"
    release.set()
    worker.join(10)
    assert gc.isenabled()
