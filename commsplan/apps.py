from django.apps import AppConfig

from notices import register


def _case_open(event) -> bool:
    return event is not None and not event.is_closed


def _announcement_unconfirmed(plan) -> bool:
    # Confirmed meanwhile, or the case closed: the question is answered.
    return plan is not None and plan.company_announced_at is None and not plan.event.is_closed


class CommsplanConfig(AppConfig):
    name = "commsplan"
    verbose_name = "Kommunikationsplan"

    def ready(self):
        # What each says is in commsplan.services.
        register("info_gap", "Inget publicerat på länge", still_wanted=_case_open)
        register("text_fact_check", "Pressmeddelande väntar på faktagranskning")
        register("text_approval", "Pressmeddelande väntar på godkännande")
        register("text_sent_back", "Pressmeddelande skickat tillbaka")
        register("text_approved", "Pressmeddelande godkänt")
        register("text_published", "Pressmeddelande publicerat")
        register("text_quote", "Pressmeddelande citerar dig")
        register(
            "company_announcement_due",
            "Har företaget gått ut?",
            still_wanted=_announcement_unconfirmed,
        )
        # The start page's "Väntar på dig" asks through a signal: events never imports us.
        from commsplan.waiting import press_texts_waiting
        from events.signals import waiting_for

        waiting_for.connect(press_texts_waiting, dispatch_uid="commsplan.press_texts_waiting")
        # Every PDF's letterhead is the municipality row kept here; the shared renderer
        # (events.pdf) is handed it, as events never imports us.
        from commsplan.models import Municipality
        from events.pdf import provide_municipality

        provide_municipality(Municipality.get)
        # An omställningsplan's kommunikationsstrategi starts from the case's plan.
        from commsplan.summary import communication_summary
        from events.signals import case_summary

        case_summary.connect(communication_summary, dispatch_uid="commsplan.communication")
