"""Saving and loading a case's workflow state without its spec.

SpiffWorkflow's default serializer embeds the full process spec in every instance. The spec is
stored once per definition version (as BPMN) and cached compiled, so the state holds only the
instance: tasks, their data and internal data.
"""
from __future__ import annotations

import json
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS

from webapp.engine.specs import CompiledProcess
from webapp.engine.timers import DeadlineDateTimer, DeadlineDurationTimer


class _InstanceOnlyConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# Fired events (e.g. what an event-based gateway saw) are kept in the state, so Meldroute's
# timer definitions need converters like SpiffWorkflow's own.
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({
    **DEFAULT_CONFIG,
    BpmnWorkflow: _InstanceOnlyConverter,
    DeadlineDateTimer: TimerConditionalEventDefinitionConverter,
    DeadlineDurationTimer: TimerConditionalEventDefinitionConverter,
}))


def dump_state(workflow: BpmnWorkflow) -> str:
    return _serializer.serialize_json(workflow)


def load_state(state: str, compiled: CompiledProcess) -> BpmnWorkflow:
    dct = json.loads(state)
    version = dct.pop(_serializer.VERSION_KEY, None)
    if version != _serializer.VERSION and version in MIGRATIONS:
        MIGRATIONS[version](dct)
    return _serializer.from_dict(
        dct, spec=compiled.spec, subprocess_specs=compiled.subprocess_specs
    )
