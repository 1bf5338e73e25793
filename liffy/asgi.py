import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liffy.settings")
application = get_asgi_application()

from liffy.checks import refuse_development_secret_key  # noqa: E402 - needs the settings configured above

refuse_development_secret_key()
