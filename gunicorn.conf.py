"""gunicorn settings: `gunicorn -c gunicorn.conf.py` in production (see docs/deploy.md), and what `make run`
starts (scandy_site/run.py, with the LAN settings).

Every value can be changed through the environment without editing this file."""

import multiprocessing
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scandy_site.settings.production")

wsgi_app = "scandy_site.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Threads serve slow clients (scanner stations on Wi-Fi) without a process each. Every open page with live
# updates holds one thread for up to EVENTS_STREAM_SECONDS; at most EVENTS_STREAMS_PER_PROCESS (8) do,
# so the rest always serve ordinary requests.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS", "12"))
# Creating or restoring a large backup from the admin runs inside the request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never add up.
max_requests = 2000
max_requests_jitter = 200

# Django writes one JSON line per request (with its request id); gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The reverse proxy in front (nginx, Caddy, Traefik) sets X-Forwarded-For/-Proto; trust only it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn 24+ opens a control socket in ~/.gunicorn/ by default: one path for every instance on the
# machine, so a second instance would take the first one's. Scandy does not use it.
control_socket_disable = True
# Heartbeat files on tmpfs: a slow disk never makes a healthy worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
