"""The channel layer live progress travels on: channels-redis, with two changes.

No read timeout on its blocking reads. redis-py 8 gives every read a 5 s socket timeout by default, the same 5 s
channels-redis waits in BZPOPMIN for the next message: under load the socket timeout won the race and the consumer
died ("Timeout reading from socket"). Redis itself ends each BZPOPMIN after 5 s, so reads need no client-side
timeout; connecting keeps one.

One round trip a message while messages wait. All the sockets of one web process receive through one list, one
message at a time under a lock, and channels-redis spends three round trips on each (a script putting back messages
of a receiver that died, BZPOPMIN, ZADD to the in-flight backup): with 250 sockets a process each getting an event,
those trips, queued behind each other on a busy machine, were much of the delay (bench/watchers.py). The same three
steps run as one script when a message is already there; only an empty list waits in BZPOPMIN as before.
"""

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import ConnectionPool

CONNECT_TIMEOUT = 5

# KEYS[1]: the channel's list, KEYS[2]: its in-flight backup. As channels-redis's own clean-up script, then
# ZPOPMIN instead of BZPOPMIN, then the backup: the popped message, or nil when none waits.
POP_WAITING = """
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] then
    redis.call('ZADD', KEYS[2], popped[2], popped[1])
    return popped[1]
end
return false
"""


class RedisChannelLayer(_RedisChannelLayer):
    def create_pool(self, index: int) -> ConnectionPool:
        pool = super().create_pool(index)
        pool.connection_kwargs.update(socket_timeout=None, socket_connect_timeout=CONNECT_TIMEOUT)
        return pool

    async def _brpop_with_clean(self, index: int, channel: str, timeout: int) -> bytes | None:
        waiting = await self.connection(index).eval(POP_WAITING, 2, channel, self._backup_channel_name(channel))
        if waiting is not None:
            return waiting
        return await super()._brpop_with_clean(index, channel, timeout)
