"""Reading the YAML files Meldroute ships (forms, variants): safe, and with libyaml's C parser.

The pure-Python parser takes about eight times as long; every app (each web and worker process,
each test) reads all forms at start-up, so the C parser is used whenever PyYAML was built with it.
Both are the safe loader: YAML tags cannot construct Python objects.
"""
from __future__ import annotations

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YAMLError = yaml.YAMLError


def load_yaml(text: str):
    return yaml.load(text, Loader=_SafeLoader)
