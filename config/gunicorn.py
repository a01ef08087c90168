"""gunicorn's settings for the tracker: ``gunicorn -c config/gunicorn.py config.wsgi``.

Used by docker-compose.yml, the Dockerfile and README's own-server path. Any setting can
still be changed with ``GUNICORN_CMD_ARGS`` (gunicorn reads it), e.g. ``--workers 5``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A few hundred requests per second and core for real pages (docs/benchmarks.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Exports and reports run in the worker; no request of the site takes this long.
timeout = 60
accesslog = "-"
# gunicorn 25+ opens a control socket under $HOME/.gunicorn (or $XDG_RUNTIME_DIR); the
# image's home is not writable and nothing here uses gunicornc: no socket, no error.
control_socket_disable = True
