"""Work queue semantics (client-go's workqueue) with real threads and an injected FakeClock."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from kubeset.clock import FakeClock
from kubeset.workqueue import (
    BucketRateLimiter,
    DelayingQueue,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    Queue,
    QueueShutDown,
    RateLimiterError,
    RateLimitingQueue,
    default_controller_rate_limiter,
)

LIVENESS = 10.0  # seconds a thread may take to get somewhere (a bound for hangs, not a timing)


def until(predicate: object, what: str) -> None:
    deadline = time.monotonic() + LIVENESS
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {LIVENESS}s: {what}")
        time.sleep(0.001)


# -- Queue --------------------------------------------------------------------------------------
def test_queued_keys_are_deduplicated_and_fifo() -> None:
    q: Queue[str] = Queue()
    for key in ["a", "b", "a", "c", "b"]:
        q.add(key)
    assert len(q) == 3
    assert [q.get(), q.get(), q.get()] == ["a", "b", "c"]


def test_readd_during_processing_is_queued_again_on_done() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    assert q.get() == "a"
    q.add("a")  # while processing: not handed out again yet
    q.add("a")
    assert len(q) == 0
    with pytest.raises(TimeoutError):
        q.get(timeout=0.05)
    q.done("a")
    assert len(q) == 1
    assert q.get() == "a"
    q.done("a")
    assert len(q) == 0


def test_a_key_is_never_processed_by_two_workers_at_once() -> None:
    q: Queue[int] = Queue()
    active: Counter[int] = Counter()
    overlaps: list[int] = []
    processed: Counter[int] = Counter()
    lock = threading.Lock()

    def worker() -> None:
        while True:
            try:
                key = q.get()
            except QueueShutDown:
                return
            with lock:
                active[key] += 1
                if active[key] > 1:
                    overlaps.append(key)
            time.sleep(0.0005)
            with lock:
                active[key] -= 1
                processed[key] += 1
            q.done(key)

    workers = [threading.Thread(target=worker) for _ in range(6)]
    for w in workers:
        w.start()
    for _ in range(300):
        for key in range(5):
            q.add(key)
    assert q.shut_down_with_drain(timeout=LIVENESS)
    for w in workers:
        w.join(LIVENESS)
    assert overlaps == []
    assert set(processed) == set(range(5))  # every key processed at least once after its add


def test_shutdown_ignores_adds_hands_out_queued_keys_then_raises() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.add("b")
    q.shut_down()
    q.add("c")
    assert q.shutting_down()
    assert [q.get(), q.get()] == ["a", "b"]
    with pytest.raises(QueueShutDown):
        q.get()


def test_shutdown_wakes_a_blocked_worker() -> None:
    q: Queue[str] = Queue()
    outcome: list[str] = []

    def worker() -> None:
        try:
            q.get()
        except QueueShutDown:
            outcome.append("shut down")

    t = threading.Thread(target=worker)
    t.start()
    time.sleep(0.01)
    q.shut_down()
    t.join(LIVENESS)
    assert outcome == ["shut down"]


def test_shutdown_with_drain_waits_for_done() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    assert q.get() == "a"
    drained = threading.Event()

    def drain() -> None:
        q.shut_down_with_drain()
        drained.set()

    t = threading.Thread(target=drain)
    t.start()
    assert not drained.wait(0.05)  # "a" is still being processed
    q.done("a")
    t.join(LIVENESS)
    assert drained.is_set()
    assert q.shut_down_with_drain(timeout=0.01)  # nothing processing: returns at once


def test_shutdown_with_drain_times_out_when_a_worker_never_finishes() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.get()
    assert q.shut_down_with_drain(timeout=0.02) is False


# -- DelayingQueue --------------------------------------------------------------------------------
def test_add_after_waits_for_clock_time() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 1.0)
    q.add_after("now", 0)
    assert len(q) == 1 and q.get() == "now"
    assert q.waiting() == 1
    clock.step(0.999)
    assert len(q) == 0
    clock.step(0.001)
    assert len(q) == 1
    assert q.get() == "a"


def test_add_after_keeps_the_earliest_ready_time() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 5.0)
    q.add_after("a", 1.0)  # earlier wins
    q.add_after("a", 3.0)  # later ignored
    assert q.waiting() == 1
    clock.step(1.0)
    assert q.get() == "a"
    q.done("a")
    clock.step(10.0)
    assert len(q) == 0  # the superseded 5 s entry does not add it a second time


def test_delayed_items_come_out_in_ready_order_and_deduplicate_with_queued() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("c", 3.0)
    q.add_after("a", 1.0)
    q.add_after("b", 2.0)
    q.add("b")
    clock.step(3.0)
    assert [q.get(), q.get(), q.get()] == ["b", "a", "c"]
    assert len(q) == 0


def test_blocked_get_wakes_when_the_clock_reaches_the_ready_time() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    got: list[str] = []
    t = threading.Thread(target=lambda: got.append(q.get()))
    t.start()
    q.add_after("a", 10.0)
    until(lambda: clock.waiters() == 1, "the worker waits on the clock")
    assert got == []
    clock.step(10.0)
    t.join(LIVENESS)
    assert got == ["a"]


def test_add_after_is_ignored_after_shutdown_and_waiting_items_dropped() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 1.0)
    q.shut_down()
    q.add_after("b", 0)
    clock.step(5)
    with pytest.raises(QueueShutDown):
        q.get()


# -- rate limiters --------------------------------------------------------------------------------
def test_item_exponential_backoff_per_item_capped_and_forgotten() -> None:
    rl = ItemExponentialFailureRateLimiter(0.005, 1000.0)
    delays = [rl.when("a") for _ in range(5)]
    assert delays == [0.005, 0.01, 0.02, 0.04, 0.08]
    assert rl.when("b") == 0.005  # per item
    assert rl.num_requeues("a") == 5
    for _ in range(30):
        last = rl.when("a")
    assert last == 1000.0
    for _ in range(2000):  # no overflow far past the cap
        rl.when("a")
    assert rl.when("a") == 1000.0
    rl.forget("a")
    assert rl.num_requeues("a") == 0
    assert rl.when("a") == 0.005


def test_fast_slow_limiter() -> None:
    rl = ItemFastSlowRateLimiter(0.1, 5.0, 2)
    assert [rl.when("a"), rl.when("a"), rl.when("a")] == [0.1, 0.1, 5.0]
    assert rl.num_requeues("a") == 3
    rl.forget("a")
    assert rl.when("a") == 0.1


def test_bucket_limiter_burst_then_qps_with_injected_clock() -> None:
    clock = FakeClock()
    rl = BucketRateLimiter(10.0, 100, clock=clock)
    assert [rl.when(i) for i in range(100)] == [0.0] * 100  # the burst
    assert rl.when("x") == pytest.approx(0.1)  # then one token per 100 ms, in debt
    assert rl.when("y") == pytest.approx(0.2)
    clock.step(0.2)  # debt paid
    assert rl.when("z") == pytest.approx(0.1)
    clock.step(100.0)  # refills up to the burst only
    assert [rl.when(i) for i in range(100)] == [0.0] * 100
    assert rl.when("again") == pytest.approx(0.1)


def test_default_controller_rate_limiter_is_the_max_of_both() -> None:
    clock = FakeClock()
    rl = default_controller_rate_limiter(clock=clock)
    assert rl.when("a") == 0.005
    assert rl.when("a") == 0.01
    for i in range(98):  # empty the bucket (two tokens taken above)
        rl.when(f"k{i}")
    assert rl.when("fresh") == pytest.approx(0.1)  # the bucket dominates a first failure
    assert rl.num_requeues("a") == 2
    rl.forget("a")
    assert rl.num_requeues("a") == 0
    clock.step(1000)
    for _ in range(15):
        last = rl.when("slow")
    assert last == pytest.approx(0.005 * 2**14)  # the per-item backoff dominates


def test_max_of_needs_a_limiter() -> None:
    with pytest.raises(RateLimiterError, match="at least one"):
        MaxOfRateLimiter()


# -- RateLimitingQueue ----------------------------------------------------------------------------
def test_rate_limited_requeue_backs_off_and_forget_resets() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(
        ItemExponentialFailureRateLimiter(1.0, 60.0), clock=clock
    )
    got: list[tuple[str, int]] = []

    def worker() -> None:
        while True:
            try:
                key = q.get()
            except QueueShutDown:
                return
            got.append((key, q.num_requeues(key)))
            if q.num_requeues(key) < 3:
                q.add_rate_limited(key)  # "failed"
            else:
                q.forget(key)
            q.done(key)

    t = threading.Thread(target=worker)
    t.start()
    q.add("a")
    until(lambda: got == [("a", 0)] and clock.waiters() == 1, "first attempt, then backing off")
    clock.step(0.999)
    assert len(got) == 1
    clock.step(0.001)  # 1 s
    until(lambda: len(got) == 2 and clock.waiters() == 1, "second attempt")
    clock.step(1.999)
    assert len(got) == 2
    clock.step(0.001)  # 2 s
    until(lambda: len(got) == 3 and clock.waiters() == 1, "third attempt")
    clock.step(4.0)  # 4 s
    until(lambda: len(got) == 4, "fourth attempt")
    assert got == [("a", 0), ("a", 1), ("a", 2), ("a", 3)]
    until(lambda: q.num_requeues("a") == 0, "forgotten after success")
    q.shut_down()
    t.join(LIVENESS)
    assert not t.is_alive()


def test_default_rate_limiting_queue_uses_the_clock_it_is_given() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    q.add_rate_limited("a")
    assert len(q) == 0
    clock.step(0.005)
    assert q.get() == "a"
