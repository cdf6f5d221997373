from django.core.cache import cache


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    cache.set("cache-test", {"answer": 42}, 5)
    assert cache.get("cache-test") == {"answer": 42}
