"""Compiled processes, cached per process version content.

A stored version never changes (its XML is immutable and addressed by its SHA-256), so a
compiled process can be shared by every request and worker job in this process; another process
compiles its own copy from the same bytes and gets the same result.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.definitions.models import ProcessVersion
from webapp.engine import CompiledProcess, compile_bpmn

MAX_CACHED = 128
_lock = threading.Lock()
_compiled: OrderedDict[str, CompiledProcess] = OrderedDict()


def content_hash(bpmn_xml: bytes | str) -> str:
    data = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
    return hashlib.sha256(data).hexdigest()


def remember(content: str, compiled: CompiledProcess) -> None:
    with _lock:
        _compiled[content] = compiled
        _compiled.move_to_end(content)
        while len(_compiled) > MAX_CACHED:
            _compiled.popitem(last=False)


def _cached(content: str) -> CompiledProcess | None:
    with _lock:
        cached = _compiled.get(content)
        if cached is not None:
            _compiled.move_to_end(content)
        return cached


def compiled_process(version: ProcessVersion) -> CompiledProcess:
    cached = _cached(version.content_hash)
    if cached is not None:
        return cached
    compiled = compile_bpmn(
        version.bpmn_xml.encode("utf-8"), filename=version.source_filename or "", forms=None
    )
    remember(version.content_hash, compiled)
    return compiled


def compiled_process_of(session: Session, version_id: int, content: str | None = None) -> CompiledProcess:
    """The compiled process of a stored version, reading its diagram only when not compiled yet.

    Every case change needs its process; fetching just the content hash (or taking the one the
    caller already read) spares reading, and on PostgreSQL transferring, the whole BPMN text —
    tens of kilobytes — per request.
    """
    if content is None:
        content = session.scalar(select(ProcessVersion.content_hash).where(ProcessVersion.id == version_id))
    cached = _cached(content) if content is not None else None
    if cached is not None:
        return cached
    version = session.get(ProcessVersion, version_id)
    if version is None:
        raise LookupError(f"process version {version_id}")
    return compiled_process(version)
