from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Användare och funktioner"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.sessions import session_saved_at_login

        user_logged_in.connect(session_saved_at_login)
