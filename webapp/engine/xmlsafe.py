"""Parsing untrusted BPMN XML: no DTDs, no entities, no network, bounded size.

defusedxml screens the document first (it refuses DTDs, entity declarations and external
references: XXE and "billion laughs"); only then does lxml, with entity resolution and network
access switched off, build the tree the BPMN parser needs (with line numbers for messages).
"""
from __future__ import annotations

from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as defused_etree
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from lxml import etree

from webapp.engine.problems import DiagramRejected, Problem

MAX_DIAGRAM_BYTES = 5 * 1024 * 1024


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_untrusted_xml(data: bytes) -> etree._ElementTree:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_DIAGRAM_BYTES:
        raise DiagramRejected([Problem(f"bestand is groter dan {MAX_DIAGRAM_BYTES // 1024 // 1024} MB")])
    if not data.strip():
        raise DiagramRejected([Problem("bestand is leeg")])
    try:
        defused_etree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise DiagramRejected([Problem(
            "XML met een DOCTYPE, entiteiten of externe verwijzingen wordt geweigerd (beveiliging)"
        )]) from None
    except DefusedXmlException as exc:
        raise DiagramRejected([Problem(f"onveilige XML geweigerd: {exc}")]) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise DiagramRejected([Problem(f"geen geldige XML: {_plain_parse_message(exc)}", line=line)]) from None
    except (ValueError, UnicodeError) as exc:
        raise DiagramRejected([Problem(f"geen geldige XML: {exc}")]) from None
    try:
        return etree.ElementTree(etree.fromstring(data, parser=_hardened_parser()))
    except etree.XMLSyntaxError as exc:
        raise DiagramRejected([Problem(f"geen geldige XML: {exc.msg}", line=exc.lineno)]) from None


def _plain_parse_message(exc: ParseError) -> str:
    return str(exc).split(": line")[0]
