// The deadline of a user task, as the panel offers it and as the engine reads it
// (meldroute:dueDate, see workflows/README.md): "werkdagen(5)", "dezelfde_dag()", "<field>_einde".
// The server checks what is written here with the same code that computes due dates.
export const UNITS = [
  { value: "", label: "Geen termijn" },
  { value: "dagen", label: "dagen" },
  { value: "werkdagen", label: "werkdagen" },
  { value: "schooldagen", label: "schooldagen (zonder vakanties en studiedagen)" },
  { value: "weken", label: "weken" },
  { value: "maanden", label: "maanden" },
  { value: "dezelfde_dag", label: "dezelfde dag" },
  { value: "veld", label: "de termijn afgesproken in veld …" },
  { value: "anders", label: "anders (expressie)" },
];

// The units counted as "<unit>(n)": the engine's deadline functions (webapp/engine/due_dates.py).
export const COUNTED_UNITS = ["dagen", "werkdagen", "schooldagen", "weken", "maanden"];

export function parseDeadline(text) {
  const value = (text || "").trim();
  if (!value) return { unit: "", amount: null, field: "" };
  let match = new RegExp(`^(${COUNTED_UNITS.join("|")})\\((\\d+)\\)$`).exec(value);
  if (match) return { unit: match[1], amount: Number(match[2]), field: "" };
  if (/^dezelfde_dag\(\)$/.test(value)) return { unit: "dezelfde_dag", amount: null, field: "" };
  match = /^([A-Za-z_][A-Za-z0-9_]*)_einde$/.exec(value);
  if (match) return { unit: "veld", amount: null, field: match[1] };
  return { unit: "anders", amount: null, field: "", raw: value };
}

export function writeDeadline({ unit, amount, field, raw }) {
  if (!unit) return undefined;
  if (unit === "dezelfde_dag") return "dezelfde_dag()";
  if (unit === "veld") return field ? `${field}_einde` : undefined;
  if (unit === "anders") return raw || undefined;
  const count = Number.isInteger(amount) && amount >= 0 ? amount : 1;
  return `${unit}(${count})`;
}

export function describeDeadline(text) {
  const d = parseDeadline(text);
  if (!d.unit) return "geen termijn";
  if (d.unit === "dezelfde_dag") return "dezelfde dag";
  if (d.unit === "veld") return `de termijn uit veld ${d.field}`;
  if (d.unit === "anders") return d.raw;
  return `${d.amount} ${d.unit}`;
}
