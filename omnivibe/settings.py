"""OmniVibe settings: one module, driven by the environment (12-factor).

Every value has a default that runs on a laptop with no keys (SQLite, embedded Redis started by
`manage.py runstack`). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import dj_database_url

from omnivibe.env import env_bool, env_choice, env_float, env_int, env_list, env_secret, env_str
from omnivibe.logs import logging_config
from omnivibe.object_storage import bucket_origins, object_storage_options, presigning_options
from omnivibe.sentry import init_sentry
from omnivibe.websockets import websocket_origins

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OMNIVIBE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Empty in production unless set: the omnivibe.E001 system check refuses to run, and Django refuses
# any request, while offline commands (makemigrations) still work.
SECRET_KEY = env_secret("SECRET_KEY", "dev-only-insecure-key" if DEBUG else "")
# Keys SECRET_KEY had before a rotation: sessions, signed links and stored secrets (accounts/secrets.py) made
# with them still open; everything new uses SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "django_htmx",
    "csp",
    "django_q",
    "django_prometheus",
    "rest_framework",
    "djstripe",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "omnivibe",
    "accounts",
    "scripts",
    "writer",
    "studio",
    "voices",
    "renders",
    "publishing",
    "billing",
    "api",
    "telemetry",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first and last: they time the whole stack
    "omnivibe.request_log.request_log",  # a request id on every line logged while serving; one line per request
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "omnivibe.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.errors.ApiErrorMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "omnivibe.storage_errors.StorageErrorMiddleware",  # a failing bucket: 503 with a sentence, not a 500
    "axes.middleware.AxesMiddleware",  # last of ours, as django-axes requires
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "omnivibe.urls"
WSGI_APPLICATION = "omnivibe.wsgi.application"
ASGI_APPLICATION = "omnivibe.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.workspaces",
                "omnivibe.websockets.websocket_base",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Connections are kept between requests (DATABASE_CONN_MAX_AGE seconds) only where the WSGI server sets it
# (omnivibe/wsgi.py): Django's docs rule persistent connections out under ASGI, whose threads come and go. Opening
# one costs more than a whole API request's queries (SQLite reads its schema anew: ~1.3 ms).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'omnivibe.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web and worker write at once: WAL lets readers run beside a writer, IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
    # Each connection also gets a page cache of SQLITE_CACHE_MB (negative cache_size: KiB, not pages), reads
    # through a memory map of up to SQLITE_MMAP_MB, and sorts and temporary indexes in memory, not in temp files.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            f"PRAGMA cache_size=-{env_int('SQLITE_CACHE_MB', 64) * 1024}; "
            f"PRAGMA mmap_size={env_int('SQLITE_MMAP_MB', 256) * 1024 * 1024}; PRAGMA temp_store=MEMORY;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and shared cache ----------------------------------------------------
# `manage.py runstack` starts an embedded Redis and passes its socket (var/run/<pid>-…/redis.sock, one per
# run) to the processes it starts; production points at a real server. Web and worker must see the same one.
REDIS_URL = env_str("REDIS_URL", f"unix://{VAR_DIR / 'redis.sock'}")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "omnivibe.channel_layer.RedisChannelLayer",
        # capacity: messages waiting per Redis list. All the sockets of one web process share one list, and a
        # group send past the capacity is dropped without an error: channels-redis's 100 lost a third of the
        # progress events for 500 watchers of 500 jobs (bench/watchers.py --jobs 500). Events are ~100 bytes
        # and expire after a minute.
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env_str("CHANNELS_PREFIX", "omnivibe"),
            "capacity": env_int("CHANNELS_CAPACITY", 10000),
        },
    }
}
CACHES = {
    "default": {
        "BACKEND": "omnivibe.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_PREFIX", "omnivibe"),
    }
}

# --- Worker (django-q2): two lanes, so short work never waits behind a long render (lanes/) -------
# The render lane (this cluster, WORKER_PROCESSES workers) takes video renders and long narrations; the fast
# lane (FAST_CLUSTER, a second `qcluster` started with Q_CLUSTER_NAME=fast, FAST_WORKER_PROCESSES workers)
# takes everything short: webhooks, Stripe events, vendor clean-up, short narrations (previews, a regenerated
# block). Broker: the ORM by default (it acknowledges tasks, so a killed worker loses nothing);
# Q_BROKER=redis in production takes the database out of polling (a task in a dying worker is lost: the sweep
# re-sends a lost render's task, webhooks and retries have their own schedules).
RENDER_TIMEOUT = env_int("RENDER_TIMEOUT", 1800)
Q_BROKER = env_choice("Q_BROKER", "orm", ("orm", "redis"))
Q_CLUSTER = {
    "name": "omnivibe",
    "workers": env_int("WORKER_PROCESSES", 1),
    "timeout": RENDER_TIMEOUT,
    # Must exceed timeout or a long render would run twice. Only a backstop: a task whose worker died comes
    # back this late, and finds its job already run again or failed by the `renders.sweep_jobs` schedule.
    "retry": RENDER_TIMEOUT + 60,
    "max_attempts": 2,
    "ack_failures": True,  # a task that raised is recorded as failed, never re-run forever
    "save_limit": 500,
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
    "poll": 0.5,
}
if Q_BROKER == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
FAST_CLUSTER = "fast"
FAST_TIMEOUT = env_int("FAST_TIMEOUT", 300)  # the longest short task: a narration of FAST_RENDER_MAX_SECONDS
# Narration-only jobs estimated at most this long run on the fast lane; videos always take the render lane.
FAST_RENDER_MAX_SECONDS = env_int("FAST_RENDER_MAX_SECONDS", 60)
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 10.0)  # seconds for one attempt in all: connect, send, answer
Q_CLUSTER["ALT_CLUSTERS"] = {
    FAST_CLUSTER: {
        "workers": env_int("FAST_WORKER_PROCESSES", 2),
        "timeout": max(FAST_TIMEOUT, int(WEBHOOK_TIMEOUT) + 30),
        "retry": max(FAST_TIMEOUT, int(WEBHOOK_TIMEOUT) + 30) + 60,
    }
}
# Retryable failures (a vendor unreachable, Stripe down) run again after a growing wait: TASK_RETRY_BASE_SECONDS,
# doubled each time up to TASK_RETRY_MAX_SECONDS, TASK_RETRY_ATTEMPTS tries in all (lanes.run_retrying).
TASK_RETRY_ATTEMPTS = env_int("TASK_RETRY_ATTEMPTS", 6)
TASK_RETRY_BASE_SECONDS = env_float("TASK_RETRY_BASE_SECONDS", 30.0)
TASK_RETRY_MAX_SECONDS = env_float("TASK_RETRY_MAX_SECONDS", 3600.0)
# A running render's worker stamps `RenderJob.heartbeat_at` every RENDER_HEARTBEAT_INTERVAL s. The
# `renders.sweep_jobs` schedule (every minute) takes a job whose beat is older than RENDER_HEARTBEAT_TIMEOUT
# for one whose worker died: it queues it again, up to RENDER_MAX_ATTEMPTS starts in all, then fails it.
RENDER_HEARTBEAT_INTERVAL = env_float("RENDER_HEARTBEAT_INTERVAL", 10.0)
RENDER_HEARTBEAT_TIMEOUT = env_float("RENDER_HEARTBEAT_TIMEOUT", 90.0)
RENDER_MAX_ATTEMPTS = env_int("RENDER_MAX_ATTEMPTS", 3)
# The sweep leaves a queued job without a broker task, or a work directory no running job owns, alone this long.
RENDER_SWEEP_GRACE = env_int("RENDER_SWEEP_GRACE", 120)
# Jobs without a heartbeat (the drop-in API's speech, run in a web request) count as lost this long after they
# started: the sweep fails them, which releases their quota.
RENDER_STALE_AFTER = Q_CLUSTER["retry"] + 300

# --- Auth (django-allauth: e-mail + password) -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "omnivibe.admin_lockout.AxesWebBackend",  # first: refuses a locked-out admin sign-in before any password check
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
# Proxies in front of the web server whose X-Forwarded-For we believe (0: none, the header is ignored). One rule
# for every per-client limit: omnivibe.client_ip, allauth's, DRF's (NUM_PROXIES) and the admin lockout's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# The admin sign-in is locked after repeated failures (django-axes), as allauth limits the Studio's /accounts/
# sign-in: per client address and per username, for a cool-off period. Studio logins stay with allauth's limits.
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "omnivibe.admin_lockout.AdminOnlyAxesHandler"
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "omnivibe.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Two-factor sign-in (allauth's MFA): an authenticator app (TOTP) with recovery codes; keys stored encrypted.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OmniVibe"
MFA_TOTP_TOLERANCE = 1  # the code before and after the current one count too: a phone's clock may be 30 s off
MFA_ADAPTER = "accounts.mfa.EncryptingMFAAdapter"
LOGIN_REDIRECT_URL = "studio:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
LOGIN_URL = "account_login"
WORKSPACES_PER_OWNER = env_int("WORKSPACES_PER_OWNER", 10)  # "New workspace" is refused past this
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)  # an invitation link works this long (resending renews it)
INVITATIONS_PENDING_MAX = env_int("INVITATIONS_PENDING_MAX", 50)  # per workspace, waiting for an answer
AUDIT_KEEP_DAYS = env_int("AUDIT_KEEP_DAYS", 365)  # the audit log forgets older entries (daily schedule)
# With DEBUG, mails (invitations, password resets) land as files in var/mail/, for a person to open locally.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OmniVibe <noreply@omnivibe.local>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Files -------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the apps; collectstatic stays optional
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go through workspace-checked views
# Uploads, outputs and the speech cache: a local folder, or an S3-compatible bucket when one is named. Web and
# worker machines then share nothing but the bucket (renders/storage.py; downloads redirect to presigned URLs).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
OBJECT_STORAGE = object_storage_options(
    bucket=AWS_STORAGE_BUCKET_NAME,
    endpoint_url=env_str("AWS_S3_ENDPOINT_URL", ""),
    region=env_str("AWS_S3_REGION_NAME", env_str("AWS_DEFAULT_REGION", "us-east-1")),
    access_key=env_secret("AWS_ACCESS_KEY_ID", ""),
    secret_key=env_secret("AWS_SECRET_ACCESS_KEY", ""),
    addressing_style=env_str("AWS_S3_ADDRESSING_STYLE", ""),
    location=env_str("AWS_LOCATION", ""),
)
# Where people reach the bucket, when the app reaches it at another address (renders.storage.presigning).
AWS_S3_PUBLIC_ENDPOINT_URL = env_str("AWS_S3_PUBLIC_ENDPOINT_URL", "")
OBJECT_STORAGE_PRESIGNING = presigning_options(OBJECT_STORAGE, AWS_S3_PUBLIC_ENDPOINT_URL)
# Backups (omnivibe/backups.py): the database and media, daily, into the "backups" storage (a folder by
# default; point it at a bucket by giving STORAGES["backups"] another backend), kept BACKUP_KEEP_DAYS days.
BACKUP_ENABLED = env_bool("BACKUP_ENABLED", True)
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 7)
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": OBJECT_STORAGE}
        if OBJECT_STORAGE
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(BACKUP_DIR)}},
}

# --- Render pipeline ---------------------------------------------------------------------------
RENDER_WORK_DIR = Path(env_str("RENDER_WORK_DIR", str(VAR_DIR / "work")))
# Caches with a size limit, least recently used entries evicted first (renders/caches.py); 0: no limit.
SPEECH_CACHE_MAX_MB = env_int("SPEECH_CACHE_MAX_MB", 2048)  # finished narration units, in the default storage
# Each worker machine's copies of media downloaded from a remote storage (a bucket); unused with a local one.
MEDIA_CACHE_DIR = Path(env_str("MEDIA_CACHE_DIR", str(VAR_DIR / "media-cache")))
MEDIA_CACHE_MAX_MB = env_int("MEDIA_CACHE_MAX_MB", 1024)
# Generated motion looks, rendered once per look, colours and size and reused by every render on this machine.
RENDER_LOOK_CACHE = Path(env_str("RENDER_LOOK_CACHE", str(VAR_DIR / "looks")))
RENDER_MAX_SCRIPT_CHARS = env_int("RENDER_MAX_SCRIPT_CHARS", 20000)
RENDER_VIDEO_HEIGHT = env_int("RENDER_VIDEO_HEIGHT", 1080)
RENDER_PROGRESS_MIN_INTERVAL = env_float("RENDER_PROGRESS_MIN_INTERVAL", 0.25)
RENDER_VERIFY = env_bool("RENDER_VERIFY", True)  # hear every unit back with faster-whisper
RENDER_MAX_TRIES = env_int("RENDER_MAX_TRIES", 3)
RENDER_MAX_ERROR_RATE = env_float("RENDER_MAX_ERROR_RATE", 0.1)  # word error rate a unit may have
RENDER_SHORT_UNIT_WORDS = env_int("RENDER_SHORT_UNIT_WORDS", 3)  # a unit this short may have no error at all
RENDER_MUST_HEAR = env_bool("RENDER_MUST_HEAR", True)  # numbers, names, acronyms, pronunciations heard exactly
RENDER_VERIFY_WORKERS = env_int("RENDER_VERIFY_WORKERS", 2)  # recogniser passes at once per render
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 30)
FAST_LANE_MAX_WAIT = env_int("FAST_LANE_MAX_WAIT", 120)  # /healthz fails when a fast task waits longer

# --- Voices ------------------------------------------------------------------------------------
# ElevenLabs is offered only when a key is set; Piper (local) always works.
ELEVENLABS_API_KEY = env_secret("ELEVENLABS_API_KEY", "")
ELEVENLABS_BASE_URL = env_str("ELEVENLABS_BASE_URL", "https://api.elevenlabs.io")
ELEVENLABS_MODEL_ID = env_str("ELEVENLABS_MODEL_ID", "eleven_multilingual_v2")
ELEVENLABS_OUTPUT_FORMAT = env_str("ELEVENLABS_OUTPUT_FORMAT", "pcm_22050")  # or mp3_44100_128
ELEVENLABS_TIMEOUT = env_float("ELEVENLABS_TIMEOUT", 60.0)
ELEVENLABS_MAX_RETRIES = env_int("ELEVENLABS_MAX_RETRIES", 2)  # the SDK retries 429/5xx with backoff
VOICE_SAMPLE_MAX_BYTES = env_int("VOICE_SAMPLE_MAX_BYTES", 20 * 1024 * 1024)

# --- Visual sources (stock footage and pictures for scenes: mediakit/visuals, renders/visuals.py) ---------
# Each stock source is used only when its key is set; without keys scenes keep their generated looks.
PEXELS_API_KEY = env_secret("PEXELS_API_KEY", "")
PEXELS_BASE_URL = env_str("PEXELS_BASE_URL", "https://api.pexels.com")
PIXABAY_API_KEY = env_secret("PIXABAY_API_KEY", "")
PIXABAY_BASE_URL = env_str("PIXABAY_BASE_URL", "https://pixabay.com/api")
STOCK_TIMEOUT = env_float("STOCK_TIMEOUT", 10.0)  # seconds for one whole search answer
STOCK_DOWNLOAD_TIMEOUT = env_float("STOCK_DOWNLOAD_TIMEOUT", 60.0)  # seconds for one whole download
STOCK_MAX_DOWNLOAD_BYTES = env_int("STOCK_MAX_DOWNLOAD_BYTES", 50 * 1024 * 1024)
# AI video (mediakit/visuals/generated.py): off without keys. Runway makes a clip from a scene's words for
# scenes no other source filled (the "AI video" render option); HeyGen's avatar speaks the first scene's
# narration (the "avatar intro" option). Seconds made are counted against the plan's max_ai_video_seconds.
RUNWAY_API_KEY = env_secret("RUNWAY_API_KEY", "")
RUNWAY_BASE_URL = env_str("RUNWAY_BASE_URL", "https://api.dev.runwayml.com")
RUNWAY_MODEL = env_str("RUNWAY_MODEL", "veo3.1_fast")
RUNWAY_DOWNLOAD_HOSTS = env_list("RUNWAY_DOWNLOAD_HOSTS", "dnznrvs05pmza.cloudfront.net")  # where its clips are
HEYGEN_API_KEY = env_secret("HEYGEN_API_KEY", "")
HEYGEN_BASE_URL = env_str("HEYGEN_BASE_URL", "https://api.heygen.com")
HEYGEN_UPLOAD_URL = env_str("HEYGEN_UPLOAD_URL", "https://upload.heygen.com")
HEYGEN_AVATAR_ID = env_str("HEYGEN_AVATAR_ID", "")  # the presenter (an id from HeyGen's avatar list)
HEYGEN_DOWNLOAD_HOSTS = env_list("HEYGEN_DOWNLOAD_HOSTS", "heygen.ai,heygen.com")  # and their subdomains
AI_VIDEO_DEADLINE = env_float("AI_VIDEO_DEADLINE", 600.0)  # seconds for all of one render's generations
AI_VIDEO_POLL_INTERVAL = env_float("AI_VIDEO_POLL_INTERVAL", 5.0)

# --- The writer (drafts and rewrites from a language model: writer/, mediakit/writer/) -------------
# Each provider is offered only when its key is set; without any, the writer lays out an outline.
# The variable names are the SDKs' own, so an OpenAI-compatible server (llama.cpp, Ollama) works too.
OPENAI_API_KEY = env_secret("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "")
WRITER_OPENAI_MODEL = env_str("WRITER_OPENAI_MODEL", "gpt-4.1-mini")
ANTHROPIC_API_KEY = env_secret("ANTHROPIC_API_KEY", "")
ANTHROPIC_BASE_URL = env_str("ANTHROPIC_BASE_URL", "")
WRITER_ANTHROPIC_MODEL = env_str("WRITER_ANTHROPIC_MODEL", "claude-haiku-4-5")
WRITER_TIMEOUT = env_float("WRITER_TIMEOUT", 60.0)  # each read; WRITER_DEADLINE bounds a whole answer
WRITER_DEADLINE = env_float("WRITER_DEADLINE", 180.0)
WRITER_INLINE_SECONDS = env_float("WRITER_INLINE_SECONDS", 5.0)  # POST /drafts waits this long, then answers 202
WRITER_MAX_RETRIES = env_int("WRITER_MAX_RETRIES", 2)  # the SDKs retry 429/5xx with backoff
WRITER_MAX_OUTPUT_TOKENS = env_int("WRITER_MAX_OUTPUT_TOKENS", 4000)
# A draft of the API still queued or writing this long after it was asked for is failed (its worker died): two
# answers (the draft and its one repair), each up to WRITER_DEADLINE plus a last read's WRITER_TIMEOUT, and a
# minute waiting for the fast lane. Checked when it is polled and by the `writer.fail_stale_drafts` schedule; a
# series row drafting this long is failed by the `publishing.fail_stale_drafting_rows` schedule.
WRITER_DRAFT_STALE_AFTER = env_float("WRITER_DRAFT_STALE_AFTER", 2 * (WRITER_DEADLINE + WRITER_TIMEOUT) + 60)

# --- Publishing (publishing/): YouTube through Google's client, and signed webhook targets ----------------
# YouTube is offered only with an OAuth client (README: "Publishing to YouTube"); the URIs are Google's and are
# settings so tests can point them at a local fake.
GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = env_secret("GOOGLE_CLIENT_SECRET", "")
GOOGLE_AUTH_URI = env_str("GOOGLE_AUTH_URI", "https://accounts.google.com/o/oauth2/auth")
GOOGLE_TOKEN_URI = env_str("GOOGLE_TOKEN_URI", "https://oauth2.googleapis.com/token")
GOOGLE_REVOKE_URI = env_str("GOOGLE_REVOKE_URI", "https://oauth2.googleapis.com/revoke")
YOUTUBE_API_ENDPOINT = env_str("YOUTUBE_API_ENDPOINT", "")  # empty: Google's, from the packaged discovery document
YOUTUBE_TIMEOUT = env_float("YOUTUBE_TIMEOUT", 60.0)  # seconds for one HTTP exchange with Google
YOUTUBE_CHUNK_BYTES = env_int("YOUTUBE_CHUNK_BYTES", 8 * 1024 * 1024)  # resumable upload chunk (a multiple of 256 KiB)
YOUTUBE_UPLOAD_RESUMES = env_int("YOUTUBE_UPLOAD_RESUMES", 5)  # broken chunks resumed in one attempt
# A YouTube video is uploaded this long before its time, private with publishAt, so it goes live on time.
PUBLISH_EARLY_MINUTES = env_int("PUBLISH_EARLY_MINUTES", 0)

# --- Request bodies: refused (413) while they arrive, before more than the limit is read (omnivibe/body_limits.py)
MB = 1024 * 1024
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1 * MB)  # JSON APIs and forms without files
UPLOAD_MAX_BYTES = {  # whole forms, files included, on the few paths that take uploads
    "voice_sample": env_int("UPLOAD_MAX_BYTES_VOICE_SAMPLE", VOICE_SAMPLE_MAX_BYTES + MB),
    "campaign_media": env_int("UPLOAD_MAX_BYTES_CAMPAIGN_MEDIA", 26 * MB),  # a 5 MB logo and 20 MB of music
    "scene_media": env_int("UPLOAD_MAX_BYTES_SCENE_MEDIA", 51 * MB),  # a 50 MB picture or clip
    "admin": env_int("UPLOAD_MAX_BYTES_ADMIN", 51 * MB),  # add/change forms of the admin (staff only)
}
SERIES_MAX_UPLOAD_BYTES = env_int("SERIES_MAX_UPLOAD_BYTES", 1 * MB)  # a series' CSV or JSON file
UPLOAD_MAX_BYTES["series"] = SERIES_MAX_UPLOAD_BYTES + 64 * 1024  # the file and its form

# --- Billing: plans, quota, Stripe (through dj-stripe; see billing/) ------------------------
# With no secret key the billing page says payments are not configured; Free and staff-assigned
# plans keep working. dj-stripe reads STRIPE_SECRET_KEY / STRIPE_PUBLIC_KEY / STRIPE_LIVE_MODE.
STRIPE_LIVE_MODE = env_bool("STRIPE_LIVE_MODE", False)
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY", "")
STRIPE_PUBLIC_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
DJSTRIPE_WEBHOOK_SECRET = env_secret("DJSTRIPE_WEBHOOK_SECRET", "")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
# Our own calls (Checkout, portal, subscriptions) go here; tests point it at a local fake server.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)  # seconds a signature stays valid
# Price ids per paid plan; a price id set on the Plan in the admin wins.
STRIPE_PRICE_IDS = {slug: env_str(f"STRIPE_PRICE_{slug.upper()}", "") for slug in ("creator", "pro", "business")}
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 7)  # a past-due plan keeps working this long
# Quota estimate before a render: narration at this speaking rate, plus the script's pauses.
NARRATION_WORDS_PER_MINUTE = env_int("NARRATION_WORDS_PER_MINUTE", 150)
# Series (publishing): an upload's rows, and the length a topic-only row's script is drafted for (the file's
# size: SERIES_MAX_UPLOAD_BYTES, with the request limits).
SERIES_MAX_ROWS = env_int("SERIES_MAX_ROWS", 100)
SERIES_DRAFT_SECONDS = env_int("SERIES_DRAFT_SECONDS", 45)
# --- REST API (api/) ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # per-IP throttles read X-Forwarded-For only behind trusted proxies
    "UNAUTHENTICATED_USER": None,
}
# Seconds a found API key stays in the shared cache (revoking a key removes it at once; see api.keys.find_key).
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", 10)
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "120/min")  # per API key
# Requests without a valid key (none, wrong, revoked), per client address.
API_ANONYMOUS_THROTTLE_RATE = env_str("API_ANONYMOUS_THROTTLE_RATE", "30/min")
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 25 * 1024 * 1024)  # a 20 MB sample plus its form
API_DOWNLOAD_URL_MAX_AGE = env_int("API_DOWNLOAD_URL_MAX_AGE", 15 * 60)  # seconds a signed download link works
API_SPEECH_MAX_CHARS = env_int("API_SPEECH_MAX_CHARS", 4096)  # /v1/audio/speech and /v1/text-to-speech
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE = env_int("WEBHOOK_RETRY_BASE", 30)  # seconds before the 2nd attempt; doubles each time
# Webhooks never go to loopback/private/reserved addresses (no SSRF into our network), unless allowed here:
# all of them, or only these networks (e.g. "10.1.2.0/24" for a receiver inside a private network).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
WEBHOOK_ALLOWED_NETWORKS = [ip_network(network) for network in env_list("WEBHOOK_ALLOWED_NETWORKS", "")]
SPECTACULAR_SETTINGS = {
    "TITLE": "OmniVibe API",
    "DESCRIPTION": "Speakers, multi-speaker synthesis, video renders and jobs. Errors are always "
    '`{"error": {"code", "message", "details"}}`. See docs/API.md for webhooks and signed downloads.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security (production) ---------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
# X-Forwarded-Proto says "https" only when a trusted proxy set it; from anyone else it would fake a secure request.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is a promise to browsers that takes months to undo (hstspreload.org): only when the operator says so.
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]  # "preload is off": deliberately

# Where pages open their WebSockets: "" the page's origin, ":8001" its host on that port (`make serve`, compose),
# or an origin (omnivibe/websockets.py).
WEBSOCKET_URL = env_str("WEBSOCKET_URL", "")

# Content-Security-Policy (django-csp): scripts and styles come from our own static files only; page behaviour
# lives in static/js, htmx's indicator styles in our CSS. WebSockets (live progress): same-origin ('self'), or
# where WEBSOCKET_URL says.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Outputs (players, thumbnails) redirect to presigned URLs of the bucket when there is one.
        "img-src": ["'self'", "data:", "blob:", *bucket_origins(OBJECT_STORAGE_PRESIGNING)],
        "media-src": ["'self'", "data:", "blob:", *bucket_origins(OBJECT_STORAGE_PRESIGNING)],  # previews: data:
        "connect-src": ["'self'", *websocket_origins(WEBSOCKET_URL, ALLOWED_HOSTS)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY_DISABLED = [  # omnivibe.headers.PermissionsPolicyMiddleware
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "publickey-credentials-get", "usb", "xr-spatial-tracking",
]  # fmt: skip
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# GET /metrics (Prometheus) answers only a scraper sending `Authorization: Bearer <METRICS_TOKEN>`; off when unset.
METRICS_TOKEN = env_secret("METRICS_TOKEN", "")

# Logs (omnivibe/logs.py): JSON lines in production, readable text with DEBUG; request id, workspace, job and stage
# on every line where they apply.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"), env_str("Q_LOG_LEVEL", "WARNING"))

# Error reports to Sentry (omnivibe/sentry.py) when SENTRY_DSN is set: requests, django-q2 tasks, logged errors.
SENTRY_DSN = env_secret("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=env_str("SENTRY_RELEASE", "") or None,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
