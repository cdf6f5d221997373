"""A stage's thread pools start in the stage's context: what a worker bound for its log lines reaches their threads."""

import contextvars

from mediakit.threads import pool_in_context

job_id = contextvars.ContextVar("job_id", default=None)


def test_the_pools_threads_see_what_was_bound_when_it_was_made():
    def bound_then_pooled() -> list:
        job_id.set("job-1")
        with pool_in_context(max_workers=2) as pool:
            return list(pool.map(lambda _: job_id.get(), range(6)))

    assert contextvars.copy_context().run(bound_then_pooled) == ["job-1"] * 6
    assert job_id.get() is None  # the caller's own context is left as it was


def test_each_pool_takes_its_own_creators_context():
    def pooled_as(name: str) -> str:
        job_id.set(name)
        with pool_in_context(max_workers=1) as pool:
            return pool.submit(job_id.get).result()

    assert [contextvars.copy_context().run(pooled_as, name) for name in ("a", "b")] == ["a", "b"]
