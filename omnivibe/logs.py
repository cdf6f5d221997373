"""Logs: one line per event, JSON in production (`LOG_FORMAT=json`), readable text for development.

Every line carries what is bound in the current context (structlog's contextvars): the request middleware
(omnivibe/request_log.py) binds `request_id`, the access rule binds `workspace` once it knows it
(accounts.access, api.auth), the render worker binds `job_id` and `stage` (renders.services), django-q2's
workers the `task` (omnivibe/apps.py). Loggers of the standard library (ours, Django's, django-q2's) pass through
the same formatter, so their lines carry the same fields; `extra={...}` adds fields to one line.
"""

import structlog

# Applied to every line, from structlog or from the standard library's logging.
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(log_format: str, level: str, q_level: str) -> dict:
    """The LOGGING setting for `log_format` "json" or "text"; also points structlog at the standard library."""
    if log_format not in ("json", "text"):
        from omnivibe.env import SettingError

        raise SettingError(f"LOG_FORMAT={log_format!r} is not json or text")
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    if log_format == "json":
        render = [
            structlog.processors.format_exc_info,  # a traceback is one string field, not many lines
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(),
        ]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=False)]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
                "foreign_pre_chain": [*_SHARED, structlog.stdlib.ExtraAdder()],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django-q": {"level": q_level},  # django-q2's logger (a hyphen): one line per task at INFO
            "faster_whisper": {"level": "WARNING"},  # it logs every clip it hears at INFO
        },
    }
