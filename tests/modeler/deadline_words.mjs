// Prints how the properties panel reads, writes and describes each deadline expression given
// (webapp/static/src/modeler/deadline.js), as JSON, for tests/modeler/test_deadline_words.py.
import { describeDeadline, parseDeadline, writeDeadline } from "../../webapp/static/src/modeler/deadline.js";

const result = {};
for (const text of process.argv.slice(2)) {
  const parsed = parseDeadline(text);
  result[text] = { parsed, written: writeDeadline(parsed) ?? null, described: describeDeadline(text) };
}
console.log(JSON.stringify(result));
