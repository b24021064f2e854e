from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Användare och funktioner"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.people import register_swedish_collation
        from accounts.sessions import session_saved_at_login

        user_logged_in.connect(session_saved_at_login)
        connection_created.connect(register_swedish_collation)
        if settings.OIDC_ISSUER:
            # At start-up, so that a wrong or unreachable issuer stops the process with
            # its name rather than the first person's sign-in.
            from accounts.oidc import provider

            provider()
