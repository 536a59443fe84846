"""Drafts, publishing and versions: the next number, frozen forms, conflicts, uploads from other tools."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.engine.test_import_validation import FORM, diagram
from tests.support.scenario import Scenario, setup_school
from webapp.audit.actor import Actor
from webapp.audit.models import AuditEntry
from webapp.auth.policy import Policy
from webapp.cases.models import CaseStatus
from webapp.definitions.models import ProcessDraft, ProcessVersion
from webapp.definitions.version_forms import form_of_task
from webapp.forms.catalog import FormCatalog
from webapp.modeler import drafts
from webapp.roles import Role

ONE_TASK = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""

EXTRA_FIELD = """
  - name: extra_vraag
    type: textarea
    label: Nieuwe vraag in versie 3
    required: true
"""

CAMUNDA_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="Definitions_0x" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler"
    exporterVersion="5.31.0" modeler:executionPlatform="Camunda Platform">
  <bpmn:process id="Meldcode_Camunda" name="Meldcode uit Camunda" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_a" sourceRef="StartEvent_1" targetRef="Activity_signaal"/>
    <bpmn:userTask id="Activity_signaal" name="Signalen vastleggen" camunda:formKey="signalen">
      <bpmn:incoming>Flow_a</bpmn:incoming><bpmn:outgoing>Flow_b</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="DataOutputAssociation_1">
        <bpmn:targetRef>DataObjectReference_dossier</bpmn:targetRef>
      </bpmn:dataOutputAssociation>
    </bpmn:userTask>
    <bpmn:dataObjectReference id="DataObjectReference_dossier" name="Dossier" dataObjectRef="DataObject_1"/>
    <bpmn:dataObject id="DataObject_1"/>
    <bpmn:sequenceFlow id="Flow_b" sourceRef="Activity_signaal" targetRef="EndEvent_1"/>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_b</bpmn:incoming></bpmn:endEvent>
    <bpmn:textAnnotation id="TextAnnotation_1"><bpmn:text>Bespreek met de IB'er</bpmn:text></bpmn:textAnnotation>
    <bpmn:association id="Association_1" sourceRef="Activity_signaal" targetRef="TextAnnotation_1"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Meldcode_Camunda">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>"""


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def owner(school, role=Role.BELEIDSEIGENAAR):
    return Actor(school.users[role])


def policy_of(session, school, role=Role.BELEIDSEIGENAAR):
    return Policy.for_user(session, school.users[role])


def draft_from(session, services, school, bpmn: bytes, role=Role.BELEIDSEIGENAAR):
    return drafts.new_draft(session, services.forms, owner(school, role), policy_of(session, school, role),
                            definition_id=school.definitions["meldcode"].id, now=services.now(), bpmn=bpmn,
                            filename="nieuw.bpmn")


def publish(session, services, school, draft, note="Nieuwe stap", forms=None):
    return drafts.publish_draft(session, forms or services.forms, owner(school), policy_of(session, school),
                                draft_id=draft.id, revision=draft.revision, note=note, now=services.now())


def with_changed_form(services) -> FormCatalog:
    sources = {key: services.forms.source(key) for key in services.forms.keys()}
    sources[FORM] = sources[FORM] + EXTRA_FIELD
    return FormCatalog.from_sources(sources)


def test_publish_makes_the_next_version_and_a_running_case_ends_on_its_own(session, services, database, school):
    draft, check = draft_from(session, services, school, diagram(ONE_TASK))
    assert check.ok
    v2 = publish(session, services, school, draft, note="Eén besluit")
    old_case = Scenario.start(session, services, database, school)
    assert old_case.open_elements() == ["Task_1"]

    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    v3 = publish(session, services, school, draft, note="Extra vraag bij het besluit",
                 forms=with_changed_form(services))
    assert (v2.number, v3.number) == (2, 3)
    assert (v3.comment, v3.created_by_id) == ("Extra vraag bij het besluit", school.users[Role.BELEIDSEIGENAAR])
    assert session.scalar(select(func.count()).select_from(ProcessDraft)) == 0

    new_case = Scenario.start(session, services, database, school)
    assert new_case.case.process_version.number == 3
    assert "extra_vraag" in form_of_task(session, new_case.task("Task_1")).field_names
    # The case on version 2 keeps version 2's form: without the new question, and it ends there.
    assert "extra_vraag" not in form_of_task(session, old_case.task("Task_1")).field_names
    old_case.complete("Task_1", {"uitkomst_fase1": "ongegrond"})
    assert old_case.case.status == CaseStatus.CLOSED
    assert old_case.case.process_version.number == 2


def test_a_changed_form_file_reaches_only_new_versions(session, services, database, school, tmp_path):
    """Until published again, new cases too get the form their version froze."""
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    publish(session, services, school, draft)
    case = Scenario.start(session, services, database, school)
    assert "extra_vraag" not in form_of_task(session, case.task("Task_1")).field_names


