"""The forms a published version froze: what its cases show and validate, to their end.

A version's forms never change once stored (like its diagram), so the parsed forms are cached by
their content: every request for a case on that version shares one parse.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.cases.models import Case, CaseTask
from webapp.definitions.models import ProcessVersion, ProcessVersionForm
from webapp.definitions.spec_cache import content_hash
from webapp.forms.catalog import FormCatalog
from webapp.forms.definition import FormDefinition

MAX_CACHED = 256
_lock = threading.Lock()
_parsed: OrderedDict[tuple, FormCatalog] = OrderedDict()


def freeze_forms(session: Session, version: ProcessVersion, form_keys, forms: FormCatalog) -> None:
    """Store, with the version, each form it uses as it is in `forms` now."""
    for key in sorted(form_keys):
        text = forms.source(key)
        session.add(ProcessVersionForm(version_id=version.id, form_key=key, source_yaml=text,
                                       content_hash=content_hash(text)))


def frozen_hashes(session: Session, version_id: int) -> dict[str, str]:
    return dict(session.execute(
        select(ProcessVersionForm.form_key, ProcessVersionForm.content_hash)
        .where(ProcessVersionForm.version_id == version_id)
    ).all())


def forms_of_version(session: Session, version_id: int) -> FormCatalog:
    hashes = frozen_hashes(session, version_id)
    key = tuple(sorted(hashes.items()))
    with _lock:
        cached = _parsed.get(key)
        if cached is not None:
            _parsed.move_to_end(key)
            return cached
    sources = dict(session.execute(
        select(ProcessVersionForm.form_key, ProcessVersionForm.source_yaml)
        .where(ProcessVersionForm.version_id == version_id)
    ).all())
    catalog = FormCatalog.from_sources(sources)
    with _lock:
        _parsed[key] = catalog
        while len(_parsed) > MAX_CACHED:
            _parsed.popitem(last=False)
    return catalog


def form_of_task(session: Session, task: CaseTask) -> FormDefinition:
    """The task's form as its case's version froze it (raises UnknownForm when it has none)."""
    version_id = session.scalar(select(Case.process_version_id).where(Case.id == task.case_id))
    return forms_of_version(session, version_id).get(task.form_key)
