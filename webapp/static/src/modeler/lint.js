// Instant lint in the browser: bpmnlint's recommended rules plus Meldroute's own, bundled with the
// static resolver (no rule is fetched at run time). The server's import check stays authoritative.
import StaticResolver from "bpmnlint/lib/resolver/static-resolver.js";
import recommended from "bpmnlint/config/recommended.js";
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process.js";
import conditionalFlows from "bpmnlint/rules/conditional-flows.js";
import endEventRequired from "bpmnlint/rules/end-event-required.js";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway.js";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event.js";
import fakeJoin from "bpmnlint/rules/fake-join.js";
import global from "bpmnlint/rules/global.js";
import labelRequired from "bpmnlint/rules/label-required.js";
import linkEvent from "bpmnlint/rules/link-event.js";
import noBpmndi from "bpmnlint/rules/no-bpmndi.js";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway.js";
import noDisconnected from "bpmnlint/rules/no-disconnected.js";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows.js";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork.js";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split.js";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end.js";
import noImplicitStart from "bpmnlint/rules/no-implicit-start.js";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway.js";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements.js";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event.js";
import singleEventDefinition from "bpmnlint/rules/single-event-definition.js";
import startEventRequired from "bpmnlint/rules/start-event-required.js";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event.js";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway.js";
import superfluousLabel from "bpmnlint/rules/superfluous-label.js";
import superfluousTermination from "bpmnlint/rules/superfluous-termination.js";
import { userTaskForm, userTaskLane, timerTerm, gatewayUndecidable, unreachableElement, pathWithoutEnd } from "./meldroute-rules.js";

const cache = {
  "rule:bpmnlint/ad-hoc-sub-process": adHocSubProcess,
  "rule:bpmnlint/conditional-flows": conditionalFlows,
  "rule:bpmnlint/end-event-required": endEventRequired,
  "rule:bpmnlint/event-based-gateway": eventBasedGateway,
  "rule:bpmnlint/event-sub-process-typed-start-event": eventSubProcessTypedStartEvent,
  "rule:bpmnlint/fake-join": fakeJoin,
  "rule:bpmnlint/global": global,
  "rule:bpmnlint/label-required": labelRequired,
  "rule:bpmnlint/link-event": linkEvent,
  "rule:bpmnlint/no-bpmndi": noBpmndi,
  "rule:bpmnlint/no-complex-gateway": noComplexGateway,
  "rule:bpmnlint/no-disconnected": noDisconnected,
  "rule:bpmnlint/no-duplicate-sequence-flows": noDuplicateSequenceFlows,
  "rule:bpmnlint/no-gateway-join-fork": noGatewayJoinFork,
  "rule:bpmnlint/no-implicit-split": noImplicitSplit,
  "rule:bpmnlint/no-implicit-end": noImplicitEnd,
  "rule:bpmnlint/no-implicit-start": noImplicitStart,
  "rule:bpmnlint/no-inclusive-gateway": noInclusiveGateway,
  "rule:bpmnlint/no-overlapping-elements": noOverlappingElements,
  "rule:bpmnlint/single-blank-start-event": singleBlankStartEvent,
  "rule:bpmnlint/single-event-definition": singleEventDefinition,
  "rule:bpmnlint/start-event-required": startEventRequired,
  "rule:bpmnlint/sub-process-blank-start-event": subProcessBlankStartEvent,
  "rule:bpmnlint/superfluous-gateway": superfluousGateway,
  "rule:bpmnlint/superfluous-label": superfluousLabel,
  "rule:bpmnlint/superfluous-termination": superfluousTermination,
  "config:bpmnlint/recommended": recommended,
  "rule:bpmnlint-plugin-meldroute/user-task-form": userTaskForm,
  "rule:bpmnlint-plugin-meldroute/user-task-lane": userTaskLane,
  "rule:bpmnlint-plugin-meldroute/timer-term": timerTerm,
  "rule:bpmnlint-plugin-meldroute/gateway-undecidable": gatewayUndecidable,
  "rule:bpmnlint-plugin-meldroute/unreachable": unreachableElement,
  "rule:bpmnlint-plugin-meldroute/path-without-end": pathWithoutEnd,
};

export const lintConfig = {
  config: {
    extends: "bpmnlint:recommended",
    rules: {
      // The 2019 basismodel reports *and* helps through an inclusive gateway (workflows/README.md).
      "no-inclusive-gateway": "off",
      // Lanes, flows and start/end events often go unnamed in the shipped protocols.
      "label-required": "off",
      "meldroute/user-task-form": "error",
      "meldroute/user-task-lane": "error",
      "meldroute/timer-term": "error",
      "meldroute/gateway-undecidable": "error",
      "meldroute/unreachable": "error",
      "meldroute/path-without-end": "error",
    },
  },
  resolver: new StaticResolver(cache),
};
