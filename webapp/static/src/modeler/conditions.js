// Gateway conditions built from a form field, a comparison and a value, written as the restricted
// expression the engine evaluates (webapp/engine/expressions.py): `veld == "waarde"`.
export const COMPARISONS = [
  { value: "==", label: "is" },
  { value: "!=", label: "is niet" },
  { value: ">", label: "groter dan" },
  { value: ">=", label: "groter dan of gelijk aan" },
  { value: "<", label: "kleiner dan" },
  { value: "<=", label: "kleiner dan of gelijk aan" },
];

const SIMPLE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|True|False)\s*$/;

export function parseCondition(text) {
  const match = SIMPLE.exec(text || "");
  if (!match) return null;
  let value = match[3];
  if (value.startsWith('"')) value = JSON.parse(value);
  else if (value === "True") value = true;
  else if (value === "False") value = false;
  else value = Number(value);
  return { field: match[1], op: match[2], value };
}

export function writeCondition({ field, op, value }, fieldInfo) {
  if (!field) return "";
  const type = fieldInfo && fieldInfo.type;
  let literal;
  if (typeof value === "boolean" || type === "boolean" || type === "checkbox") {
    literal = value === true || value === "true" || value === "ja" ? "True" : "False";
  } else if (type === "number" && value !== "" && !Number.isNaN(Number(value))) {
    literal = String(Number(value));
  } else {
    literal = JSON.stringify(String(value ?? ""));
  }
  return `${field} ${op || "=="} ${literal}`;
}
