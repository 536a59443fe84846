from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("*.bpmn"))


@pytest.fixture(params=FIXTURE_FILES, ids=[path.stem for path in FIXTURE_FILES])
def fixture_xml(request) -> bytes:
    return request.param.read_bytes()
