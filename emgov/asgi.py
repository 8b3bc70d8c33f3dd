import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emgov.settings")
application = get_asgi_application()
# Never serve without a key: reading an empty SECRET_KEY raises ImproperlyConfigured.
settings.SECRET_KEY  # noqa: B018
