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
