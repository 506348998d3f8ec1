"""LatestSlot and AudioRing: drop, backpressure and gap behaviour under real threads."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.latest_slot import LatestSlot, SlotClosed
from verification.pipeline.windows import WindowPlan

RATE = 16_000


def test_slot_newest_wins_and_counts_drops() -> None:
    slot: LatestSlot[int] = LatestSlot()
    for i in range(5):
        slot.put(i)
    assert slot.get(timeout=0) == 4
    assert slot.dropped == 4
    assert slot.get(timeout=0.01) is None


def test_slot_lossless_waits_for_consumer() -> None:
    slot: LatestSlot[int] = LatestSlot(lossless=True)
    got: list[int] = []

    def consume() -> None:
        while True:
            item = slot.get(timeout=1)
            if item is None:
                return
            got.append(item)
            time.sleep(0.001)

    consumer = threading.Thread(target=consume)
    consumer.start()
    for i in range(200):
        assert slot.put(i, timeout=2)
    slot.close()
    consumer.join(2)
    assert got == list(range(200))
    assert slot.dropped == 0


def test_slot_lossless_put_times_out_and_close_unblocks() -> None:
    slot: LatestSlot[int] = LatestSlot(lossless=True)
    slot.put(1)
    assert slot.put(2, timeout=0.05) is False
    threading.Timer(0.05, slot.close).start()
    with pytest.raises(SlotClosed):
        slot.put(3, timeout=2)
    assert slot.get(timeout=0) == 1  # what was stored before close is still delivered
    assert slot.get(timeout=0) is None


def test_ring_drop_oldest_marks_gap() -> None:
    ring = AudioRing(RATE, capacity_s=1.0)
    tone = np.ones(RATE // 2, dtype=np.float32)
    for k in range(4):  # 2 s into a 1 s ring: the first second is dropped
        ring.append(tone * (k + 1), pts=k * 0.5, captured_at=0.0)
    assert ring.dropped_samples == RATE
    assert ring.start_index == RATE
    early = ring.read(0, RATE // 2)
    assert early.gap and not early.samples.any()
    late = ring.read(RATE, 2 * RATE)
    assert not late.gap
    assert late.samples[0] == 3.0 and late.samples[-1] == 4.0


def test_ring_keeps_every_sample_across_many_wraps() -> None:
    # Chunk sizes that never divide the capacity, so writes and reads straddle the wrap point.
    rate, rng = 100, np.random.default_rng(0)
    ring = AudioRing(rate, capacity_s=1.0)
    signal = rng.standard_normal(5_000).astype(np.float32)
    at = 0
    while at < signal.size:
        n = int(rng.integers(1, 71))
        ring.append(signal[at:at + n], pts=at / rate, captured_at=0.0)
        at = min(at + n, signal.size)
        a = max(0, at - int(rng.integers(1, 101)))
        span = ring.read(a, at)
        np.testing.assert_array_equal(span.samples, signal[a:at])
        assert not span.gap
    assert ring.start_index == signal.size - rate and ring.dropped_samples == signal.size - rate


def test_ring_timestamp_jump_is_zero_filled_gap() -> None:
    ring = AudioRing(RATE, capacity_s=5.0)
    ring.append(np.ones(RATE, np.float32), pts=0.0, captured_at=0.0)
    ring.append(np.ones(RATE, np.float32), pts=1.5, captured_at=0.0)  # 0.5 s lost
    assert ring.end_index == int(2.5 * RATE)
    assert ring.gap_samples == RATE // 2
    span = ring.read(int(1.1 * RATE), int(1.4 * RATE))
    assert span.gap and not span.samples.any()
    assert not ring.read(0, RATE).gap


def test_ring_overlapping_chunk_keeps_existing_samples() -> None:
    ring = AudioRing(RATE, capacity_s=5.0)
    ring.append(np.ones(RATE, np.float32), pts=0.0, captured_at=0.0)
    ring.append(np.full(RATE, 2.0, np.float32), pts=0.5, captured_at=0.0)
    assert ring.end_index == int(1.5 * RATE)
    assert ring.read(int(0.9 * RATE), int(1.1 * RATE)).samples.tolist() == [1.0] * 1600 + [2.0] * 1600


def test_ring_lossless_writer_waits_for_release() -> None:
    ring = AudioRing(RATE, capacity_s=1.0, lossless=True)
    done = threading.Event()

    def write() -> None:
        for k in range(4):
            ring.append(np.full(RATE // 2, k, np.float32), pts=k * 0.5, captured_at=0.0)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.2)  # blocked: ring full, nothing released
    first = ring.read(0, RATE)
    ring.release(RATE)
    assert done.wait(2)
    writer.join()
    assert ring.dropped_samples == 0
    assert first.samples[0] == 0 and first.samples[-1] == 1
    assert ring.read(RATE, 2 * RATE).samples[-1] == 3


def test_window_plan_hops_and_tail() -> None:
    plan = WindowPlan(RATE, length_s=2.0, hop_s=0.5, min_tail_s=1.0)
    plan.start_at(0)
    spans = []
    while (span := plan.next_window(int(3.2 * RATE), ended=True)) is not None:
        spans.append((span[0] / RATE, span[1] / RATE))
    assert spans == [(0.0, 2.0), (0.5, 2.5), (1.0, 3.0), (1.5, 3.2)]


def test_window_plan_short_recording_gets_one_window() -> None:
    plan = WindowPlan(RATE, length_s=2.0, hop_s=0.5, min_tail_s=1.0)
    plan.start_at(0)
    assert plan.next_window(int(1.2 * RATE), ended=False) is None
    assert plan.next_window(int(1.2 * RATE), ended=True) == (0, int(1.2 * RATE))
    assert plan.next_window(int(1.2 * RATE), ended=True) is None
    too_short = WindowPlan(RATE, min_tail_s=1.0)
    too_short.start_at(0)
    assert too_short.next_window(int(0.5 * RATE), ended=True) is None
