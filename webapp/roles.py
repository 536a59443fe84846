"""The shared vocabulary of people in the meldcode: user roles and diagram lanes.

A lane in a diagram names who carries out its tasks (the protocol's own words: "leerkracht",
"zorgteam", "directie" ...). A user holds roles per school. This module maps lane names as
policy owners write them to a fixed set of lanes, and says which user roles may act in a lane.
"""
from __future__ import annotations

import enum
import re


class Role(str, enum.Enum):
    LEERKRACHT = "leerkracht"
    INTERN_BEGELEIDER = "intern_begeleider"  # also aandachtsfunctionaris / zorgcoördinator
    DIRECTEUR = "directeur"
    BESTUUR = "bestuur"
    BELEIDSEIGENAAR = "beleidseigenaar"
    BEHEERDER = "beheerder"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEERKRACHT: "Leerkracht",
    Role.INTERN_BEGELEIDER: "Intern begeleider / aandachtsfunctionaris",
    Role.DIRECTEUR: "Directeur",
    Role.BESTUUR: "Bestuur",
    Role.BELEIDSEIGENAAR: "Beleidseigenaar",
    Role.BEHEERDER: "Beheerder",
}


class Lane(str, enum.Enum):
    LEERKRACHT = "leerkracht"
    INTERN_BEGELEIDER = "intern_begeleider"
    ZORGTEAM = "zorgteam"
    DIRECTIE = "directie"
    BESTUUR = "bestuur"

    @property
    def label(self) -> str:
        return LANE_LABELS[self]


LANE_LABELS = {
    Lane.LEERKRACHT: "Leerkracht",
    Lane.INTERN_BEGELEIDER: "Intern begeleider / aandachtsfunctionaris",
    Lane.ZORGTEAM: "Zorgteam",
    Lane.DIRECTIE: "Directie",
    Lane.BESTUUR: "Bestuur",
}

# Task rows store the lane's value; templates and messages want its label.
LANE_LABELS_BY_VALUE = {lane.value: label for lane, label in LANE_LABELS.items()}


def lane_label(value: str) -> str:
    """The label of a stored lane value; an unknown value is shown as it is."""
    return LANE_LABELS_BY_VALUE.get(value, value)


# The words the five protocols (and schools like them) use for each lane. A lane name may join
# several with "/" or "," ("Intern begeleider / aandachtsfunctionaris"); all parts must agree.
LANE_ALIASES: dict[Lane, tuple[str, ...]] = {
    Lane.LEERKRACHT: ("leerkracht", "leerkrachten", "medewerker", "leraar", "groepsleerkracht"),
    Lane.INTERN_BEGELEIDER: (
        "intern begeleider", "interne begeleider", "ib", "ib-er", "ib'er", "iber",
        "aandachtsfunctionaris", "zorgcoördinator", "zorgcoordinator", "scp-er",
        "schoolcontactpersoon", "casemanager",
    ),
    Lane.ZORGTEAM: (
        "zorgteam", "zorgoverleg", "ondersteuningsteam", "intern ondersteuningsteam",
        "groot ondersteuningsteam", "klein ondersteuningsteam", "schoolondersteuningsteam", "sot",
        "trajectoverleg",
    ),
    Lane.DIRECTIE: ("directie", "directeur", "schoolleiding", "leidinggevende"),
    Lane.BESTUUR: ("bestuur", "schoolbestuur", "college van bestuur", "bevoegd gezag"),
}

# Who may act in which lane. The zorgteam decides together; its decisions are recorded by the
# coordinator or the director. A teacher's task may be taken over by the coordinator or director
# (illness, urgency) — never the other way round.
LANE_ROLES: dict[Lane, frozenset[Role]] = {
    Lane.LEERKRACHT: frozenset({Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR}),
    Lane.INTERN_BEGELEIDER: frozenset({Role.INTERN_BEGELEIDER}),
    Lane.ZORGTEAM: frozenset({Role.INTERN_BEGELEIDER, Role.DIRECTEUR}),
    Lane.DIRECTIE: frozenset({Role.DIRECTEUR}),
    Lane.BESTUUR: frozenset({Role.BESTUUR}),
}

# The role a lane is named after: who "did the teacher's steps" in a case is a teacher who did them,
# not the coordinator who stood in for one (`meldroute:neverBy`).
LANE_OWN_ROLE: dict[Lane, Role] = {
    Lane.LEERKRACHT: Role.LEERKRACHT,
    Lane.INTERN_BEGELEIDER: Role.INTERN_BEGELEIDER,
    Lane.ZORGTEAM: Role.INTERN_BEGELEIDER,
    Lane.DIRECTIE: Role.DIRECTEUR,
    Lane.BESTUUR: Role.BESTUUR,
}

_ALIAS_INDEX = {alias: lane for lane, aliases in LANE_ALIASES.items() for alias in aliases}


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("’", "'")
    text = re.sub(r"\([^)]*\)", " ", text)  # "Zorgteam (IB en directie)": the parenthesis explains
    return re.sub(r"\s+", " ", text).strip()


def lane_for_name(name: str | None) -> Lane | None:
    """The lane a diagram lane name stands for, or None when the name is not recognised."""
    if not name:
        return None
    parts = [p for p in re.split(r"[/,&]| en ", _normalise(name)) if p.strip()]
    lanes = {_ALIAS_INDEX.get(part.strip()) for part in parts}
    if len(lanes) != 1 or None in lanes:
        return None
    return lanes.pop()


def known_lane_names() -> str:
    return ", ".join(LANE_LABELS[lane] for lane in Lane)


# `meldroute:alsoLanes="Leerkracht; Intern begeleider"` on a user task: the members of those lanes'
# roles may work the task too (the acute meeting of teacher, IB'er and director). Names are
# separated by ";" because a single lane name may itself contain "/" or ",".
ALSO_LANES_SEPARATOR = ";"


def parse_also_lanes(text: str | None) -> tuple[tuple[Lane, ...], list[str]]:
    """The lanes an `alsoLanes` attribute names, in order and without repeats, and the names
    that are no known lane (for the import check's message)."""
    lanes: list[Lane] = []
    unknown: list[str] = []
    for name in (text or "").split(ALSO_LANES_SEPARATOR):
        if not name.strip():
            continue
        lane = lane_for_name(name)
        if lane is None:
            unknown.append(name.strip())
        elif lane not in lanes:
            lanes.append(lane)
    return tuple(lanes), unknown


def stored_also_lanes(lanes) -> str:
    """The task row's `also_lanes` column: ";leerkracht;intern_begeleider;" — enclosed in the
    separator, so one SQL `LIKE '%;lane;%'` finds a lane and never a part of another's name."""
    values = [lane.value if isinstance(lane, Lane) else str(lane) for lane in lanes]
    return f"{ALSO_LANES_SEPARATOR}{ALSO_LANES_SEPARATOR.join(values)}{ALSO_LANES_SEPARATOR}" if values else ""


def lanes_of_stored(stored: str | None) -> list[str]:
    return [value for value in (stored or "").split(ALSO_LANES_SEPARATOR) if value]


def also_lanes_pattern(lane_value: str) -> str:
    return f"%{ALSO_LANES_SEPARATOR}{lane_value}{ALSO_LANES_SEPARATOR}%"


def roles_for_task_lanes(lane_value: str, also_lanes: str | None) -> frozenset[Role]:
    """Every role that may act in the task's own lane or one of its also-lanes."""
    roles: set[Role] = set()
    for value in [lane_value, *lanes_of_stored(also_lanes)]:
        try:
            roles |= LANE_ROLES[Lane(value)]
        except ValueError:
            continue
    return frozenset(roles)
