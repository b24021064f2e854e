from django.apps import AppConfig

from notices import register


def _still_unanswered(request) -> bool:
    # Answered, revoked or its case closed before the reminder went out: nothing to remind.
    return request is not None and request.awaits_answer and not request.party.event.is_closed


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = "Förfrågningar till externa parter"

    def ready(self):
        register("guest_answered", "Svar på förfrågan")
        register("guest_overdue", "Förfrågan obesvarad", still_wanted=_still_unanswered)
