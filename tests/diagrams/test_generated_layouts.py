"""Many generated meldcode-shaped processes: the layout must always give clean DI."""

import pytest
from generated_routes import generated_process

from webapp.diagrams import check_di, layout_bpmn


@pytest.mark.parametrize("seed", range(60))
def test_generated_process_lays_out_cleanly(seed):
    laid_out = layout_bpmn(generated_process(seed))
    assert [str(p) for p in check_di(laid_out)] == []
    assert layout_bpmn(laid_out) == laid_out
