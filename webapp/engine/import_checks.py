"""Importing a diagram: everything that must hold before a BPMN file may run a case.

`compile_bpmn` either returns a `CompiledProcess` or raises `DiagramRejected` listing every
problem it found, each with the element id and source line where known. It never lets an
exception from the XML parser or SpiffWorkflow escape as a traceback.

Checks, in order: safe XML; a BPMN 2.0 document (schema-valid); exactly one executable process;
only elements Meldroute supports (no scripts, services, DMN, messages, call
activities, loops; data objects and stores only document: kept, with a warning, and removed
from what the engine sees); every user task in a lane that names a known role, with a known form;
every condition, timer and due date a valid restricted expression over fields the diagram's
forms ask for; every element reachable from the start and with a way to an end, every exclusive
or inclusive gateway able to decide (`flow_graph.py`, the same rules as the modeler's browser
lint); then SpiffWorkflow's own parse and a dry start of the process.
"""
from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.engine.due_dates import DEADLINE_FUNCTION_NAMES
from webapp.engine.environment import EngineEnvironment
from webapp.engine.expressions import (
    SAFE_BUILTINS,
    ExpressionError,
    ExpressionTooCostly,
    evaluate_expression,
    parse_expression,
)
from webapp.engine.flow_graph import FlowGraph
from webapp.engine.parser import BPMN_NS, MELDROUTE_NS, MeldrouteBpmnParser
from webapp.engine.problems import DiagramRejected, Problem
from webapp.engine.specs import (
    ACUTE_DANGER_NAMES,
    ACUTE_DANGER_SIGNAL,
    CASE_START_NAMES,
    CompiledProcess,
    ElementInfo,
)
from webapp.engine.timer_definitions import literal_timer_value
from webapp.engine.xmlsafe import parse_untrusted_xml
from webapp.outcome_kinds import OUTCOME_KINDS
from webapp.roles import known_lane_names, lane_for_name, parse_also_lanes

MAX_SCHEMA_PROBLEMS = 10
RESERVED_IDS = {"Start", "End", "Root"}

FLOW_NODES = {
    "startEvent", "endEvent", "userTask", "task", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "subProcess",
}
STRUCTURE = {
    "sequenceFlow", "association", "textAnnotation", "text", "group", "laneSet", "lane",
    "flowNodeRef", "childLaneSet", "documentation", "extensionElements", "incoming", "outgoing",
    "conditionExpression", "timerEventDefinition", "timeDate", "timeDuration",
    "signalEventDefinition", "terminateEventDefinition",
}

UNSUPPORTED = {
    "scriptTask": "scripttaak met code: Meldroute voert geen code uit diagrammen uit; gebruik een "
                  "gebruikerstaak (userTask) met een formulier",
    "serviceTask": "servicetaak: Meldroute roept vanuit diagrammen geen externe services aan",
    "businessRuleTask": "beslistabel (businessRuleTask/DMN) wordt niet ondersteund; leg de "
                        "beslissing vast in een formulier en kies met een gateway",
    "sendTask": "berichten (sendTask) worden niet ondersteund; gebruik een gebruikerstaak",
    "receiveTask": "berichten (receiveTask) worden niet ondersteund; gebruik een gebruikerstaak",
    "manualTask": "handmatige taak: gebruik een gebruikerstaak (userTask) met een formulier",
    "callActivity": "aanroep van een ander proces (callActivity) wordt niet ondersteund; teken de "
                    "stappen in dit diagram, eventueel in een subproces",
    "transaction": "transacties worden niet ondersteund",
    "adHocSubProcess": "ad-hoc-subprocessen worden niet ondersteund",
    "complexGateway": "complexe gateways worden niet ondersteund; gebruik een exclusieve of "
                      "parallelle gateway",
    "ioSpecification": "invoer-/uitvoerspecificaties worden niet ondersteund",
    "property": "eigenschappen (property) worden niet ondersteund",
    "multiInstanceLoopCharacteristics": "multi-instance-taken worden niet ondersteund",
    "standardLoopCharacteristics": "lussen op een taak worden niet ondersteund; teken een "
                                   "terugkerende stroom met een gateway",
    "messageEventDefinition": "berichtgebeurtenissen worden niet ondersteund; gebruik een signaal",
    "errorEventDefinition": "foutgebeurtenissen worden niet ondersteund",
    "escalationEventDefinition": "escalatiegebeurtenissen worden niet ondersteund; escalatie "
                                 "regelt Meldroute zelf bij verlopen termijnen",
    "compensateEventDefinition": "compensatie wordt niet ondersteund",
    "conditionalEventDefinition": "voorwaardelijke gebeurtenissen worden niet ondersteund",
    "linkEventDefinition": "link-gebeurtenissen worden niet ondersteund",
    "cancelEventDefinition": "annuleringsgebeurtenissen worden niet ondersteund",
    "timeCycle": "herhalende timers (timeCycle) worden niet ondersteund; herinneringen regelt "
                 "Meldroute zelf",
}

