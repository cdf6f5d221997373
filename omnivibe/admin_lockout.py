"""django-axes, confined to the admin sign-in (the Studio's /accounts/ sign-in keeps allauth's own limits).

django-axes 8.3 honours AXES_ONLY_ADMIN_SITE when it checks for a lockout, yet still counts (and locks on)
failures from every login form; this handler counts the admin's only.
"""

from axes.handlers.database import AxesDatabaseHandler


class AdminOnlyAxesHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None and not self.is_admin_request(request):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
