"""The bedömningsmall's workbook as a user handles it: exported, edited, saved (by openpyxl
or by LibreOffice), uploaded, previewed and confirmed, through HTTP."""

import io
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import excel, services
from tests import sheets

# A real validator of the workbooks we write; `make test` installs it (Makefile).
SOFFICE = shutil.which("soffice")


def export(client, cast) -> bytes:
    response = client.get(reverse("sheet_export", args=[cast.event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def opened(data: bytes):
    """The workbook and its Bedömningsmall worksheet, to edit as openpyxl reads them."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb, wb[excel.SHEET_TITLE]


def save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, cast, data: bytes, name="mall.xlsx"):
    return client.post(
        reverse("sheet_import", args=[cast.event.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def confirm(client, cast, response):
    draft = response.context["draft"]
    return client.post(reverse("import_confirm", args=[cast.event.pk, draft.pk]), follow=True)


def rows_of(ws):
    """{what: (line, values)} for the data rows of the sheet worksheet."""
    found = {}
    for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
        ref = values[excel.REF_COLUMN - 1] or ""
        if line > excel.HEADER_ROW and ref and not str(ref).startswith("#"):
            found[values[0]] = (line, values)
    return found


def line_of(ws, marker: str) -> int:
    """The line of a section's or part's marker in the hidden column G ("#avsnitt:fakta")."""
    return [c.value for c in ws["G"]].index(marker) + 1


def insert(ws, line: int, *values):
    """A new line at `line`, as a user inserts one in Excel, with the values from column A."""
    ws.insert_rows(line)
    for column, value in enumerate(values, start=1):
        ws.cell(row=line, column=column, value=value)


def fill(cast) -> dict:
    """A sheet with a row in four parts, a scenario with its chain, and a removed row."""
    rows = {
        "fakta": sheets.a_row(cast, what="38 anställda varslas", section="fakta"),
        "initiala": sheets.a_row(cast, what="Ring facket", section="initiala"),
        "information": sheets.a_row(cast, what="Pressmeddelande", section="information"),
        "scenario": sheets.a_row(cast, what="Nytt företag etablerar sig", section="scenario"),
    }
    sheet = services.sheet_of(cast.event)
    rows["chain"] = services.add_row(
        sheet, "scenario", {"what": "Matcha personal"}, parent=rows["scenario"], by=cast.kommunchef
    )
    rows["gone"] = sheets.a_row(cast, what="Borttagen sedan länge", section="fakta")
    services.remove_row(rows["gone"], version=1, by=cast.kommunchef)
    return rows


def soffice(options: list[str], target: str, *, env=None, timeout: float = 120):
    """Run headless LibreOffice on `target`; fail the test after `timeout` seconds.

    `soffice` is a script that starts `soffice.bin`, which keeps the output pipes open: a
    plain `subprocess.run(timeout=…)` kills only the script and then waits for the pipes
    for ever. LibreOffice runs in its own process group, and the whole group is killed."""
    process = subprocess.Popen(
        [SOFFICE, "--headless", *options, target],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"LibreOffice did not finish in {timeout} s: {output[-2000:]!r}")
    assert process.returncode == 0, f"LibreOffice failed ({process.returncode}): {output!r}"


def libreoffice(data: bytes, work: Path, *, macro: str | None = None, env=None) -> bytes:
    """`data` opened and saved again as .xlsx by LibreOffice (headless), as a clerk who
    opens the export in LibreOffice Calc and saves it does; or, with `macro` (a Basic
    module's source), that macro run on the file instead. One user profile per `work`."""
    assert SOFFICE, "LibreOffice is missing: apt-get install -y libreoffice-calc-nogui"
    work.mkdir(exist_ok=True)
    source = work / "in.xlsx"
    source.write_bytes(data)
    profile = f"-env:UserInstallation=file://{work / 'profile'}"
    if macro is None:
        out = work / "out"
        soffice(
            [profile, "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out)],
            str(source),
        )
        return (out / "in.xlsx").read_bytes()
    if not (work / "profile").exists():
        libreoffice(data, work)  # LibreOffice makes its profile on its first start
    module = work / "profile/user/basic/Standard/Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
        '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n<script:module '
        'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        f'script:language="StarBasic">{macro}</script:module>'
    )
    soffice(
        [profile],
        "vnd.sun.star.script:Standard.Module1.Main?language=Basic&location=application",
        env={**os.environ, "WORKBOOK": str(source), **(env or {})},
    )
    return source.read_bytes()


def replaced(data: bytes, placeholder: str, text: str) -> bytes:
    """The file with the cell text `placeholder` replaced by `text` in its XML: for a text
    that openpyxl would cut to a cell's limit on writing, as other programs do not."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.endswith(".xml"):
                content = content.replace(placeholder.encode(), text.encode())
            archive.writestr(entry, content)
    return out.getvalue()
