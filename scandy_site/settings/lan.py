"""`make run`: gunicorn serving the workshop network over plain HTTP, DEBUG off.

Production (`production.py`) is HTTPS behind a reverse proxy and marks cookies Secure; a workshop LAN
has no certificate, so here cookies travel over plain HTTP and nothing redirects to HTTPS. Allowed hosts
follow the address `make run` binds to (`HOST`): 127.0.0.1 allows only this machine; 0.0.0.0 (or ::)
allows the machine's names and addresses (scandy_site.lan), so a tablet works with no further settings.
`ALLOWED_HOSTS`, when set, adds names (a DNS alias the machine does not know about itself).
"""

import os

from scandy_site.lan import allowed_hosts

from .base import *  # noqa: F403
from .base import env

DEBUG = False
ALLOWED_HOSTS = list(
    dict.fromkeys([*allowed_hosts(os.environ.get("HOST", "127.0.0.1")), *env.list("ALLOWED_HOSTS", default=[])])
)
# Plain HTTP: a Secure cookie would never come back. CSRF checks the form's Origin against the host it
# was sent to, which needs no list of trusted origins.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# Static files straight from the app's folders through whitenoise: no collectstatic before a start.
WHITENOISE_USE_FINDERS = True
