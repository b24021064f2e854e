"""Benches of the communication plan: a two-page press text as a PDF through the download
URL (warm gunicorn), and the same text converted from Word by LibreOffice headless, the
path users have today."""

import shutil
import statistics
import subprocess
import time

from bench import BENCH_DIR, Server, bench_env, django_shell, login_cookie

LIBREOFFICE_RUNS = 7

# A two-page press text on its own event; prints the event id, the text id and the path of
# an HTML copy of the same text for LibreOffice.
PRESS_TEXT = """
from pathlib import Path
from accounts.models import User
from commsplan.models import PressText
from commsplan.services import plan_for
from events.models import Event, Membership
user, _ = User.objects.get_or_create(username="bench_comms",
    defaults={"first_name": "Jonas", "last_name": "Berg", "email": "jonas@norsjo.example",
              "phone": "0918-141 00"})
event = Event.objects.filter(case_number="BENCH PDF").first()
if event is None:
    event = Event.objects.create(case_number="BENCH PDF", title="Varsel vid Åsele Såg AB",
        kind="varsel", notice_status="aviserad", company_name="Åsele Såg AB",
        impact_individ="hog", created_by=user)
    Membership.objects.create(event=event, user=user, group="startgrupp")
paragraph = ("Norsjö kommun har i dag fått besked om att Åsele Såg AB varslar 38 anställda "
    "vid sågverket i Bastuträsk. Kommunen har samlat startgruppen och en arbetsgrupp som "
    "tillsammans med Arbetsförmedlingen, omställningsfonden och facket ska ge de berörda "
    "stöd i omställningen. Målet är att ingen ska lämnas ensam och att kompetensen ska "
    "stanna i bygden. ")
body = ("\\n\\n".join([paragraph * 2] * 7)
    + "\\n\\n- Träffpunkt på biblioteket\\n- Rådgivning om ekonomi")
row = plan_for(event).rows.get(position=0)
PressText.objects.filter(row=row).delete()
text = PressText.objects.create(row=row,
    title="Norsjö kommun stöttar de varslade på Åsele Såg", author=user, contact=user,
    lead="Kommunen öppnar en träffpunkt och samlar Arbetsförmedlingen och facket.", body=body)
html = Path(%(dir)r) / "pressmeddelande.html"
html.write_text(f'''<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>{text.title}</title></head><body><p>Norsjö kommun<br>935 81 Norsjö</p>
<p>Pressmeddelande · {event.case_number}</p><h1>{text.title}</h1><p><b>{text.lead}</b></p>
{text.body_html}<h2>Kontaktperson</h2><p>{user.get_full_name()}, telefon {user.phone},
{user.email}</p></body></html>''')
print(event.pk, text.pk, html)
"""


def bench_press_pdf(results):
    env = bench_env()
    work = BENCH_DIR / "commsplan"
    work.mkdir(parents=True, exist_ok=True)
    event_id, text_id, html = django_shell(env, PRESS_TEXT % {"dir": str(work)}).split()[-3:]
    cookie = login_cookie(env, "bench_comms")
    path = f"/arenden/{event_id}/kommunikation/texter/{text_id}/pdf/"
    with Server(env) as server:
        status, content = server.get(path, {"Cookie": cookie})
        assert status == 200, status
        assert content.startswith(b"%PDF")
        (work / "weasyprint.pdf").write_bytes(content)
        ours = server.median_ms(path, {"Cookie": cookie}, runs=100)
    results["press_pdf_median_ms"] = {"value": ours, "unit": "ms"}
    theirs = _libreoffice_ms(work, html)
    results["press_pdf_libreoffice_ms"] = {"value": theirs, "unit": "ms"}
    results["press_pdf_vs_libreoffice"] = {"value": round(ours / theirs, 3), "unit": "x"}


def _libreoffice_ms(work, html) -> float:
    """Median wall time of `soffice --headless --convert-to pdf` on the text as a Word
    file, the way a user's document is converted today (a fresh process per document)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("soffice saknas: `make bench` installerar libreoffice-writer-nogui")
    profile = f"-env:UserInstallation=file://{work / 'lo-profile'}"

    def convert(source, target_format):
        subprocess.run(
            [
                soffice,
                profile,
                "--headless",
                "--convert-to",
                target_format,
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
        )

    # The Word file the user has (not timed); the first run also creates the profile.
    convert(html, "docx:MS Word 2007 XML")
    docx = work / "pressmeddelande.docx"
    timings = []
    for _ in range(LIBREOFFICE_RUNS):
        start = time.perf_counter()
        convert(docx, "pdf")
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 1)


BENCHES = [bench_press_pdf]
