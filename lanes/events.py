"""Events for the channel layer (live progress) sent from sync code: render workers, views, tasks.

`async_to_sync(layer.group_send)` called from a thread without an event loop starts a new loop, in a new thread,
for every call, and channels-redis keeps its Redis connections per loop: each event paid for a new connection,
~2.4 ms against ~0.1 ms on a kept one (measured on this machine; in bench/watchers.py four render workers took
1.1-1.6 s to report 500 jobs' progress, and the watchers' updates arrived as they finished). Here one loop per
process, on a daemon thread of its own, sends every event over its kept connection; `group_send` waits for its event
to be sent, so events leave in the order they were made and a channel layer failure still raises in the caller (which
logs it: `on_commit(robust=True)`).

The layer's backend (channels-redis, redis.asyncio, msgpack) is imported with this module, not by the first event:
that import took 0.36-0.6 s on the busy 2-core machine, and every watcher of a process's first event waited for it.
"""

import asyncio
import concurrent.futures
import os
import threading

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils.module_loading import import_string

SEND_TIMEOUT_SECONDS = 5.0  # a Redis that does not answer costs a live update, never a stuck render

import_string(settings.CHANNEL_LAYERS[DEFAULT_CHANNEL_LAYER]["BACKEND"])  # see above: before any event waits

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def group_send(group: str, message: dict) -> None:
    """`message` to every socket in `group`, through this process's kept connection; raises what sending raised."""
    future = asyncio.run_coroutine_threadsafe(get_channel_layer().group_send(group, message), _events_loop())
    try:
        future.result(timeout=SEND_TIMEOUT_SECONDS)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise


def _events_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():  # a forked worker (django-q2) has none of its parent's threads
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-layer-events", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop
