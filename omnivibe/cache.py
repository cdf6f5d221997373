"""Django's Redis cache, with one Redis client per connection pool instead of one per cache call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every `get`/`set`, and each one fills its
table of response callbacks (~0.5 ms here, several times per API request: key lookup, throttle). A client is
thread-safe (every command takes a connection from the pool), so one per pool is enough.
"""

from django.core.cache.backends import redis as django_redis


class SharedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def redis(self, key: str):
        """The Redis client and the full name of `key`, for atomic work the cache API cannot express in one round
        trip (api/throttling.py's sliding window)."""
        name = self.make_and_validate_key(key)
        return self._cache.get_client(name, write=True), name
