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
