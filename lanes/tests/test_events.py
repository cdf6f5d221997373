"""Events sent from sync code: one kept connection per process, in order, failures raised to the caller."""

import asyncio
import threading

import pytest
import redis.exceptions
from channels.layers import get_channel_layer

from lanes import events


def receive_all(channel: str, count: int) -> list[dict]:
    async def receive() -> list[dict]:
        layer = get_channel_layer()
        return [await asyncio.wait_for(layer.receive(channel), timeout=5) for _ in range(count)]

    return asyncio.run(receive())


def joined(group: str) -> str:
    async def join() -> str:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        return channel

    return asyncio.run(join())


def test_events_from_several_threads_arrive_each_threads_in_order():
    channel = joined("events-test")

    def send(sender: int) -> None:
        for number in range(20):
            events.group_send("events-test", {"type": "test.event", "sender": sender, "number": number})

    threads = [threading.Thread(target=send, args=(sender,)) for sender in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = receive_all(channel, 60)
    for sender in range(3):
        assert [event["number"] for event in received if event["sender"] == sender] == list(range(20))


def test_one_loop_and_one_connection_serve_every_event():
    events.group_send("events-test-loop", {"type": "test.event"})
    loop = events._events_loop()
    events.group_send("events-test-loop", {"type": "test.event"})
    assert events._events_loop() is loop and loop in get_channel_layer()._layers  # channels-redis: pools per loop


def test_a_channel_layer_failure_is_raised_to_the_caller(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "omnivibe.channel_layer.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1"]}}
    }
    with pytest.raises(redis.exceptions.ConnectionError):
        events.group_send("events-test-down", {"type": "test.event"})
