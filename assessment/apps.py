from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Bedömningsmall"

    def ready(self):
        from assessment.links import register_links
        from assessment.services import show_task_change
        from assessment.signals import task_origin_link
        from events.signals import task_changed, task_origin

        task_origin.connect(task_origin_link)
        task_changed.connect(show_task_change)
        register_links()
