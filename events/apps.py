from django.apps import AppConfig
from django.db.backends.signals import connection_created


def unicode_lower_for_sqlite(sender, connection, **kwargs):
    # SQLite's own lower() folds only ASCII, so a search for "åkeri" would miss "Åkeri AB".
    # PostgreSQL's lower() already folds å, ä and ö.
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, str.lower, deterministic=True)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Händelser"

    def ready(self):
        connection_created.connect(unicode_lower_for_sqlite)
