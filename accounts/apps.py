from django.apps import AppConfig
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
