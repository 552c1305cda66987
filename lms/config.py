"""Settings, read from LMS_* environment variables.

LMS_ENV selects the mode: `production` (the default, so a bare gunicorn start is safe), `demo` (what
`make run` uses: a generated secret kept in the instance folder, demo accounts allowed) or `test`.
"""
import os
import secrets
from pathlib import Path

from flask import Flask


class ConfigError(RuntimeError):
    """The app refuses to start with this configuration."""


class Config:
    LMS_ENV = "production"
    SQLALCHEMY_DATABASE_URI = "sqlite:///lms.sqlite3"  # relative to the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "ar"
    BABEL_DEFAULT_TIMEZONE = "Africa/Cairo"
    LMS_LANGUAGES = ("ar", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # one working day at a shared counter
    SESSION_REFRESH_EACH_REQUEST = False  # the sign-in lasts one working day from sign-in, not from last use
    # Tokens follow the session, not the clock: a clerk who leaves a form open at the window may submit later.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    LMS_API_TOKEN_DAYS = 30
    # Where the limits below count: LMS_RATELIMIT_STORAGE_URL=redis://... shares them between machines; unset, an
    # SQLite file in the instance folder shares them between the workers of one machine (memory:// in tests).
    LMS_RATELIMIT_STORAGE_URI: str | None = None
    LMS_SIGN_IN_LIMITS = "10 per minute; 50 per hour"  # every attempt, per address and account
    # Failed sign-ins per account from any address (ASVS 2.2.1: at most 100 an hour). A slow-down, not a lock-out:
    # see lms.auth.throttling. And per address over every account, against one password tried on many accounts.
    LMS_ACCOUNT_FAILURE_LIMITS = "5 per minute; 100 per hour"
    LMS_ADDRESS_FAILURE_LIMITS = "300 per hour"
    LMS_ONE_TIME_PASSWORD_HOURS = 72  # a one-time password on a slip opens the account this long
    # Answers that reach the server this long after a quiz's deadline still count (slow links, clock skew).
    LMS_QUIZ_GRACE_SECONDS = 30
    # The field kit (lms.offline): how long a device's grant lets it sync one person's data, and how many days
    # after an offline exam's closing day its uploads are still taken.
    LMS_OFFLINE_GRANT_DAYS = 30
    LMS_OFFLINE_UPLOAD_DAYS = 7
    # Certificates: the serial's governorate code when the learner's center names none, the absolute address
    # printed in the QR code (https://lms.example.gov.eg; the request's own address when empty), and the public
    # verification's limits per client address.
    LMS_GOVERNORATE_CODE = "QLY"
    LMS_PUBLIC_URL = ""
    # Encrypts the issuer's private signing keys in the database (lms/certificates/signing/keys.py); required in
    # production, a random one kept in the instance folder in demo and test.
    LMS_ISSUER_KEY_PASSPHRASE = ""
    LMS_VERIFY_LIMITS = "30 per minute; 300 per hour"
    LMS_PRINT_PROCESSES = 0  # processes a print batch lays certificates out with; 0: one per CPU
    # A print batch's job renews its lease at each step (every few seconds); one not renewed for this long lost
    # its worker (the job consumer was killed or stopped) and is started again once, then failed.
    LMS_PRINT_LEASE_SECONDS = 45
    # SQLite: how long a writer waits for another's write lock before answering 503 (Retry-After). Writes hold
    # the lock for milliseconds; even a 10,000-row roster holds it well under a second.
    LMS_SQLITE_BUSY_TIMEOUT_MS = 15_000
    # A roster of more rows than this is applied by a background job with a progress page; the slips of its new
    # accounts' one-time passwords are kept encrypted for this many hours at most (until HR says they are printed).
    LMS_ROSTER_JOB_ROWS = 300
    LMS_ROSTER_SLIPS_HOURS = 24
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto are then trusted, so that
    # per-address limits (sign-in, /verify) count each client, not the proxy. 0: clients connect directly.
    LMS_TRUSTED_PROXIES = 0
    # The reports overview's counts are reused this long for the same scope and filters (the page says when they
    # were counted): a count walks every enrolment in scope.
    LMS_REPORTS_FRESH_MINUTES = 1
    # Demo mode only, printed at start and in the README. It passes the password rules (lms.core.passwords), so the
    # demo accounts are not asked to change it; a demo database made with an older, weaker one is.
    LMS_DEMO_PASSWORD = "qalyubia-demo"  # noqa: S105
    # Production only: browsers that saw the site over HTTPS refuse plain HTTP to it (and its subdomains) for this
    # long. Start lower (300) while trying HTTPS out; 0 sends no Strict-Transport-Security header.
    LMS_HSTS_SECONDS = 365 * 24 * 3600
    # Notifications: e-mail goes out through this SMTP server when LMS_SMTP_HOST is set (empty: in-app only;
    # what falls due meanwhile is never e-mailed later). Reminders this many days before a due date; expiry
    # notices this many days before a certificate expires.
    LMS_SMTP_HOST = ""
    LMS_SMTP_PORT = 587
    LMS_SMTP_USER = ""
    LMS_SMTP_PASSWORD = ""  # noqa: S105  (read from the environment, never logged)
    LMS_SMTP_STARTTLS = True
    LMS_MAIL_FROM = ""
    LMS_REMINDER_DAYS = (7, 1)
    LMS_EXPIRY_NOTICE_DAYS = 30
    # The seal on stored certificate PDFs (lms/certificates/signing/seal.py): a PKCS#12 file and its password, or a
    # PKCS#11 token (module path, token label, key label, PIN); a timestamp authority's URL makes it PAdES B-T.
    # Demo and test mode use a demo authority in the instance folder; production with neither does not seal.
    LMS_SEAL_PKCS12 = ""
    LMS_SEAL_PKCS12_PASSWORD = ""  # noqa: S105  (read from the environment, never logged)
    LMS_SEAL_PKCS11_MODULE = ""
    LMS_SEAL_PKCS11_TOKEN = ""
    LMS_SEAL_PKCS11_KEY = ""
    LMS_SEAL_PKCS11_PIN = ""
    LMS_SEAL_TSA_URL = ""


def load_config(app: Flask, override: object | dict | None) -> None:
    app.config.from_object(Config)
    env = os.environ
    if url := env.get("LMS_DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if storage := env.get("LMS_RATELIMIT_STORAGE_URL"):
        app.config["LMS_RATELIMIT_STORAGE_URI"] = storage
    if key := env.get("LMS_SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    if grace := env.get("LMS_QUIZ_GRACE_SECONDS"):
        app.config["LMS_QUIZ_GRACE_SECONDS"] = int(grace)
    for name in ("LMS_GOVERNORATE_CODE", "LMS_PUBLIC_URL", "LMS_ISSUER_KEY_PASSPHRASE", "LMS_VERIFY_LIMITS",
                 "LMS_SIGN_IN_LIMITS", "LMS_ACCOUNT_FAILURE_LIMITS", "LMS_ADDRESS_FAILURE_LIMITS"):
        if value := env.get(name):
            app.config[name] = value
    for name in ("LMS_PRINT_PROCESSES", "LMS_PRINT_LEASE_SECONDS", "LMS_SQLITE_BUSY_TIMEOUT_MS", "LMS_ROSTER_JOB_ROWS",
                 "LMS_ROSTER_SLIPS_HOURS", "LMS_OFFLINE_GRANT_DAYS", "LMS_OFFLINE_UPLOAD_DAYS",
                 "LMS_REPORTS_FRESH_MINUTES"):
        if value := env.get(name):
            app.config[name] = int(value)
    if proxies := env.get("LMS_TRUSTED_PROXIES"):
        app.config["LMS_TRUSTED_PROXIES"] = int(proxies)
    if hsts := env.get("LMS_HSTS_SECONDS"):  # "0" turns it off
        app.config["LMS_HSTS_SECONDS"] = int(hsts)
    for name in ("LMS_SMTP_HOST", "LMS_SMTP_USER", "LMS_SMTP_PASSWORD", "LMS_MAIL_FROM", "LMS_SEAL_PKCS12",
                 "LMS_SEAL_PKCS12_PASSWORD", "LMS_SEAL_PKCS11_MODULE", "LMS_SEAL_PKCS11_TOKEN", "LMS_SEAL_PKCS11_KEY",
                 "LMS_SEAL_PKCS11_PIN", "LMS_SEAL_TSA_URL"):
        if value := env.get(name):
            app.config[name] = value
    if port := env.get("LMS_SMTP_PORT"):
        app.config["LMS_SMTP_PORT"] = int(port)
    if starttls := env.get("LMS_SMTP_STARTTLS"):
        app.config["LMS_SMTP_STARTTLS"] = starttls.strip().lower() not in ("0", "false", "no", "off")
    if days := env.get("LMS_REMINDER_DAYS"):  # e.g. "7,1"
        app.config["LMS_REMINDER_DAYS"] = tuple(int(d) for d in days.split(",") if d.strip())
    if days := env.get("LMS_EXPIRY_NOTICE_DAYS"):
        app.config["LMS_EXPIRY_NOTICE_DAYS"] = int(days)
    if hours := env.get("LMS_ONE_TIME_PASSWORD_HOURS"):
        app.config["LMS_ONE_TIME_PASSWORD_HOURS"] = int(hours)
    app.config["LMS_ENV"] = env.get("LMS_ENV", Config.LMS_ENV)
    if isinstance(override, dict):
        app.config.update(override)
    elif override is not None:
        app.config.from_object(override)

    mode = app.config["LMS_ENV"]
    if mode not in ("production", "demo", "test"):
        raise ConfigError(f"LMS_ENV must be production, demo or test, not {mode!r}")
    if mode != "production":
        app.config["SESSION_COOKIE_SECURE"] = False  # served over plain http on 127.0.0.1
    if not app.config["LMS_RATELIMIT_STORAGE_URI"]:
        app.config["LMS_RATELIMIT_STORAGE_URI"] = "memory://" if mode == "test" else \
            f"sqlite:///{Path(app.instance_path).resolve() / 'rate-limits.sqlite3'}"
    _secrets(app, mode)


def _secrets(app: Flask, mode: str) -> None:
    """Production must be given its secrets; demo and test keep random ones in the instance folder."""
    if not app.config.get("SECRET_KEY"):
        if mode == "production":
            raise ConfigError("LMS_SECRET_KEY must be set in production (LMS_ENV=production).")
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("LMS_ISSUER_KEY_PASSPHRASE"):
        if mode == "production":
            raise ConfigError("LMS_ISSUER_KEY_PASSPHRASE must be set in production (it encrypts the issuer's "
                              "certificate signing keys).")
        app.config["LMS_ISSUER_KEY_PASSPHRASE"] = _instance_secret(Path(app.instance_path), "issuer_key_passphrase")


def _instance_secret(instance: Path, name: str = "secret_key") -> str:
    """A random key kept in the instance folder, so demo sessions (and the issuer keys it encrypts) survive a
    restart."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
