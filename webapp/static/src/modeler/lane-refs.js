// Meldroute reads a task's role from the lane that lists it (flowNodeRef), also for tasks inside
// the step plan's subprocess (workflows/README.md). bpmn-js keeps those lists only for direct
// children of the lanes' process, so a task created or moved inside a subprocess would belong to
// no lane: after such a change, list it in the lane its centre lies in.
import CommandInterceptor from "diagram-js/lib/command/CommandInterceptor";
import { is } from "bpmn-js/lib/util/ModelUtil";

function innermostLaneAt(registry, x, y) {
  const lanes = registry.filter((e) => is(e, "bpmn:Lane") && !(e.businessObject.childLaneSet
    && (e.businessObject.childLaneSet.lanes || []).length));
  return lanes.find((lane) => x >= lane.x && x <= lane.x + lane.width && y >= lane.y && y <= lane.y + lane.height);
}

export default function LaneRefs(eventBus, elementRegistry) {
  CommandInterceptor.call(this, eventBus);
  const assign = (shape) => {
    if (!shape || !is(shape, "bpmn:FlowNode") || is(shape.parent, "bpmn:Participant") || is(shape.parent, "bpmn:Lane")
        || is(shape.parent, "bpmn:Process")) {
      return;
    }
    const lane = innermostLaneAt(elementRegistry, shape.x + shape.width / 2, shape.y + shape.height / 2);
    if (!lane) return;
    elementRegistry.filter((e) => is(e, "bpmn:Lane")).forEach((other) => {
      const refs = other.businessObject.get("flowNodeRef");
      const index = refs.indexOf(shape.businessObject);
      if (index >= 0 && other !== lane) refs.splice(index, 1);
    });
    const refs = lane.businessObject.get("flowNodeRef");
    if (!refs.includes(shape.businessObject)) refs.push(shape.businessObject);
  };
  this.postExecuted(["shape.create", "shape.move"], (event) => assign(event.context.shape));
  this.postExecuted(["elements.move"], (event) => (event.context.shapes || []).forEach(assign));
}
LaneRefs.prototype = Object.create(CommandInterceptor.prototype);
LaneRefs.$inject = ["eventBus", "elementRegistry"];
