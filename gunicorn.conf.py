"""gunicorn settings for running the dashboard in production.

    gunicorn -c gunicorn.conf.py

Environment variables read here (the application's own are listed in
customer360/settings.py):

GUNICORN_BIND     Address to listen on (127.0.0.1:8000).
WEB_CONCURRENCY   Worker processes (2 per CPU core).
GUNICORN_THREADS  Threads per worker (16).

Pages spend nearly all their time waiting for PrimeData, so each worker runs
many threads (the gthread worker) rather than relying on many processes.
"""

import os

# Under gunicorn the dashboard runs in production mode unless DEBUG is set
# otherwise, so settings.py then requires SECRET_KEY and ALLOWED_HOSTS.
os.environ.setdefault("DEBUG", "false")

wsgi_app = "customer360.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))

# A page may spend up to PRIMEDATA_DEADLINE (10 s by default) on PrimeData,
# retries and waits included. The worker timeout leaves room for that plus
# rendering, so gunicorn never kills a worker that is still within a deadline.
timeout = 30
graceful_timeout = 20
keepalive = 5

# The access log records the path without its query string: a deep link's
# query contains a phone number or an email, which must not reach the log.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'

# gunicorn 25.1 and later open a control socket at one fixed path per user,
# which two instances on one machine would share.
control_socket_disable = True
