"""Structures at the edge of our conventions still get clean, stable DI."""

import pytest

from webapp.diagrams import check_di, layout_bpmn

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">\n')


def _process(body: str, lanes: list[list[str]]) -> bytes:
    lane_xml = "".join(
        f'<bpmn:lane id="L{i}" name="Rol {i}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs) + "</bpmn:lane>"
        for i, refs in enumerate(lanes)
    )
    return (HEAD + f'<bpmn:process id="P" name="Proces" isExecutable="true"><bpmn:laneSet id="LS">{lane_xml}'
            f"</bpmn:laneSet>{body}</bpmn:process>\n</bpmn:definitions>\n").encode()


def _flows(*pairs: str) -> str:
    return "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                   for i, pair in enumerate(pairs) for a, b in [pair.split(">")])


CASES = {
    "nested subprocess with a boundary on the inner one": _process(
        '<bpmn:startEvent id="S"/><bpmn:subProcess id="A" name="Buiten"><bpmn:startEvent id="AS"/>'
        '<bpmn:task id="AT" name="Eerst"/><bpmn:subProcess id="B" name="Binnen"><bpmn:startEvent id="BS"/>'
        '<bpmn:task id="BT" name="Binnenwerk"/><bpmn:endEvent id="BE"/>' + _flows("BS>BT", "BT>BE").replace('id="f', 'id="b')
        + '</bpmn:subProcess><bpmn:boundaryEvent id="BB" name="Te laat" attachedToRef="B"><bpmn:timerEventDefinition/>'
        '</bpmn:boundaryEvent><bpmn:task id="AL" name="Opvolgen"/><bpmn:endEvent id="AE"/>'
        + _flows("AS>AT", "AT>B", "B>AE", "BB>AL", "AL>AE").replace('id="f', 'id="a')
        + '</bpmn:subProcess><bpmn:endEvent id="E"/>' + _flows("S>A", "A>E"),
        [["S", "AS", "AT"], ["A", "B", "BS", "BT", "BB"], ["BE", "AL", "AE", "E"]]),
    "collapsed and empty subprocess, call activity, loose annotation": _process(
        '<bpmn:startEvent id="S"/><bpmn:subProcess id="C" name="Ingeklapt"/><bpmn:callActivity id="CA" name="Aanroep"/>'
        '<bpmn:endEvent id="E"/>' + _flows("S>C", "C>CA", "CA>E")
        + '<bpmn:textAnnotation id="T"><bpmn:text>Los</bpmn:text></bpmn:textAnnotation>',
        [["S", "C"], ["CA", "E"], []]),
    "self loop and a boundary back to its host": _process(
        '<bpmn:startEvent id="S"/><bpmn:task id="T" name="Herhalen"/><bpmn:endEvent id="E"/>'
        '<bpmn:boundaryEvent id="B" name="Elke week" cancelActivity="false" attachedToRef="T">'
        '<bpmn:timerEventDefinition/></bpmn:boundaryEvent>' + _flows("S>T", "T>E", "B>T", "T>T"),
        [["S", "T", "B", "E"], [], []]),
    "process-level loops over and into a subprocess spanning every lane": _process(
        '<bpmn:startEvent id="S"/><bpmn:task id="T" name="Voorbereiden"/><bpmn:subProcess id="A" name="Stappenplan">'
        '<bpmn:startEvent id="AS"/><bpmn:task id="AT" name="Stap"/><bpmn:endEvent id="AE"/>'
        + _flows("AS>AT", "AT>AE").replace('id="f', 'id="a') + '</bpmn:subProcess>'
        '<bpmn:exclusiveGateway id="G" name="Opnieuw?"/><bpmn:exclusiveGateway id="H" name="Alles opnieuw?"/>'
        '<bpmn:endEvent id="E"/>' + _flows("S>T", "T>A", "A>G", "G>H", "H>T", "G>A", "H>E"),
        [["S", "T", "AS"], ["A", "AT"], ["AE", "G", "H", "E"]]),
    "a gateway skipping a subprocess that spans every lane": _process(
        '<bpmn:startEvent id="S"/><bpmn:exclusiveGateway id="G" name="Acuut?"/><bpmn:subProcess id="A" name="Stappenplan">'
        '<bpmn:startEvent id="AS"/><bpmn:task id="AT" name="Stap"/><bpmn:endEvent id="AE"/>'
        + _flows("AS>AT", "AT>AE").replace('id="f', 'id="a') + '</bpmn:subProcess>'
        '<bpmn:task id="X" name="Veilig Thuis bellen"/><bpmn:endEvent id="E"/>' + _flows("S>G", "G>A", "G>X", "A>X", "X>E"),
        [["S", "G", "AS"], ["A", "AT"], ["AE", "X", "E"]]),
    "single node": _process('<bpmn:startEvent id="S" name="Alleen"/>', [["S"], [], []]),
    "empty process": _process("", [[], [], []]),
}


@pytest.mark.parametrize("xml", CASES.values(), ids=CASES.keys())
def test_edge_case_lays_out_cleanly_and_stably(xml):
    laid_out = layout_bpmn(xml)
    assert [str(p) for p in check_di(laid_out)] == []
    assert layout_bpmn(laid_out) == laid_out
