"""Seeded generator of meldcode-shaped BPMN processes, for testing the layout beyond the fixtures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

ROLES = ["Leerkracht", "Intern begeleider", "Aandachtsfunctionaris", "Zorgteam", "Directie", "Administratie"]
TASK_NAMES = [
    "Signalen vastleggen", "Collegiale consultatie", "Gesprek met ouders en kind", "Afwegingskader invullen",
    "Veilig Thuis raadplegen", "Hulp organiseren", "Evaluatie plannen", "Dossier bijwerken",
    "Kindcheck uitvoeren", "Melding doen bij Veilig Thuis", "Ouders informeren over de melding",
    "Terugkoppeling verwerken", "Zorgteam bijeenroepen", "Besluit vastleggen in het leerlingdossier",
]
TIMER = '<bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition>'


@dataclass
class _Builder:
    rng: random.Random
    lanes: int
    elements: list[str] = field(default_factory=list)
    lane_refs: dict[int, list[str]] = field(default_factory=dict)
    counter: int = 0

    def new_id(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}_{self.counter}"

    def node(self, out: list[str], tag: str, kind: str, name: str | None = None, lane: int | None = None,
             body: str = "", extra: str = "") -> str:
        node_id = self.new_id(kind)
        name_attr = f" name={quoteattr(name)}" if name else ""
        out.append(f'<bpmn:{tag} id="{node_id}"{name_attr}{extra}>{body}</bpmn:{tag}>')
        lane = self.rng.randrange(self.lanes) if lane is None else lane
        self.lane_refs.setdefault(lane, []).append(node_id)
        return node_id

    def flow(self, out: list[str], source: str, target: str, name: str | None = None) -> None:
        name_attr = f" name={quoteattr(name)}" if name else ""
        out.append(f'<bpmn:sequenceFlow id="{self.new_id("Flow")}"{name_attr} sourceRef="{source}" targetRef="{target}"/>')

    def task(self, out: list[str]) -> str:
        return self.node(out, "userTask", "Task", self.rng.choice(TASK_NAMES), extra=' meldroute:formKey="f"')

    def route(self, out: list[str], start: str, length: int) -> str:
        """A random stretch of route starting after `start`; returns its last node."""
        current, visited = start, [start]
        for _ in range(length):
            choice = self.rng.random()
            if choice < 0.35:
                nxt = self.task(out)
                self.flow(out, current, nxt)
            elif choice < 0.5:
                nxt = self._task_with_boundary(out, current)
            elif choice < 0.7:
                nxt = self._decision(out, current, visited)
            elif choice < 0.8:
                nxt = self.node(out, "intermediateCatchEvent", "Timer", "Wacht 2 weken", body=TIMER)
                self.flow(out, current, nxt)
            else:
                nxt = self._parallel(out, current)
            current = nxt
            visited.append(current)
        return current

    def _task_with_boundary(self, out: list[str], current: str) -> str:
        task = self.task(out)
        self.flow(out, current, task)
        interrupting = self.rng.random() < 0.5
        lane = next(lane for lane, refs in self.lane_refs.items() if task in refs)
        timer = self.node(out, "boundaryEvent", "Boundary", "Na 10 werkdagen", lane=lane, body=TIMER,
                          extra=f' attachedToRef="{task}"' + ("" if interrupting else ' cancelActivity="false"'))
        side = self.task(out)
        self.flow(out, timer, side)
        if interrupting:
            after = self.task(out)
            self.flow(out, task, after)
            self.flow(out, side, after)
            return after
        end = self.node(out, "endEvent", "End", "Herinnerd")
        self.flow(out, side, end)
        return task

    def _decision(self, out: list[str], current: str, visited: list[str]) -> str:
        gateway = self.node(out, "exclusiveGateway", "Gateway", self.rng.choice(["Zorgen bevestigd?", "Melden?", "Meer informatie nodig?"]))
        self.flow(out, current, gateway)
        shape = self.rng.random()
        if shape < 0.35 and len(visited) > 1:  # loop back
            self.flow(out, gateway, self.rng.choice(visited[1:]), "nee")
            return gateway
        if shape < 0.65:  # one branch ends
            end = self.node(out, "endEvent", "End", "Afgesloten")
            self.flow(out, gateway, end, "nee")
            return gateway
        join = self.node(out, "exclusiveGateway", "Join")
        for label in ("ja", "nee"):
            branch_end = self.route_branch(out, gateway, label)
            self.flow(out, branch_end, join)
        if self.rng.random() < 0.3:  # a branch that skips straight to the join
            self.flow(out, gateway, join, "overslaan")
        return join

    def route_branch(self, out: list[str], gateway: str, label: str) -> str:
        first = self.task(out)
        self.flow(out, gateway, first, label)
        last = first
        for _ in range(self.rng.randrange(3)):
            nxt = self.task(out)
            self.flow(out, last, nxt)
            last = nxt
        return last

    def _parallel(self, out: list[str], current: str) -> str:
        split = self.node(out, "parallelGateway", "Split")
        join = self.node(out, "parallelGateway", "Join")
        self.flow(out, current, split)
        for _ in range(2):
            task = self.task(out)
            self.flow(out, split, task)
            self.flow(out, task, join)
        return join


def generated_process(seed: int) -> bytes:
    rng = random.Random(seed)
    builder = _Builder(rng, rng.randint(3, 6))
    body: list[str] = []
    start = builder.node(body, "startEvent", "Start", "Zorgsignaal")
    before = builder.route(body, start, rng.randrange(2))
    skipping_gateway = None
    if rng.random() < 0.2:  # "acuut?" before the Stappenplan, jumping past it
        skipping_gateway = builder.node(body, "exclusiveGateway", "Gateway", "Acuut?")
        builder.flow(body, before, skipping_gateway)
        before = skipping_gateway
    if rng.random() < 0.75:
        inner: list[str] = []
        inner_start = builder.node(inner, "startEvent", "Start")
        inner_end = builder.node(inner, "endEvent", "End", "Stappen doorlopen")
        last = builder.route(inner, inner_start, rng.randint(3, 9))
        builder.flow(inner, last, inner_end)
        sub = builder.new_id("Sub")
        builder.lane_refs.setdefault(rng.randrange(builder.lanes), []).append(sub)
        body.append(f'<bpmn:subProcess id="{sub}" name="Stappenplan">{"".join(inner)}</bpmn:subProcess>')
        builder.flow(body, before, sub)
        signal = builder.node(body, "boundaryEvent", "Signal", "Acuut gevaar", extra=f' attachedToRef="{sub}"',
                              body="<bpmn:signalEventDefinition/>")
        acute_end = builder.route(body, signal, rng.randint(2, 4))
        builder.flow(body, acute_end, builder.node(body, "endEvent", "End", "Acuut afgehandeld"))
        before = sub
        if rng.random() < 0.25:  # the evaluation may send the case through the Stappenplan again
            again = builder.node(body, "exclusiveGateway", "Gateway", "Zorgen blijven?")
            builder.flow(body, sub, again)
            builder.flow(body, again, sub, "opnieuw")
            before = again
    after = builder.route(body, before, rng.randint(1, 4))
    final_end = builder.node(body, "endEvent", "End", "Afgerond")
    builder.flow(body, after, final_end)
    if skipping_gateway is not None:
        builder.flow(body, skipping_gateway, final_end, "ja")
    if rng.random() < 0.3:
        other_start = builder.node(body, "startEvent", "Start", "Bericht van Veilig Thuis")
        other_end = builder.route(body, other_start, rng.randint(1, 3))
        builder.flow(body, other_end, builder.node(body, "endEvent", "End", "Verwerkt"))
    lanes = "".join(
        f'<bpmn:lane id="Lane_{i}" name="{ROLES[i]}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in builder.lane_refs.get(i, []))
        + "</bpmn:lane>"
        for i in range(builder.lanes)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:meldroute="https://meldroute.nl/schema/bpmn" id="Defs" targetNamespace="https://meldroute.nl/test">\n'
        f'  <bpmn:process id="Process_{seed}" name="Gegenereerde school {seed}" isExecutable="true">\n'
        f'    <bpmn:laneSet id="LaneSet">{lanes}</bpmn:laneSet>\n'
        + "".join(f"    {line}\n" for line in body)
        + "  </bpmn:process>\n</bpmn:definitions>\n"
    ).encode()
