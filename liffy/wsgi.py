import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liffy.settings")
application = get_wsgi_application()

from liffy.checks import refuse_development_secret_key  # noqa: E402 - needs the settings configured above

refuse_development_secret_key()
