"""Superset's settings for the fukan dashboard: a local, single-user instance.

Superset reads this file through SUPERSET_CONFIG_PATH; its metadata (users, the
dashboard) lives in SUPERSET_HOME (superset.db), never in the repository.
"""

import os
import secrets
from pathlib import Path

_HOME = Path(os.environ["SUPERSET_HOME"])


def _secret_key() -> str:
    """One random key per SUPERSET_HOME, kept beside its metadata (Superset refuses its default)."""
    path = _HOME / "secret_key"
    if not path.exists():
        _HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY") or _secret_key()
BABEL_DEFAULT_LOCALE = "ja"
LANGUAGES = {"ja": {"flag": "jp", "name": "Japanese"}, "en": {"flag": "us", "name": "English"}}
# The page loads nothing from other hosts: no usage pixel, no map tiles, no web fonts.
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