# Elements that only document (what data a step uses, notes, groupings): other tools draw them
# freely, so a diagram keeps them, but they never reach the engine — it gets the diagram without
# them, and the author is told they are not executed. Text annotations, associations and groups
# the engine already ignores.
DOCUMENTATION_ONLY = {
    "dataObject": "data-object", "dataObjectReference": "data-object",
    "dataInputAssociation": "data-associatie", "dataOutputAssociation": "data-associatie",
    "dataStoreReference": "gegevensopslag", "dataStore": "gegevensopslag",
}

SPIFF_MESSAGES = {
    "Multiple outgoing flows are not supported": "een taak mag maar één uitgaande stroom hebben; "
                                                 "gebruik een gateway voor een keuze of splitsing",
    "Non-default exclusive outgoing sequence flow without condition":
        "uitgaande stroom van een gateway zonder voorwaarde (en niet de standaardstroom)",
    "No output task connected": "element heeft geen uitgaande stroom naar een volgend element",
}


class FormLookup(Protocol):
    def has_form(self, form_key: str) -> bool: ...

    def field_names(self, form_key: str) -> frozenset[str]: ...


def local_name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _is_bpmn(element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).namespace == BPMN_NS


def _bpmn(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


@functools.cache
def _bpmn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(XSD_PATH))


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, message: str, element=None, element_id: str | None = None) -> None:
        line = element.sourceline if element is not None else None
        if element_id is None and element is not None:
            element_id = element.get("id")
        self.add_at(message, element_id, line)

    def add_at(self, message: str, element_id: str | None, line: int | None) -> None:
        self.problems.append(Problem(message, element_id, line))


def compile_bpmn(data: bytes, *, filename: str, forms: FormLookup | None) -> CompiledProcess:
    """Validate and compile a diagram. `forms=None` recompiles an already accepted (stored)
    version: the safety checks still run, but forms that have changed since do not block it."""
    tree = parse_untrusted_xml(data)
    root = tree.getroot()
    if root.tag != _bpmn("definitions"):
        raise DiagramRejected([Problem(
            f"geen BPMN 2.0-diagram: het hoofdelement is <{etree.QName(root).localname}>, "
            "verwacht bpmn:definitions", line=root.sourceline,
        )])
    schema_problems = _schema_problems(tree)
    if schema_problems:
        raise DiagramRejected(schema_problems)

    warnings = _strip_documentation_only(root)
    process = _single_executable_process(root)
    problems = _Collector()
    elements = _check_process(root, process, forms, problems)
    if problems.problems:
        raise DiagramRejected(problems.problems, warnings)

    spec, subprocess_specs = _spiff_parse(tree, process, filename)
    compiled = CompiledProcess(
        process_id=process.get("id"),
        name=process.get("name") or process.get("id"),
        spec=spec,
        subprocess_specs=subprocess_specs,
        elements=elements,
        warnings=tuple(warnings),
    )
    _dry_start(compiled, tree)
    return compiled


