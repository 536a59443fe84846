"""The inzage export as a PDF a school hands to parents, drawn with ReportLab from the export's data.

A Unicode TrueType font is embedded (DejaVu Sans where the system has it, else the Bitstream Vera
that ships with ReportLab), so names and answers print as written.
"""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_FONT_CANDIDATES = [
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path(reportlab.__file__).parent / "fonts" / "Vera.ttf", Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"),
]


def _register_fonts() -> tuple[str, str]:
    for regular, bold in _FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            if "MeldrouteSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("MeldrouteSans", str(regular)))
                pdfmetrics.registerFont(TTFont("MeldrouteSans-Bold", str(bold)))
            return "MeldrouteSans", "MeldrouteSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles():
    regular, bold = _register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13, leading=16, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=10.5, leading=13, spaceBefore=6),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=12.5),
        "meta": ParagraphStyle("meta", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=11,
                               textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=11),
    }


def _text(value) -> str:
    return escape(str(value)).replace("\n", "<br/>") if value not in (None, "") else "—"


def _when(value: str | None) -> str:
    if not value:
        return "—"
    moment = datetime.fromisoformat(value)
    return moment.strftime("%d-%m-%Y %H:%M") if "T" in value else moment.strftime("%d-%m-%Y")


def _table(rows, styles, widths):
    table = Table([[Paragraph(_text(c), styles["cell"]) for c in row] for row in rows], colWidths=widths,
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def render_pdf(data: dict) -> bytes:
    styles = _styles()
    pupil, request = data["leerling"], data["verzoek"]
    story = [
        Paragraph(f"Inzage meldcodedossier: {_text(pupil['naam'])}", styles["title"]),
        Paragraph(f"{_text(data['school'])} · groep {_text(pupil['groep'])} · geboren "
                  f"{_when(pupil['geboortedatum'])}", styles["body"]),
        Paragraph(f"Verzoek van {_text(request['verzocht_door'])} op {_when(request['verzocht_op'])}; "
                  f"te beantwoorden vóór {_when(request['beantwoorden_voor'])}. Gemaakt op "
                  f"{_when(data['gemaakt_op'])}.", styles["meta"]),
        Paragraph("Dit overzicht bevat alles wat de school in Meldroute over de leerling bewaart: het verloop "
                  "van elke zaak met de gegeven antwoorden, de werkaantekeningen (notities), correctieverzoeken "
                  "van ouders en de lijst van bijlagen (de bestanden zelf zitten in het ZIP-bestand). Wat volgens "
                  "de bewaartermijnen is vernietigd, staat er niet meer in.", styles["meta"]),
    ]
    if data["niet_opgenomen"]:
        story.append(Paragraph(f"Let op: {data['niet_opgenomen']} zaak/zaken zijn alleen voor de directie "
                               "zichtbaar en staan niet in dit overzicht; laat de directeur de inzage maken.",
                               styles["body"]))
    if not data["zaken"]:
        story.append(Paragraph("Er zijn geen zaken over deze leerling bewaard.", styles["body"]))
    width = A4[0] - 3.6 * cm
    for case in data["zaken"]:
        story += [
            Spacer(1, 6),
            Paragraph(f"Zaak {_text(case['referentie'])}: {_text(case['route'])} (versie {case['versie']})",
                      styles["h2"]),
            Paragraph(f"Status: {_text(case['status'])}{' — ' + _text(case['uitkomst']) if case['uitkomst'] else ''}"
                      f" · gestart {_when(case['gestart_op'])} · afgesloten {_when(case['afgesloten_op'])}",
                      styles["meta"]),
            Paragraph("Verloop", styles["h3"]),
        ]
        for entry in case["tijdlijn"]:
            who = f" · {_text(entry['door'])}" if entry["door"] else ""
            story.append(Paragraph(f"<b>{_when(entry['op'])}{who}</b> — {_text(entry['wat'])}", styles["body"]))
            if entry["antwoorden"]:
                rows = [["Vraag", "Antwoord"]] + [[a["vraag"], a["antwoord"]] for a in entry["antwoorden"]]
                story.append(_table(rows, styles, [width * 0.45, width * 0.55]))
        story.append(Paragraph("Werkaantekeningen (notities)", styles["h3"]))
        if case["werkaantekeningen_vernietigd_op"]:
            story.append(Paragraph(f"Vernietigd op {_when(case['werkaantekeningen_vernietigd_op'])}.", styles["body"]))
        elif case["notities"]:
            rows = [["Wanneer, wie", "Soort", "Notitie"]] + [
                [f"{_when(n['op'])} {n['door'] or ''}", n["soort"] + (f" ({n['oordeel']})" if n["oordeel"] else ""),
                 n["tekst"] + (f"\nBron: {n['bron']}" if n["bron"] else "")] for n in case["notities"]]
            story.append(_table(rows, styles, [width * 0.22, width * 0.16, width * 0.62]))
        else:
            story.append(Paragraph("Geen.", styles["body"]))
        if case["correcties"]:
            story.append(Paragraph("Correctieverzoeken (naast het origineel bewaard)", styles["h3"]))
            rows = [["Verzocht", "Betreft", "Correctie"]] + [
                [f"{_when(c['verzocht_op'])} door {c['verzocht_door']}", c["betreft"], c["tekst"]]
                for c in case["correcties"]]
            story.append(_table(rows, styles, [width * 0.25, width * 0.25, width * 0.5]))
        story.append(Paragraph("Bijlagen", styles["h3"]))
        if case["bijlagen_vernietigd_op"]:
            story.append(Paragraph(f"Vernietigd op {_when(case['bijlagen_vernietigd_op'])}.", styles["body"]))
        elif case["bijlagen"]:
            rows = [["Bestand", "Geüpload", "Grootte"]] + [
                [a["bestandsnaam"], _when(a["geupload_op"]), f"{a['grootte']} bytes"] for a in case["bijlagen"]]
            story.append(_table(rows, styles, [width * 0.55, width * 0.25, width * 0.2]))
        else:
            story.append(Paragraph("Geen.", styles["body"]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm,
                                 topMargin=1.6 * cm, bottomMargin=1.6 * cm, title="Inzage meldcodedossier",
                                 author="Meldroute")
    document.build(story)
    return buffer.getvalue()
