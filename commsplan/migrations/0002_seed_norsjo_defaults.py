"""Norsjö kommun's own communication plan (handlingsplanen, "Kommunikationsplan" and
"Tidplan") as the defaults every new event's plan starts from. An administrator edits them
in the admin; another municipality replaces them with its own."""

from django.db import migrations

ANSWERS = {
    "problem": "Betydande förändring i näringslivet som har påverkan på företaget, "
    "individen och platsens attraktion.",
    "purpose": "Norsjö kommun behöver skapa sig en nulägesbild för aktuell förändring och "
    "säkra fakta för att kunna bemöta frågor från media, medborgare och andra intressenter.",
    "strategy": "Delge, bemöta och besvara med information som är faktakontrollerad.\n"
    "Informera om insatser och viljeriktning.\n"
    "Under hela processen fortlöpande ge information.\n"
    "Undvika informationsgluggar – ingen information är också information.",
    "audience_internal": "Inom kommunens verksamheter.",
    "audience_external": "Medborgare, drabbade individer, underleverantörer, lokala företag.",
    "message": "Budskapet ska vara faktakontrollerat och framåtsyftande. Information som "
    "kommuniceras ska inte föregå företagets egen information.",
    "channels": "Lokaltidning\nWebbsida på webbplatsen norsjo.se",
    "speakers": "Kommunstyrelsens ordförande utses som ansvarig för muntlig kommunikation och "
    "kommunikatör utses ansvarig för skriftlig information.",
    "timing": "Se tidplan.",
    "cost": "Norsjö kommun använder främst kanaler som inte medför någon kostnad.",
}

CHANNELS = ["Webbplats (norsjo.se)", "Lokaltidning", "Radio", "Sociala medier", "Intranät"]
TARGET_GROUPS = [
    ("Medborgare", False),
    ("Företaget", False),
    ("Drabbade individer", False),
    ("Lokala företag", False),
    ("Internt", True),
]
ALL_GROUPS = [name for name, _ in TARGET_GROUPS]
WEB, PAPER, RADIO = CHANNELS[:3]
# when, message, channels (the plan's "i mån av behov lokaltidning" is in the message).
TIDPLAN = [
    ("Snarast", "Vad har hänt och vad gör Norsjö kommun.", [WEB, PAPER, RADIO]),
    (
        "Snarast efter",
        "Utökad nulägesbild: arbetsgrupp, insatser, samarbeten, framtidsspaning. "
        "Lokaltidning i mån av behov.",
        [WEB, PAPER],
    ),
    ("Löpande", "Processen. Lokaltidning i mån av behov.", [WEB, PAPER]),
    ("Förändring av förändringen", "Alt. en positiv förändring.", [WEB, PAPER, RADIO]),
    ("Uppföljning", "Alt. nytt nuläge. Lokaltidning i mån av behov.", [WEB, PAPER]),
]


def seed(apps, schema_editor):
    Municipality = apps.get_model("commsplan", "Municipality")
    Channel = apps.get_model("commsplan", "Channel")
    TargetGroup = apps.get_model("commsplan", "TargetGroup")
    TimetableDefault = apps.get_model("commsplan", "TimetableDefault")
    Municipality.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Norsjö kommun",
            "address": "935 81 Norsjö",
            "web": "norsjo.se",
            "logo": "img/norsjo-logo.svg",
            **ANSWERS,
        },
    )
    channels = {
        name: Channel.objects.get_or_create(name=name, defaults={"position": i})[0]
        for i, name in enumerate(CHANNELS)
    }
    groups = {
        name: TargetGroup.objects.get_or_create(
            name=name, defaults={"position": i, "internal": internal}
        )[0]
        for i, (name, internal) in enumerate(TARGET_GROUPS)
    }
    for position, (when, message, row_channels) in enumerate(TIDPLAN):
        row, created = TimetableDefault.objects.get_or_create(
            position=position,
            defaults={
                "when": when,
                "message": message,
                "written_role": "kommunikator",
                "oral_role": "kso",
            },
        )
        if created:
            row.channels.set([channels[name] for name in row_channels])
            row.target_groups.set([groups[name] for name in ALL_GROUPS])


class Migration(migrations.Migration):
    dependencies = [("commsplan", "0001_communication_plan")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