def _strip_documentation_only(root) -> list[Problem]:
    """Remove documentation-only elements from the tree the engine will see; one warning each.

    The stored diagram keeps them (the tree here is parsed for this compile only)."""
    warnings = []
    found = [e for e in root.iter() if _is_bpmn(e) and local_name(e) in DOCUMENTATION_ONLY]
    for element in found:
        kind = local_name(element)
        label = element.get("name") or element.get("id") or _owner_id(element) or ""
        warnings.append(Problem(
            f"{DOCUMENTATION_ONLY[kind]} '{label}' documenteert alleen: het blijft in het diagram "
            "staan maar Meldroute voert er niets mee uit (gegevens komen uit de formulieren)",
            element.get("id") or _owner_id(element), element.sourceline, severity="warning",
        ))
        element.getparent().remove(element)
    return warnings


def structural_problems(data: bytes) -> list[Problem]:
    """What makes a file unusable as a starting point at all: not safe XML, not BPMN 2.0 (schema),
    no process, or elements that would change execution and that Meldroute does not support.
    An upload with any of these is refused; other problems (a task without a form or a lane) are
    the work a draft is for."""
    try:
        tree = parse_untrusted_xml(data)
    except DiagramRejected as rejected:
        return rejected.problems
    root = tree.getroot()
    if root.tag != _bpmn("definitions"):
        return [Problem(f"geen BPMN 2.0-diagram: het hoofdelement is <{etree.QName(root).localname}>, "
                        "verwacht bpmn:definitions", line=root.sourceline)]
    problems = _schema_problems(tree)
    if problems:
        return problems
    _strip_documentation_only(root)
    processes = root.findall(_bpmn("process"))
    if not processes:
        return [Problem("het diagram bevat geen proces (bpmn:process)")]
    collector = _Collector()
    _check_ids(root, collector)
    for process in processes:
        _check_unsupported(root, process, collector)
    return collector.problems


def documentation_warnings(data: bytes) -> list[Problem]:
    try:
        root = parse_untrusted_xml(data).getroot()
    except DiagramRejected:
        return []
    return _strip_documentation_only(root)


def _schema_problems(tree) -> list[Problem]:
    schema = _bpmn_schema()
    if schema.validate(tree):
        return []
    problems = []
    for error in list(schema.error_log)[:MAX_SCHEMA_PROBLEMS]:
        message = error.message.replace(f"{{{BPMN_NS}}}", "bpmn:")
        problems.append(Problem(f"voldoet niet aan het BPMN 2.0-schema: {message}", line=error.line))
    return problems


def _single_executable_process(root):
    processes = root.findall(_bpmn("process"))
    if not processes:
        raise DiagramRejected([Problem("het diagram bevat geen proces (bpmn:process)")])
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        raise DiagramRejected([
            Problem(
                f"proces '{p.get('name') or p.get('id')}' is gemarkeerd als niet-uitvoerbaar "
                "(isExecutable=\"false\", de standaard van bpmn-js): zet 'Executable' aan om het "
                "als meldcode te gebruiken",
                p.get("id"), p.sourceline,
            )
            for p in processes
        ])
    if len(executable) > 1:
        ids = ", ".join(p.get("id") for p in executable)
        raise DiagramRejected([Problem(
            f"één uitvoerbaar proces per diagram; dit bestand heeft er {len(executable)} ({ids}). "
            "Zet de andere pools op niet-uitvoerbaar.", executable[1].get("id"), executable[1].sourceline,
        )])
    return executable[0]


