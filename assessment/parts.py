"""The bedömningsmall's six parts as the action plan lays them out ("Metodik" to
"Omfallsplanering"): each part is a titled block of sections, each section a list of rows.

The structure is code, not data: every sheet has the same headings and helper texts, and the
Excel export and import speak the same layout.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str
    # Whether rows carry a status (the plan implies one for things that are done, not for
    # facts or assumptions).
    has_status: bool = False
    # Information rows also say to whom (handlingsplanen, "Information").
    has_audience: bool = False


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    help: str
    sections: tuple[Section, ...]


PARTS = (
    Part(
        "bedomning",
        "Bedömning av händelsen",
        "Vilka fakta finns, vilka antaganden gör vi och vad kan konsekvenserna bli – sett ur "
        "perspektiven individ, näringsliv och samhälle. Är några insatser redan gjorda, vilka "
        "framgångsfaktorer har vi och vad ska kommunen åstadkomma med sin insats?",
        (
            Section("fakta", "Fakta", "Det vi vet säkert, med källa."),
            Section("antaganden", "Antaganden", "Det vi tror men inte vet än."),
            Section(
                "konsekvens_individ",
                "Konsekvenser – individ",
                "Vad händelsen kan innebära för de anställda och deras familjer.",
            ),
            Section(
                "konsekvens_naringsliv",
                "Konsekvenser – näringsliv",
                "Vad händelsen kan innebära för företaget, underleverantörer och andra företag.",
            ),
            Section(
                "konsekvens_samhalle",
                "Konsekvenser – samhälle",
                "Vad händelsen kan innebära för kommunen och platsens attraktion.",
            ),
            Section(
                "insatser",
                "Insatser som redan är gjorda",
                "Vad som redan har gjorts, av vem och när.",
                has_status=True,
            ),
            Section("framgangsfaktorer", "Framgångsfaktorer", "Det som talar för oss."),
            Section(
                "malbild",
                "Målbild",
                "Vad ska kommunen åstadkomma med sin insats, utifrån kommunens roll?",
            ),
        ),
    ),
    Part(
        "atgarder",
        "Åtgärder",
        "Utifrån bedömningen: först de initiala åtgärderna för den kritiska första tiden, "
        "sedan insatser som kan ske mer långsiktigt.",
        (
            Section(
                "initiala",
                "Initiala åtgärder (de första 3–5 dagarna)",
                "Vad som måste göras den kritiska första tiden.",
                has_status=True,
            ),
            Section(
                "langsiktiga",
                "Långsiktiga åtgärder",
                "Insatser som kan ske mer långsiktigt.",
                has_status=True,
            ),
        ),
    ),
    Part(
        "resurser",
        "Resurser",
        "Vilka resurser har vi, internt och externt? Personal, men även andra resurser, både "
        "materiella och immateriella.",
        (
            Section(
                "intern_personal", "Interna resurser – personal", "Vem kan bidra och med vad."
            ),
            Section(
                "intern_materiell", "Interna resurser – materiella", "Lokaler, utrustning, pengar."
            ),
            Section(
                "intern_immateriell",
                "Interna resurser – immateriella",
                "Kontakter, kunskap, nätverk.",
            ),
            Section(
                "extern",
                "Externa resurser",
                "Arbetsförmedlingen, Region Västerbotten, omställningsfonder och andra.",
            ),
        ),
    ),
    Part(
        "information",
        "Information",
        "Vad ska kommuniceras, till vem, när och av vem? Kommunikationsplanen bygger på detta.",
        (
            Section(
                "information",
                "Information",
                "Vad (Vad), till vem (Till vem), av vem (Vem) och när (När).",
                has_status=True,
                has_audience=True,
            ),
        ),
    ),
    Part(
        "arbetsplan",
        "Arbetsplan",
        "Övergripande planering av vad som sker och när, med vad, vem, när och uppföljning – "
        "samt hur återkoppling av aktiviteterna görs.",
        (
            Section(
                "arbetsplan",
                "Vad sker när",
                "Skriv hur återkopplingen görs under Uppföljning.",
                has_status=True,
            ),
        ),
    ),
    Part(
        "omfall",
        "Omfallsplanering",
        "En händelse sker sällan efter en given mall. Vilka scenarier kan uppstå (t.ex. ett "
        "nytt företag etablerar sig, personal erbjuds arbete på annan ort) och vilken kedja av "
        "åtgärder leder varje scenario till?",
        (
            Section(
                "scenario",
                "Scenarier och åtgärdskedjor",
                "Ett scenario per rad; åtgärderna i dess kedja läggs under scenariot.",
                has_status=True,
            ),
        ),
    ),
)

SECTIONS = {section.key: section for part in PARTS for section in part.sections}
PART_OF = {section.key: part for part in PARTS for section in part.sections}
SECTION_CHOICES = [(key, f"{PART_OF[key].title}: {s.title}") for key, s in SECTIONS.items()]
