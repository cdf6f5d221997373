"""The channel layer live progress travels on: channels-redis, without a read timeout on its blocking reads.

redis-py 8 gives every read a 5 s socket timeout by default, the same 5 s channels-redis waits in BZPOPMIN for
the next message: under load the socket timeout won the race and the consumer died ("Timeout reading from
socket"). Redis itself ends each BZPOPMIN after 5 s, so reads need no client-side timeout; connecting keeps one.
"""

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import ConnectionPool

CONNECT_TIMEOUT = 5


class RedisChannelLayer(_RedisChannelLayer):
    def create_pool(self, index: int) -> ConnectionPool:
        pool = super().create_pool(index)
        pool.connection_kwargs.update(socket_timeout=None, socket_connect_timeout=CONNECT_TIMEOUT)
        return pool
