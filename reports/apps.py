from django.apps import AppConfig

from notices import register


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Lägesrapporter"

    def ready(self):
        # What each says is in reports.services. A report addressed to someone is mailed
        # even if they turned notice mail off: it is the report itself, not a reminder.
        register("report", "Lägesrapport", always_mail=True)
        register("report_approval", "Lägesrapport väntar på godkännande")
        register("report_approved", "Lägesrapport godkänd")
        register("report_sent", "Lägesrapport skickad")
        # The start page's "Väntar på dig" asks through a signal: events never imports us.
        from events.signals import waiting_for
        from reports.waiting import reports_waiting

        waiting_for.connect(reports_waiting, dispatch_uid="reports.reports_waiting")
        from reports.links import register_links

        register_links()
