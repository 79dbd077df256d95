"""pytest settings: fast hashing, mail kept in memory, a throw-away data dir."""

import os
import tempfile

os.environ.setdefault("SCANDY_DATA_DIR", tempfile.mkdtemp(prefix="scandy-test-"))

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared in-memory database: there a browser test's server thread reading a table
    # (the live event stream polls the history) made a write in the test thread fail at once with "database
    # table is locked"; with a file, WAL lets readers and the writer go on side by side.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Parallel checkouts on one PostgreSQL server each get their own test database.
    DATABASES["default"]["TEST"] = {"NAME": "test_scandy" + os.environ.get("SCANDY_TEST_DB_SUFFIX", "")}