def _lane_index(process, problems: _Collector) -> dict[str, object]:
    """Element id → the lane element listing it (nested lanes: the innermost wins)."""
    lanes = {}
    for lane in process.iter(_bpmn("lane")):
        for ref in lane.findall(_bpmn("flowNodeRef")):
            if ref.text:
                lanes[ref.text.strip()] = lane
    for lane in process.iter(_bpmn("lane")):
        has_nested = lane.find(_bpmn("childLaneSet")) is not None
        if not has_nested and lane_for_name(lane.get("name")) is None:
            problems.add(
                f"baan (lane) '{lane.get('name') or ''}' is geen bekende rol; gebruik een van: "
                f"{known_lane_names()}", lane,
            )
    return lanes


def _check_process(root, process, forms: FormLookup, problems: _Collector) -> dict[str, ElementInfo]:
    _check_ids(root, problems)
    _check_unsupported(root, process, problems)
    signals = {s.get("id"): s.get("name") for s in root.iter(_bpmn("signal"))}
    lanes = _lane_index(process, problems)
    known_names = set(CASE_START_NAMES)
    if ACUTE_DANGER_SIGNAL in signals.values():
        known_names |= ACUTE_DANGER_NAMES
    for task in process.iter(_bpmn("userTask")):
        form_key = task.get(f"{{{MELDROUTE_NS}}}formKey")
        if form_key and forms is not None and forms.has_form(form_key):
            known_names |= forms.field_names(form_key)

    elements: dict[str, ElementInfo] = {}
    for element in process.iter():
        if not _is_bpmn(element):
            continue
        kind = local_name(element)
        if kind in FLOW_NODES:
            elements[element.get("id")] = _element_info(element, kind, lanes, signals, forms, problems)
        elif kind == "sequenceFlow":
            _check_condition(element, known_names if forms is not None else None, problems)
    _check_start_events(process, problems)
    _check_connections(process, problems)
    _check_expressions(elements.values(), known_names if forms is not None else None, problems)
    return elements


