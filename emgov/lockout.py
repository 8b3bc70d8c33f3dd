"""The login lockout in the shared cache (settings.AXES_HANDLER when REDIS_URL is set).

django-axes' own cache handler counts each (user name, client address) pair's failed
logins in Redis, which every worker and app server shares, as the API's and the pages'
throttles are. This handler adds what an operator needs that the stock one lacks:

- A Redis that stops answering does not turn a failed login into an error page, nor
  switch the lockout off: until it answers again, failures are counted in the database,
  as django-axes' database handler (the embedded default's) does.
- `axes_reset` clears every lockout; a reset the cache cannot do (by user name or by
  address alone: the cache's keys are hashes of both) says so instead of reporting
  that it removed nothing.
"""

import logging

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.database import AxesDatabaseHandler
from django.core.management.base import CommandError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# django-axes names its cache keys "axes-<hash>" (axes.helpers.get_cache_key).
KEY_PATTERN = "axes-*"


class SharedCacheLockoutHandler(AxesCacheHandler):
    def __init__(self):
        self.database = AxesDatabaseHandler()
        super().__init__()

    def __getattr__(self, name):
        # What the cache handler lacks is about the database's own records (their save
        # signals, clearing the access logs): the database handler's to answer.
        if name == "database":
            raise AttributeError(name)
        return getattr(self.database, name)

    def _store(self):
        """The cache while it answers, else the database."""
        try:
            self.cache.client.get_client(write=True).ping()
        except RedisError:
            logger.error("The shared cache does not answer: login failures go to the database")
            return self.database
        return super()

    def get_failures(self, request, credentials=None):
        return self._store().get_failures(request, credentials)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        return self._store().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        return self._store().user_logged_in(sender, request, user, **kwargs)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        if ip_address is None and username is None:
            return self.cache.delete_pattern(KEY_PATTERN) + self.database.reset_attempts()
        if ip_address is None or username is None or ip_or_username:
            raise CommandError(
                "The lockout is counted in the shared cache, by user name and address "
                "together: give both (axes_reset_ip_username), or clear every lockout "
                "(axes_reset)."
            )
        return super().reset_attempts(ip_address=ip_address, username=username) + (
            self.database.reset_attempts(ip_address=ip_address, username=username)
        )
