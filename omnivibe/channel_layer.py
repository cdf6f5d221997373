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

Two round trips a group send instead of four (one Redis, as we run it): the group's members with its expired ones
dropped, then one script that drops each list's expired messages and adds the event where there is room. The
messages are channels-redis's own (`_map_channel_keys_to_connection`), so receivers read them as before.
"""

import logging
import time

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import ConnectionPool

CONNECT_TIMEOUT = 5
logger = logging.getLogger(__name__)

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

# KEYS[1]: the group; ARGV[1]: members added before this have expired. The members left.
GROUP_MEMBERS = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""
# KEYS: the lists; ARGV: a message for each, a capacity for each, now, the messages' expiry. channels-redis's own
# delivery script, each list's expired messages dropped first (its separate pipeline did that). Returns how many
# lists were full.
GROUP_DELIVER = """
local over_capacity = 0
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
for i=1,#KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, math.floor(tonumber(current_time)) - tonumber(expiry))
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
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

    async def group_send(self, group: str, message: dict) -> None:
        if self.ring_size != 1:  # several Redis: a group's lists may live on others; channels-redis's way
            return await super().group_send(group, message)
        assert self.require_valid_group_name(group), "Group name not valid"
        connection = self.connection(0)
        expired = int(time.time()) - self.group_expiry
        members = await connection.eval(GROUP_MEMBERS, 1, self._group_key(group), expired)
        if not members:
            return None
        _, messages, capacities = self._map_channel_keys_to_connection([name.decode() for name in members], message)
        keys = list(messages)
        args = [messages[key] for key in keys] + [capacities[key] for key in keys] + [time.time(), int(self.expiry)]
        over_capacity = await connection.eval(GROUP_DELIVER, len(keys), *keys, *args)
        if over_capacity:
            logger.info("%s of %s channels over capacity in group %s", over_capacity, len(members), group)
        return None
