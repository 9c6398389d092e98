"""Every configuration key with its default.

`create_app` reads these defaults, then `PATHWAYS_*` environment variables (and
`DATABASE_URL`), then the mapping passed in. Nothing here reads the environment
at import time.
"""

from __future__ import annotations


class Config:
    # Database URL; SQLite under instance/ when empty. PostgreSQL: postgresql+psycopg://...
    SQLALCHEMY_DATABASE_URI = ""
    # Secret for sessions and signed tokens; generated once into instance/secret_key when empty.
    SECRET_KEY = ""
    # Public base URL of this deployment (links in mails, LTI and credential URLs).
    BASE_URL = "http://127.0.0.1:5000"
    # Python logging level name for the app's structured logs.
    LOG_LEVEL = "INFO"
    # Largest request body accepted, in bytes (xAPI attachments included).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Werkzeug password hash method: scrypt is slow on purpose; tests may use a cheaper one.
    PASSWORD_HASH_METHOD = "scrypt"
    # Password reset links stay valid this many seconds.
    PASSWORD_RESET_MAX_AGE = 3600
    # Failed sign-ins for one account before each further attempt is slowed down.
    SIGNIN_FAILURES_BEFORE_DELAY = 3
    # Seconds added per failure beyond the threshold (capped at SIGNIN_MAX_DELAY).
    SIGNIN_DELAY_STEP = 1.0
    # Upper bound of the sign-in delay in seconds.
    SIGNIN_MAX_DELAY = 10.0
    # Mail backend: "log" writes messages to the log (development), "smtp" sends them.
    MAIL_BACKEND = "log"
    # SMTP host and sender, used when MAIL_BACKEND is "smtp".
    MAIL_SERVER = "localhost"
    MAIL_SENDER = "pathways@localhost"
    # Languages offered in the portal; the first is the default.
    LANGUAGES = ("en", "fr")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Session cookie hardening; SESSION_COOKIE_SECURE follows BASE_URL's scheme unless set.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None
    # CSRF tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    # SQLAlchemy engine options (pool pre-ping keeps long-lived workers healthy).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Run the Flask development server instead of gunicorn (make run); never in production.
    DEBUG_SERVER = False
    # Items per page on list endpoints, and the most a client may ask for.
    PAGE_SIZE = 50
    MAX_PAGE_SIZE = 500
    # Verifying credentials (/verify, POST /api/v1/verify): seconds per fetched document
    # (DID documents, status lists), and for all the fetches of one verification together.
    VERIFY_FETCH_TIMEOUT = 5.0
    VERIFY_TOTAL_TIMEOUT = 20.0
    # Hosts the verifier may reach over plain http or at private addresses (a partner's
    # intranet, a development instance); everything else must be public https.
    VERIFY_ALLOW_HOSTS: tuple[str, ...] = ()
    # Verifications per client IP address in each window of VERIFY_RATE_WINDOW seconds.
    VERIFY_RATE_LIMIT = 30
    VERIFY_RATE_WINDOW = 60
    # OAuth 2.0 for the Open Badges API: access tokens live this many seconds (short: wallets
    # refresh), refresh tokens this many days, authorization codes this many seconds.
    OAUTH_ACCESS_TOKEN_SECONDS = 900
    OAUTH_REFRESH_TOKEN_DAYS = 90
    OAUTH_CODE_SECONDS = 300
    # Privacy policy and terms named by the Open Badges discovery document ("" = the page
    # about connected apps, and no terms).
    PRIVACY_POLICY_URL = ""
    TERMS_OF_SERVICE_URL = ""
