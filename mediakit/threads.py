"""Thread pools whose threads start in their creator's context.

A worker binds what its log lines should say (the job, the stage) in context variables; a thread a plain
ThreadPoolExecutor starts has none of them, so lines logged in a stage's threads (the speech cache, the
recogniser, ffmpeg runs) would lose them. Pools are made inside a stage, so the creator's context is the stage's.
"""

import contextvars
from concurrent.futures import ThreadPoolExecutor


def pool_in_context(max_workers: int, **kwargs) -> ThreadPoolExecutor:
    context = contextvars.copy_context()

    def inherit() -> None:
        for variable, value in context.items():
            variable.set(value)

    return ThreadPoolExecutor(max_workers=max_workers, initializer=inherit, **kwargs)
