import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emgov.settings")
application = get_wsgi_application()
# Never serve without a key: reading an empty SECRET_KEY raises ImproperlyConfigured.
settings.SECRET_KEY  # noqa: B018
