"""django-axes, confined to the admin sign-in (the Studio's /accounts/ sign-in keeps allauth's own limits).

django-axes 8.3 honours AXES_ONLY_ADMIN_SITE when it checks for a lockout, yet still counts (and locks on)
failures from every login form; this handler counts the admin's only.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler


class AdminOnlyAxesHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None and not self.is_admin_request(request):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)


class AxesWebBackend(AxesStandaloneBackend):
    """Checks lockouts for sign-ins made over the web. `authenticate()` without a request (management commands,
    the test client's `login()`) has no client to lock out, so it passes on to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