def _check_ids(root, problems: _Collector) -> None:
    ids = Counter(e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
    for element in root.iter():
        if not _is_bpmn(element):
            continue
        element_id = element.get("id")
        if element_id in RESERVED_IDS:
            problems.add(
                f"id '{element_id}' is gereserveerd door de engine; kies een andere id", element
            )
        elif element_id and ids[element_id] > 1:
            problems.add(f"id '{element_id}' komt meer dan één keer voor", element)
        elif not element_id and local_name(element) in FLOW_NODES | {"sequenceFlow"}:
            problems.add(f"{local_name(element)} zonder id", element)


def _check_unsupported(root, process, problems: _Collector) -> None:
    for element in process.iterdescendants():
        if not _is_bpmn(element):
            continue
        if any(local_name(a) == "extensionElements" for a in element.iterancestors() if _is_bpmn(a)):
            continue  # extension content belongs to tools, not to the process semantics
        kind = local_name(element)
        if kind in UNSUPPORTED:
            problems.add(UNSUPPORTED[kind], element, element.get("id") or _owner_id(element))
        elif kind not in FLOW_NODES and kind not in STRUCTURE:
            problems.add(f"BPMN-element '{kind}' wordt niet ondersteund", element,
                         element.get("id") or _owner_id(element))


def _owner_id(element) -> str | None:
    for ancestor in element.iterancestors():
        if ancestor.get("id"):
            return ancestor.get("id")
    return None


def _element_info(element, kind, lanes, signals, forms: FormLookup, problems) -> ElementInfo:
    element_id = element.get("id")
    lane_element = lanes.get(element_id)
    lane_name = lane_element.get("name") if lane_element is not None else None
    documentation = "\n".join(
        (d.text or "").strip() for d in element.findall(_bpmn("documentation"))
    ).strip()
    parent = element.getparent()
    info = dict(
        id=element_id,
        kind=kind,
        name=(element.get("name") or "").strip(),
        line=element.sourceline,
        lane=lane_for_name(lane_name),
        lane_label=lane_name,
        documentation=documentation,
        parent_id=parent.get("id") if local_name(parent) == "subProcess" else None,
    )
    if kind == "userTask":
        info.update(_user_task_info(element, lane_element, forms, problems))
    info.update(_monitor_marks(element, kind, problems))
    if kind == "boundaryEvent":
        info["attached_to"] = element.get("attachedToRef")
        info["interrupting"] = element.get("cancelActivity", "true") == "true"
    timer = element.find(_bpmn("timerEventDefinition"))
    if timer is not None:
        info["timer_expression"] = _timer_expression(timer, element, problems)
    signal = element.find(_bpmn("signalEventDefinition"))
    if signal is not None:
        signal_ref = signal.get("signalRef")
        if not signal_ref or not signals.get(signal_ref):
            problems.add(
                f"signaal '{signal_ref or ''}' bestaat niet of heeft geen naam (bpmn:signal)", element
            )
        else:
            info["signal_name"] = signals[signal_ref]
    return ElementInfo(**info)


def _user_task_info(element, lane_element, forms: FormLookup, problems) -> dict:
    form_key = element.get(f"{{{MELDROUTE_NS}}}formKey")
    if not form_key:
        problems.add("gebruikerstaak zonder formulier: geef meldroute:formKey op", element)
    elif forms is not None and not forms.has_form(form_key):
        problems.add(f"onbekend formulier '{form_key}' (meldroute:formKey)", element)
    if lane_element is None:
        problems.add(
            "gebruikerstaak ligt in geen baan (lane): leg elke taak in de baan van de rol die haar "
            "uitvoert", element,
        )
    due_date = element.get(f"{{{MELDROUTE_NS}}}dueDate")
    lanes = {}
    for attribute in ("alsoLanes", "neverBy"):
        lanes[attribute], unknown = parse_also_lanes(element.get(f"{{{MELDROUTE_NS}}}{attribute}"))
        for name in unknown:
            problems.add(f"meldroute:{attribute} noemt '{name}', geen bekende rol; gebruik een van: "
                         f"{known_lane_names()} (gescheiden door ';')", element)
    own_lane = lane_for_name(lane_element.get("name")) if lane_element is not None else None
    if own_lane is not None and own_lane in lanes["neverBy"]:
        problems.add(f"meldroute:neverBy noemt de eigen baan van de taak ('{lane_element.get('name')}'): "
                     "dan kan niemand uit die baan de taak doen", element)
    return {"form_key": form_key, "due_date": due_date.strip() if due_date else None,
            "also_lanes": tuple(lane for lane in lanes["alsoLanes"] if lane != own_lane),
            "never_by": lanes["neverBy"]}


def _monitor_marks(element, kind, problems) -> dict:
    """`meldroute:outcome` on an end event (one of the outcome kinds) and `meldroute:melding` on
    a user task ("true" or "false"): what the monitor counts; anywhere else they mean nothing."""
    marks = {}
    outcome = element.get(f"{{{MELDROUTE_NS}}}outcome")
    if outcome is not None:
        if kind != "endEvent":
            problems.add("meldroute:outcome hoort alleen op een eindgebeurtenis", element)
        elif outcome.strip() not in OUTCOME_KINDS:
            problems.add(f"onbekende uitkomst '{outcome}' (meldroute:outcome); kies uit: "
                         + ", ".join(sorted(OUTCOME_KINDS)), element)
        else:
            marks["outcome"] = outcome.strip()
    melding = element.get(f"{{{MELDROUTE_NS}}}melding")
    if melding is not None:
        if kind != "userTask":
            problems.add("meldroute:melding hoort alleen op een gebruikerstaak", element)
        elif melding.strip() not in ("true", "false"):
            problems.add(f"meldroute:melding moet \"true\" of \"false\" zijn, niet '{melding}'", element)
        else:
            marks["melding"] = melding.strip() == "true"
    return marks


def _timer_expression(timer, element, problems) -> str | None:
    for tag in ("timeDate", "timeDuration"):
        node = timer.find(_bpmn(tag))
        if node is not None:
            text = (node.text or "").strip()
            if not text:
                problems.add(f"timer met een lege {tag}", element)
                return None
            return text
    if timer.find(_bpmn("timeCycle")) is None:
        problems.add("timer zonder timeDate of timeDuration", element)
    return None


def _check_condition(flow, known_names: set[str], problems: _Collector) -> None:
    condition = flow.find(_bpmn("conditionExpression"))
    if condition is None:
        return
    text = (condition.text or "").strip()
    if not text:
        problems.add("lege voorwaarde op een stroom", flow)
        return
    _check_expression(text, flow.get("id"), condition.sourceline, known_names, problems, "voorwaarde")


def _check_expression(text, element_id, line, known_names, problems: _Collector, what: str) -> None:
    try:
        parsed = parse_expression(text)
    except ExpressionError as exc:
        problems.add_at(f"{what} '{text}': {exc}", element_id, line)
        return
    unknown_functions = parsed.functions - DEADLINE_FUNCTION_NAMES - set(SAFE_BUILTINS)
    if unknown_functions:
        problems.add_at(
            f"{what} '{text}' roept onbekende functie(s) aan: {', '.join(sorted(unknown_functions))}",
            element_id, line,
        )
    unknown_names = parsed.names - known_names if known_names is not None else set()
    if unknown_names:
        problems.add_at(
            f"{what} '{text}' gebruikt {', '.join(sorted(unknown_names))}, maar geen formulier in "
            "dit diagram vraagt dat veld uit",
            element_id, line,
        )
    if not unknown_functions and not unknown_names:
        failure = _sample_failure(parsed)
        if failure:
            problems.add_at(f"{what} '{text}': {failure}", element_id, line)


# What a form field can hold, roughly one of each kind: text, a number, yes/no, a date, a choice
# list, a term, nothing yet.
SAMPLE_VALUES = ("ja", 3, True, "2018-01-01", ["ja"], {"amount": 2, "unit": "werkdagen"}, None)


@functools.cache
def _sample_functions() -> dict:
    environment = EngineEnvironment(MovableClock(datetime(2030, 1, 7, 9, 0, tzinfo=SCHOOL_TIMEZONE)))
    return environment.deadlines.expression_functions()


def _sample_runs(names: list[str]):
    if len(names) <= 2:
        for values in itertools.product(SAMPLE_VALUES, repeat=len(names)):
            yield dict(zip(names, values))
    else:
        for value in SAMPLE_VALUES:
            yield dict.fromkeys(names, value)


def _sample_failure(parsed) -> str | None:
    """Evaluate against sample data: refuse an expression that exceeds the bounds for some data
    (it would stall or fail a case) or that fails for every kind of data (it can only fail)."""
    last_error = None
    for names in _sample_runs(sorted(parsed.names)):
        try:
            evaluate_expression(parsed.source, names, _sample_functions())
        except ExpressionTooCostly as exc:
            return str(exc)
        except ExpressionError as exc:
            last_error = exc
        else:
            return None
    return f"faalt bij elke invulling: {last_error}"


def _check_expressions(elements: Iterable[ElementInfo], known_names, problems: _Collector) -> None:
    for info in elements:
        for what, text in (("timer", info.timer_expression), ("vervaldatum", info.due_date)):
            if text and literal_timer_value(text) is None:
                _check_expression(text, info.id, info.line, known_names, problems, what)


def _check_start_events(process, problems: _Collector) -> None:
    top_level_starts = process.findall(_bpmn("startEvent"))
    none_starts = [s for s in top_level_starts if not _event_definitions(s)]
    if not none_starts:
        problems.add("het proces heeft geen startgebeurtenis (zonder trigger) op het hoogste niveau",
                     process)
    elif len(top_level_starts) > 1:
        problems.add("het proces mag maar één startgebeurtenis op het hoogste niveau hebben",
                     top_level_starts[1])


def _check_connections(process, problems: _Collector) -> None:
    """Every step must be reachable from the start and lead to an end, and every choice must be
    decidable: a task dropped on the canvas but not connected would otherwise be silently skipped
    by the engine, a loop without a way out would keep a case open for ever, and a gateway flow
    without a condition leaves the engine nothing to choose by. The same three rules run in the
    modeler's browser lint (see webapp/engine/flow_graph.py)."""
    graph = FlowGraph.of(process)
    for element_id in graph.unreachable():
        element = graph.nodes[element_id]
        if local_name(element) not in ("startEvent", "boundaryEvent") and not graph.predecessors.get(element_id):
            problems.add("niet bereikbaar: er komt geen stroom (pijl) binnen; verbind het met de stap ervoor",
                         element)
        else:
            problems.add("niet bereikbaar vanuit de start: geen weg van de startgebeurtenis leidt hierheen; "
                         "verbind het met een stap die wel bereikt wordt", element)
    for element_id in graph.without_end():
        element = graph.nodes[element_id]
        if not graph.outgoing_flows.get(element_id):
            problems.add("loopt dood: er gaat geen stroom (pijl) uit; verbind het met de volgende stap of "
                         "een eindgebeurtenis", element)
        else:
            problems.add("geen weg naar een einde: vanaf hier is geen eindgebeurtenis bereikbaar (de route "
                         "draait rond zonder uitweg); geef de lus een uitgang naar het vervolg", element)
    for gateway_id, flows in graph.undecidable_gateways():
        problems.add(f"keuze kan niet worden bepaald: uitgaande stroom {', '.join(flows)} heeft geen voorwaarde "
                     "en is niet de standaardstroom; geef elke stroom een voorwaarde of maak er één de "
                     "standaardstroom", graph.nodes[gateway_id])


def _event_definitions(event) -> list:
    return [c for c in event if _is_bpmn(c) and local_name(c).endswith("EventDefinition")]


def _spiff_parse(tree, process, filename: str):
    parser = MeldrouteBpmnParser()
    process_id = process.get("id")
    try:
        parser.add_bpmn_xml(tree, filename=filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DiagramRejected([_problem_from_spiff(exc, tree)]) from None
    except Exception as exc:  # the library raises TypeError/KeyError on some malformed input
        raise DiagramRejected([Problem(
            f"diagram kan niet worden verwerkt ({type(exc).__name__}: {exc})"
        )]) from None
    return spec, subprocess_specs


def _problem_from_spiff(exc: ValidationException, tree) -> Problem:
    message = str(exc).split("\n")[0]
    for english, dutch in SPIFF_MESSAGES.items():
        if english in message:
            message = dutch
            break
    element_id = getattr(exc, "id", None) or None
    return Problem(message, element_id, _line_of(tree, element_id))


def _line_of(tree, element_id: str | None) -> int | None:
    if not element_id:
        return None
    for element in tree.getroot().iter():
        if isinstance(element.tag, str) and element.get("id") == element_id:
            return element.sourceline
    return None


def _dry_start(compiled: CompiledProcess, tree) -> None:
    """Start the process once on a throwaway clock: catches what only fails at run time."""
    environment = EngineEnvironment(MovableClock(datetime(2030, 1, 7, 9, 0, tzinfo=SCHOOL_TIMEZONE)))
    workflow = BpmnWorkflow(
        compiled.spec, compiled.subprocess_specs, script_engine=environment.script_engine()
    )
    workflow.task_tree.data.update({name: "2018-01-01" for name in CASE_START_NAMES})
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        task_spec = getattr(exc, "task_spec", None)
        element_id = getattr(task_spec, "bpmn_id", None)
        raise DiagramRejected([Problem(
            f"het proces loopt vast direct na de start: {str(exc).splitlines()[0]}",
            element_id, _line_of(tree, element_id),
        )]) from None
    except Exception as exc:
        raise DiagramRejected([Problem(
            f"het proces loopt vast direct na de start ({type(exc).__name__}: {exc})"
        )]) from None