def test_publish_is_refused_while_errors_remain_and_without_a_note(session, services, school):
    without_form = ONE_TASK.replace(f' meldroute:formKey="{FORM}"', "")
    draft, check = draft_from(session, services, school, diagram(without_form))
    assert [(p.element_id, "formulier" in p.message) for p in check.errors] == [("Task_1", True)]
    with pytest.raises(drafts.PublishRefused) as refused:
        publish(session, services, school, draft)
    assert refused.value.problems[0].element_id == "Task_1"
    draft = session.get(ProcessDraft, draft.id)
    assert draft is not None
    good, _ = draft_from(session, services, school, diagram(ONE_TASK))
    with pytest.raises(drafts.PublishRefused, match="wijzigingsnotitie"):
        publish(session, services, school, good, note="  ")
    assert session.scalar(select(func.max(ProcessVersion.number))) == 1


def test_two_owners_saving_one_draft_get_a_conflict_and_lose_nothing(session, services, school):
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    seen = draft.revision
    first = diagram(ONE_TASK.replace('name="Besluit"', 'name="Besluit van Bea"'))
    saved, _ = drafts.save_draft(session, services.forms, owner(school), policy_of(session, school),
                                 draft_id=draft.id, bpmn=first, revision=seen, now=services.now())
    assert saved.revision == seen + 1
    second = diagram(ONE_TASK.replace('name="Besluit"', 'name="Besluit van de beheerder"'))
    with pytest.raises(drafts.DraftConflict, match="intussen opgeslagen") as conflict:
        drafts.save_draft(session, services.forms, owner(school, Role.BEHEERDER),
                          policy_of(session, school, Role.BEHEERDER), draft_id=draft.id, bpmn=second,
                          revision=seen, now=services.now())
    assert "Bea" in str(conflict.value)
    assert "Besluit van Bea" in session.get(ProcessDraft, draft.id).bpmn_xml
    with pytest.raises(drafts.DraftConflict):  # publishing what one saw, not what was saved since
        drafts.publish_draft(session, services.forms, owner(school, Role.BEHEERDER),
                             policy_of(session, school, Role.BEHEERDER), draft_id=draft.id, revision=seen,
                             note="Mijn versie", now=services.now())


def test_a_camunda_modeler_file_with_data_objects_becomes_a_draft_with_warnings(session, services, school):
    draft, check = draft_from(session, services, school, CAMUNDA_FILE)
    assert session.get(ProcessDraft, draft.id).bpmn_xml == CAMUNDA_FILE.decode()  # kept as it came
    assert {w.element_id for w in check.warnings} == {
        "DataOutputAssociation_1", "DataObjectReference_dossier", "DataObject_1"}
    # What the author must still do before publishing: forms and lanes, by element.
    assert {p.element_id for p in check.errors} == {"Activity_signaal"}


def test_an_upload_that_would_change_execution_is_refused_and_stores_nothing(session, services, school):
    script = ONE_TASK.replace("bpmn:userTask", "bpmn:scriptTask")
    with pytest.raises(drafts.UploadRefused) as refused:
        draft_from(session, services, school, diagram(script))
    assert any(p.element_id == "Task_1" and p.line for p in refused.value.problems)
    with pytest.raises(drafts.UploadRefused):
        draft_from(session, services, school, b"<html>niet bpmn</html>")
    assert session.scalar(select(func.count()).select_from(ProcessDraft)) == 0


def test_only_policy_owners_and_beheerders_change_diagrams(session, services, school):
    for role in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR):
        with pytest.raises(drafts.NotAllowedHere):
            draft_from(session, services, school, diagram(ONE_TASK), role=role)
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK), role=Role.BEHEERDER)
    other = setup_school(session, services, "basismodel_2019", slug="andereschool")
    with pytest.raises(drafts.DraftNotFound):
        drafts.save_draft(session, services.forms, owner(other), policy_of(session, other), draft_id=draft.id,
                          bpmn=diagram(ONE_TASK), revision=draft.revision, now=services.now())


def test_save_publish_and_export_are_audited_and_export_carries_the_forms(session, services, school):
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    draft, _ = drafts.save_draft(session, services.forms, owner(school), policy_of(session, school),
                                 draft_id=draft.id, bpmn=diagram(ONE_TASK), revision=draft.revision,
                                 now=services.now(), autosave=True)
    version = publish(session, services, school, draft)
    export = drafts.export_version(session, owner(school), version, services.now())
    assert export.filename == "meldcode-v2.bpmn"
    assert list(export.forms) == [FORM] and export.forms[FORM] == services.forms.source(FORM)
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    for action in ("diagram.draft_create", "diagram.draft_save", "diagram.publish", "diagram.export"):
        assert action in actions
