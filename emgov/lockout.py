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
        super().__init__()
        self.database = AxesDatabaseHandler()

    def _store(self):
        """The cache while it answers, else the database."""
        try:
            self.cache.client.get_client(write=True).ping()
        except RedisError:
            logger.error("The shared cache does not answer: login failures go to the database")
            return self.database
        return super()  # django-axes' cache handler, for this handler

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

    # The database's own records (the save signals of its attempts, its access logs)
    # are the database handler's, whichever store counts.
    def post_save_access_attempt(self, instance, **kwargs):
        return self.database.post_save_access_attempt(instance, **kwargs)

    def post_delete_access_attempt(self, instance, **kwargs):
        return self.database.post_delete_access_attempt(instance, **kwargs)

    def reset_logs(self, *, age_days=None):
        return self.database.reset_logs(age_days=age_days)

    def reset_failure_logs(self, *, age_days=None):
        return self.database.reset_failure_logs(age_days=age_days)

    def remove_out_of_limit_failure_logs(self, *, username, **limit):
        return self.database.remove_out_of_limit_failure_logs(username=username, **limit)
