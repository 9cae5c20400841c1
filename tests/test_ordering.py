"""Updates: one person's in order, one at a time; different people's at the same time."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.handlers.ordering import PerPersonUpdates


def message_from(user_id: int, update_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Uji"},
                "text": "/jadwal",
            },
        },
        None,
    )


async def test_one_persons_updates_run_in_order_and_others_alongside() -> None:
    processor = PerPersonUpdates(max_concurrent_updates=8)
    log: list[str] = []
    running: set[int] = set()
    overlaps: list[tuple[int, int]] = []

    async def handle(user_id: int, label: str, seconds: float) -> None:
        if user_id in running:
            overlaps.append((user_id, len(log)))
        running.add(user_id)
        log.append(f"{label}+")
        await asyncio.sleep(seconds)
        log.append(f"{label}-")
        running.discard(user_id)

    await asyncio.gather(
        processor.process_update(message_from(1, 1), handle(1, "a1", 0.05)),
        processor.process_update(message_from(1, 2), handle(1, "a2", 0.0)),
        processor.process_update(message_from(2, 3), handle(2, "b1", 0.0)),
    )
    assert overlaps == []  # never two of one person's updates at once
    assert log.index("a1-") < log.index("a2+")  # and in the order they came
    assert log.index("b1-") < log.index("a1-")  # someone else is not held up by a slow chat
    assert processor._locks == {}  # no lock left behind for people who are done
