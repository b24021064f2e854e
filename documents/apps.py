from django.apps import AppConfig


def _register_finalised(sender, *, event, title, description, path, by, **kwargs):
    from documents.services import register_finalised

    register_finalised(event, title=title, description=description, path=path, by=by)


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Handlingar"

    def ready(self):
        # What the product finalises is registered where it is finalised, through a signal:
        # events (the startgrupp's decisions) never imports us.
        from events.signals import finalised

        finalised.connect(_register_finalised, dispatch_uid="documents.register_finalised")
