"""gunicorn settings for `make serve` and the load test: gunicorn -c config/gunicorn.py config.wsgi

Everything can be overridden on the command line or with GUNICORN_CMD_ARGS; the worker count comes
from WEB_CONCURRENCY (gunicorn's own variable), the address from --bind.
"""

from __future__ import annotations

import os

from config.logging import gunicorn_logging_config

wsgi_app = "config.wsgi:application"
bind = [f"127.0.0.1:{os.getenv('PORT', '8000')}"]
workers = int(os.getenv("WEB_CONCURRENCY", "3"))  # about 1.5 per core: the database does much of the waiting
worker_class = "sync"
timeout = 30  # a request that takes longer is stuck: the worker is replaced
graceful_timeout = 20
keepalive = 5  # behind a load balancer that keeps connections open
max_requests = 5000  # recycle workers now and then, against slow leaks
max_requests_jitter = 500
# No access log from gunicorn: its lines would carry the token in /a/<token>/ paths. The app logs
# one line per request itself, with the path masked and the request id (config/middleware.py).
accesslog = None
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines in the application's format (JSON lines unless DEBUG is on or DJANGO_LOG_FORMAT=text, as
# config/settings.py decides), with tokens and client addresses masked.
_debug = os.getenv("DJANGO_DEBUG", "1").strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = gunicorn_logging_config(
    json_lines=os.getenv("DJANGO_LOG_FORMAT", "text" if _debug else "json") == "json", level=loglevel.upper()
)
# The proxy in front sets X-Forwarded-Proto; gunicorn passes it on to Django (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's runtime control socket sits at one path per user: two instances on one machine would
# share it. Not needed here (restart to change the worker count).
control_socket_disable = True


def on_starting(server) -> None:
    """gunicorn is how this site is served in production. Without DJANGO_DEBUG, config/settings.py starts in
    development mode (DEBUG on, a public fallback secret key that lets anyone forge a signup or password link): a
    deployment that forgot the variable would run so. It must be said either way, in the environment or with
    gunicorn's -e (applied by now)."""
    if os.getenv("DJANGO_DEBUG", "").strip() == "":
        message = (
            "DJANGO_DEBUG is not set: set DJANGO_DEBUG=0 to serve the site (DJANGO_SECRET_KEY and "
            "DJANGO_ALLOWED_HOSTS are then required), or DJANGO_DEBUG=1 to run a development build under gunicorn "
            "on purpose. make serve sets 0."
        )
        server.log.error(message)
        raise SystemExit(message)


def post_worker_init(worker) -> None:
    """Each worker loads the catalogue, the role model and the views before its first request, which would
    otherwise wait seconds for them (after every restart and every `max_requests` recycling), and then freezes them
    out of the garbage collector's way (recommendations/warmup.py)."""
    from recommendations.warmup import prepare_process

    worker.notify()  # the arbiter's `timeout` counts from the last sign of life: the warm-up gets all of it
    prepare_process()
