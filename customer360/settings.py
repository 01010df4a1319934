"""Django settings for Customer 360 Lookup, read from environment variables.

Environment variables (all optional unless noted):

DEBUG                    "true" for development. Defaults to true under manage.py
                         and pytest, and to false under gunicorn (gunicorn.conf.py).
SECRET_KEY               Required when DEBUG is false.
ALLOWED_HOSTS            Comma-separated host names. Required when DEBUG is false.
CSRF_TRUSTED_ORIGINS     Comma-separated origins, when a proxy terminates TLS.
DATABASE_URL             Database URL (dj-database-url). Default: SQLite db.sqlite3.
REDIS_URL                Redis URL for the shared cache. Default: local-memory cache.
PRIMEDATA_BASE_URL       PrimeData API base URL. Set together with PRIMEDATA_API_KEY;
                         with neither, the in-process sandbox serves demo data.
PRIMEDATA_API_KEY        PrimeData API key (x-api-key). Never logged or rendered.
PRIMEDATA_CONNECT_TIMEOUT, PRIMEDATA_READ_TIMEOUT, PRIMEDATA_POOL_TIMEOUT
                         Seconds for each phase of one upstream attempt (2, 5, 1).
PRIMEDATA_DEADLINE       Seconds one page may spend on an upstream call, retries
                         and waits included (10). Keep it well under gunicorn's
                         worker timeout (gunicorn.conf.py).
PRIMEDATA_KEEPALIVE_SECONDS  Seconds an idle connection to PrimeData stays open for
                         reuse (20). Keep it below PrimeData's own idle limit.
PRIMEDATA_BREAKER_FAILURES  Failed calls in a row (PrimeData unreachable, 5xx or too
                         slow) after which the circuit breaker opens (3).
PRIMEDATA_BREAKER_TIMEOUTS  Failed calls in a row that open the breaker when the last
                         one timed out (1): a dead upstream then costs one deadline.
PRIMEDATA_BREAKER_OPEN_SECONDS  Seconds an open breaker refuses calls before it lets
                         one probe through (15).
PRIMEDATA_RATE_LIMIT_PAUSE  Seconds every worker pauses its calls after a 429 that
                         has no Retry-After (5). With Retry-After, that is obeyed.
PRIMEDATA_IDENTITY_NAMES Comma-separated identity names of the tenant's ID-Res
                         configuration (phone_number,email,crm_user_id,
                         clevertap_device_id).
PRIMEDATA_TIMELINE_PAGE_SIZE  Events per timeline page, 1..100 (25).
LOOKUP_CACHE_SECONDS     Seconds a PrimeData response (profile, timeline page) stays in
                         the shared cache (60); 0 turns the cache off. Entries
                         expire on their own and live only in memory or Redis.
LOOKUP_PREFETCH_TIMELINE "false" stops fetching the first timeline page alongside the
                         profile (true).
LOG_FORMAT               "json" (one JSON object per line) or "plain". Default: json
                         when DEBUG is false, plain otherwise.
STATIC_ROOT              Directory that collectstatic fills (staticfiles/).
LOOKUP_LABELS_FILE       JSON file of extra labels for event names and trait keys.
LOOKUP_MONEY_KEYS        Comma-separated trait and property keys whose numbers are
                         amounts in VND, also matched as a "_key" suffix such as
                         order_revenue (ltv,revenue,amount,total,price).
LOOKUP_EVENT_NAMES       Comma-separated event names of the tenant, offered as timeline
                         filters (the six demo names). PrimeData rejects a filter
                         with a name it does not know, so list only real ones.
LOOKUP_SUMMARY_TRAITS    Which traits or p_traits feed the profile's summary strip, as
                         slot=key|key pairs separated by commas; the first key the
                         profile has wins. Slots: name, ltv, last_purchase,
                         last_activity, customer_since. Default:
                         name=full_name,ltv=ltv,last_purchase=last_time_purchased,
                         last_activity=last_active_at|last_seen,
                         customer_since=first_seen|created_at|customer_since
                         Without a last_activity trait, the newest event of the
                         loaded, unfiltered timeline stands in for it.
LOOKUP_CONTACT_IDENTITIES  Comma-separated identity names that are contact details,
                         shown masked to agents without the "Can view full contact
                         details" permission (phone_number,email).
LOOKUP_STALE_AFTER_HOURS Hours after PrimeData's last update at which the profile
                         page notes that the data may be old (24).
SESSION_IDLE_SECONDS     An agent is signed out after this idle time (1800).
SECURE_SSL_REDIRECT      "true" redirects plain HTTP to HTTPS. Default: true when
                         DEBUG is false, otherwise false.
SECURE_PROXY_SSL_HEADER  Header a TLS-terminating proxy sets to "https", for
                         example X-Forwarded-Proto. Set it only behind such a proxy.
SECURE_HSTS_SECONDS      HSTS max-age in production (31536000, one year).
LOOKUP_FRAME_ANCESTORS   Space- or comma-separated origins (https://crm.example.vn)
                         allowed to show the dashboard in a frame. Default: none.
LOOKUP_ACCESS_CONTACT    Whom agents without access should ask, shown on the 403 page.
AUDIT_HASH_KEY           Key of the audit trail's value hashes. Default: derived from
                         SECRET_KEY; changing either breaks searches of older records.
AUDIT_DISTINCT_CUSTOMERS_PER_HOUR  Agents who look up more customers in an hour
                         are flagged in the admin and logged at WARNING (60).
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number of seconds.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is false, so {' and '.join(missing)} must be set in the environment."
        )
if not SECRET_KEY:
    # Development only: a fixed key is harmless because DEBUG is on and
    # production refuses to start without SECRET_KEY (above).
    SECRET_KEY = "development-only-key-not-for-production"
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "lookup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lookup.middleware.RequestIdMiddleware",
    "lookup.request_log.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "lookup.middleware.FrameAncestorsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "customer360.urls"
WSGI_APPLICATION = "customer360.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lookup.context_processors.dashboard",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "customer360",
        }
    }
    # Sessions live in the shared cache too, so any instance behind the load
    # balancer can serve any agent.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# ModelBackend with each agent's permissions kept briefly in the shared cache.
AUTHENTICATION_BACKENDS = ["lookup.auth_backends.CachedPermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "search"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(env_float("SESSION_IDLE_SECONDS", 1800))
SESSION_SAVE_EVERY_REQUEST = True  # The age above then counts from the last request.

# Production transport security. check --deploy reports nothing with these.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    # Trust this header only behind a proxy that always sets it itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env_float("SECURE_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Vietnamese first: agents work in Vietnamese, English is the second language.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Strict Content Security Policy: scripts and styles only from this origin,
# no inline code and no eval. htmx is configured in base.html to need neither.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Origins of a CRM allowed to frame the dashboard. When set,
# lookup.middleware.FrameAncestorsMiddleware lists them in the CSP's
# frame-ancestors and drops X-Frame-Options, except in the admin, which stays
# unframeable.
LOOKUP_FRAME_ANCESTORS = os.environ.get("LOOKUP_FRAME_ANCESTORS", "").replace(",", " ").split()
for origin in LOOKUP_FRAME_ANCESTORS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", origin):
        raise ImproperlyConfigured(
            f"LOOKUP_FRAME_ANCESTORS contains {origin!r}, which is not an origin "
            "such as https://crm.example.vn."
        )
SECURE_CONTENT_TYPE_NOSNIFF = True

# PrimeData. With neither variable set, the in-process sandbox serves the requests.
PRIMEDATA_BASE_URL = os.environ.get("PRIMEDATA_BASE_URL", "").strip()
PRIMEDATA_API_KEY = os.environ.get("PRIMEDATA_API_KEY", "").strip()
if bool(PRIMEDATA_BASE_URL) != bool(PRIMEDATA_API_KEY):
    missing_name = "PRIMEDATA_API_KEY" if PRIMEDATA_BASE_URL else "PRIMEDATA_BASE_URL"
    raise ImproperlyConfigured(
        f"{missing_name} is missing: set both PRIMEDATA_BASE_URL and PRIMEDATA_API_KEY "
        "to use the real PrimeData API, or neither to use the sandbox."
    )
PRIMEDATA_SANDBOX = not PRIMEDATA_BASE_URL
PRIMEDATA_CONNECT_TIMEOUT = env_float("PRIMEDATA_CONNECT_TIMEOUT", 2.0)
PRIMEDATA_READ_TIMEOUT = env_float("PRIMEDATA_READ_TIMEOUT", 5.0)
PRIMEDATA_POOL_TIMEOUT = env_float("PRIMEDATA_POOL_TIMEOUT", 1.0)
PRIMEDATA_DEADLINE = env_float("PRIMEDATA_DEADLINE", 10.0)
PRIMEDATA_KEEPALIVE_SECONDS = env_float("PRIMEDATA_KEEPALIVE_SECONDS", 20.0)
PRIMEDATA_BREAKER_FAILURES = int(env_float("PRIMEDATA_BREAKER_FAILURES", 3))
PRIMEDATA_BREAKER_OPEN_SECONDS = env_float("PRIMEDATA_BREAKER_OPEN_SECONDS", 15.0)
PRIMEDATA_BREAKER_TIMEOUTS = int(env_float("PRIMEDATA_BREAKER_TIMEOUTS", 1))
PRIMEDATA_RATE_LIMIT_PAUSE = env_float("PRIMEDATA_RATE_LIMIT_PAUSE", 5.0)
if PRIMEDATA_BREAKER_FAILURES < 1:
    raise ImproperlyConfigured("PRIMEDATA_BREAKER_FAILURES must be at least 1.")
if PRIMEDATA_BREAKER_TIMEOUTS < 1:
    raise ImproperlyConfigured("PRIMEDATA_BREAKER_TIMEOUTS must be at least 1.")
PRIMEDATA_IDENTITY_NAMES = env_list(
    "PRIMEDATA_IDENTITY_NAMES", "phone_number,email,crm_user_id,clevertap_device_id"
)
PRIMEDATA_TIMELINE_PAGE_SIZE = int(env_float("PRIMEDATA_TIMELINE_PAGE_SIZE", 25))
if not 1 <= PRIMEDATA_TIMELINE_PAGE_SIZE <= 100:
    raise ImproperlyConfigured(
        f"PRIMEDATA_TIMELINE_PAGE_SIZE={PRIMEDATA_TIMELINE_PAGE_SIZE} is outside 1..100, "
        "the page sizes PrimeData accepts."
    )
LOOKUP_CACHE_SECONDS = env_float("LOOKUP_CACHE_SECONDS", 60.0)
LOOKUP_PREFETCH_TIMELINE = env_bool("LOOKUP_PREFETCH_TIMELINE", True)

LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not json or plain.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # Fields given through ``extra`` (agent_id, path, status, duration_ms,
        # upstream_calls on the request-finished line) become JSON fields too.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "filters": {
        "request_id": {"()": "lookup.middleware.RequestIdLogFilter"},
        "mask_identities": {"()": "lookup.masking.MaskIdentitiesLogFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["mask_identities", "request_id"],
        },
        # runserver's request lines, whose query strings may carry deep-link identities.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["mask_identities"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # httpx logs every request URL at INFO; keep only its warnings.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # Naming these loggers replaces the handlers Django's default logging
        # gave them, which do not mask identities. "django" then logs through
        # the root's console handler.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

FORMAT_MODULE_PATH = ["customer360.formats"]

# Optional JSON file of tenant labels for event names and trait keys
# (format in lookup/labels.py).
LOOKUP_LABELS_FILE = os.environ.get("LOOKUP_LABELS_FILE", "").strip()

# Trait and property keys whose numbers are amounts in Vietnamese dong.
LOOKUP_MONEY_KEYS = env_list("LOOKUP_MONEY_KEYS", "ltv,revenue,amount,total,price")
# Event names offered as timeline filters, in the order the filter shows them.
LOOKUP_EVENT_NAMES = env_list(
    "LOOKUP_EVENT_NAMES",
    "BookingCompleted,OrderCreated,PaymentSucceeded,SupportTicketCreated,AppOpened,PageViewed",
)
# Display of each event name on the timeline: "kind" picks the colour and icon
# (CSS classes event-kind-<kind>; other names get "other"), and "summary"
# lists the property keys shown on the event's one line, in that order.
LOOKUP_EVENT_DISPLAY: dict[str, dict[str, object]] = {
    "BookingCompleted": {"kind": "booking", "summary": ("at", "service", "salon_name", "price")},
    "OrderCreated": {"kind": "order", "summary": ("order_revenue", "order_id", "shop_name")},
    "PaymentSucceeded": {"kind": "payment", "summary": ("amount", "payment_method", "order_id")},
    "SupportTicketCreated": {"kind": "support", "summary": ("subject", "channel", "status")},
    "AppOpened": {"kind": "app", "summary": ("app_version", "device_model")},
    "PageViewed": {"kind": "web", "summary": ("page_title",)},
}

# Access and audit trail.
LOOKUP_ACCESS_CONTACT = os.environ.get("LOOKUP_ACCESS_CONTACT", "").strip()
AUDIT_HASH_KEY = os.environ.get("AUDIT_HASH_KEY", "").strip() or f"audit-hash:{SECRET_KEY}"
AUDIT_DISTINCT_CUSTOMERS_PER_HOUR = int(env_float("AUDIT_DISTINCT_CUSTOMERS_PER_HOUR", 60))

# The agent's workbench: the summary strip, stale-data note and masked contacts.
LOOKUP_SUMMARY_SLOTS = ("name", "ltv", "last_purchase", "last_activity", "customer_since")


def env_summary_traits(name: str, default: str) -> dict[str, tuple[str, ...]]:
    slots: dict[str, tuple[str, ...]] = {}
    for pair in env_list(name, default):
        slot, equals, keys = pair.partition("=")
        slot = slot.strip()
        if not equals or slot not in LOOKUP_SUMMARY_SLOTS:
            raise ImproperlyConfigured(
                f"{name} has {pair!r}; write slot=key|key with a slot among {', '.join(LOOKUP_SUMMARY_SLOTS)}."
            )
        slots[slot] = tuple(key.strip() for key in keys.split("|") if key.strip())
    return slots


LOOKUP_SUMMARY_TRAITS = env_summary_traits(
    "LOOKUP_SUMMARY_TRAITS",
    "name=full_name,ltv=ltv,last_purchase=last_time_purchased,last_activity=last_active_at|last_seen,"
    "customer_since=first_seen|created_at|customer_since",
)
LOOKUP_CONTACT_IDENTITIES = env_list("LOOKUP_CONTACT_IDENTITIES", "phone_number,email")
LOOKUP_STALE_AFTER_HOURS = env_float("LOOKUP_STALE_AFTER_HOURS", 24.0)
