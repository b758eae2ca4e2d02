"""WSGI entry point (production: gunicorn or uWSGI behind the intranet's reverse proxy)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoqi.web.settings")
application = get_wsgi_application()
