import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def test_blocking_reads_have_no_client_side_timeout_to_race():
    kwargs = get_channel_layer().create_pool(0).connection_kwargs
    assert kwargs["socket_timeout"] is None and kwargs["socket_connect_timeout"] > 0


def test_a_receiver_idle_across_blocking_reads_still_gets_the_message():
    layer = get_channel_layer()

    async def wait_then_send() -> dict:
        channel = await layer.new_channel()
        started = time.monotonic()

        async def send_later() -> None:
            await asyncio.sleep(layer.brpop_timeout + 0.5)  # the receiver's first BZPOPMIN has come back empty
            await layer.send(channel, {"type": "progress", "percent": 40})

        sender = asyncio.create_task(send_later())
        message = await asyncio.wait_for(layer.receive(channel), timeout=layer.brpop_timeout * 3)
        await sender
        assert time.monotonic() - started >= layer.brpop_timeout
        return message

    assert async_to_sync(wait_then_send)() == {"type": "progress", "percent": 40}


def test_many_sockets_of_one_process_each_get_an_event_sent_to_their_groups():
    layer = get_channel_layer()
    sockets = 300  # over channels-redis's default capacity (100) of the one list a process's sockets share

    async def send_to_each() -> list[int]:
        channels = [await layer.new_channel() for _ in range(sockets)]
        for number, channel in enumerate(channels):  # one job each, as a page per job would watch
            await layer.group_add(f"capacity-test-{number}", channel)
        for number in range(sockets):
            await layer.group_send(f"capacity-test-{number}", {"type": "job.changed", "number": number})
        received = []

        async def receive(channel: str) -> None:  # each socket waits at once, as consumers do
            received.append((await layer.receive(channel))["number"])

        await asyncio.wait([asyncio.create_task(receive(channel)) for channel in channels], timeout=20)
        return received

    assert sorted(async_to_sync(send_to_each)()) == list(range(sockets))
