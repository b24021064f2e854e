from django.apps import AppConfig

from notices import register


def _target_measured(target) -> bool:
    # A target gone, avslutat or struket (or its insatsområde), or its programme ended,
    # needs no reminder.
    return (
        target is not None
        and not target.ended
        and not target.focus_area.ended
        and target.focus_area.programme.phase != "avslutning"
    )


class OmstallningConfig(AppConfig):
    name = "omstallning"
    verbose_name = "Omställning"

    def ready(self):
        # What each says is in omstallning.services.
        register("programme_member_added", "Tillagd i ett omställningsprogram")
        register("target_measurer", "Du mäter ett mål")
        register("measurement_due", "Dags att mäta ett mål", still_wanted=_target_measured)
