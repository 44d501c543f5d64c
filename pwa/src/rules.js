// The checklist rule language in JS, for live hints on the phone. The server is the authority;
// server/checklists/rules.py defines the semantics and rule_vectors.json keeps both in agreement.
// Three-valued: null means unknown (an unanswered item, a division by zero).

const isNum = (v) => typeof v === "number" || typeof v === "boolean"; // Python: bool is an int

function pyEq(a, b) {
  if (isNum(a) && isNum(b)) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  return a === b;
}

function pyLess(a, b) { // Python's "<"; throws where Python raises TypeError
  if (isNum(a) && isNum(b)) return Number(a) < Number(b);
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i], b[i])) return pyLess(a[i], b[i]);
    }
    return a.length < b.length;
  }
  throw new TypeError("unorderable");
}

const COMPARE = {
  "==": pyEq,
  "!=": (a, b) => !pyEq(a, b),
  "<": pyLess,
  "<=": (a, b) => pyLess(a, b) || pyEq(a, b),
  ">": (a, b) => pyLess(b, a),
  ">=": (a, b) => pyLess(b, a) || pyEq(a, b),
};

export function truthy(v) {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

function lookup(context, path) {
  const dot = path.indexOf(".");
  const scope = dot < 0 ? path : path.slice(0, dot);
  const name = dot < 0 ? "" : path.slice(dot + 1);
  const v = (context[scope] || {})[name];
  return v === undefined ? null : v;
}

export function evaluate(rule, context) {
  if (Array.isArray(rule)) return rule.map((r) => evaluate(r, context));
  if (rule === null || typeof rule !== "object") return rule === undefined ? null : rule;
  const [op, args] = Object.entries(rule)[0];
  if (op === "var") return lookup(context, args);
  if (op === "answered") {
    const v = lookup(context, args);
    return v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
  }
  if (op === "days_since") return daysBetween(lookup(context, args), lookup(context, "visit.date"));
  if (op === "!") {
    const v = evaluate(Array.isArray(args) ? args[0] : args, context);
    return v === null ? null : !truthy(v);
  }
  const values = args.map((a) => evaluate(a, context));
  if (op === "and" || op === "or") {
    const t = values.map((v) => (v === null ? null : truthy(v)));
    const decisive = op === "and" ? false : true;
    if (t.includes(decisive)) return decisive;
    return t.includes(null) ? null : !decisive;
  }
  if (op === "in") {
    const [needle, hay] = values;
    if (needle === null || hay === null) return null;
    if (Array.isArray(hay)) return hay.some((h) => pyEq(h, needle));
    if (typeof hay === "string") return typeof needle === "string" ? hay.includes(needle) : null;
    return false;
  }
  if (values.some((v) => v === null)) return null;
  if (op in COMPARE) {
    try { return COMPARE[op](values[0], values[1]); } catch { return null; }
  }
  return arith(op, values);
}

// whole days from one "YYYY-MM-DD" to another (null when either is not such a date)
function daysBetween(start, end) {
  const day = (v) => {
    if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v) || v < "1900") return null;
    const t = Date.UTC(Number(v.slice(0, 4)), Number(v.slice(5, 7)) - 1, Number(v.slice(8, 10)));
    return new Date(t).toISOString().slice(0, 10) === v ? t : null;
  };
  const a = day(start), b = day(end);
  return a === null || b === null ? null : Math.round((b - a) / 86400000);
}

function arith(op, values) {
  if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) return null;
  if (op === "+") return values.reduce((a, b) => a + b, 0);
  if (op === "*") return values.reduce((a, b) => a * b, 1);
  if (op === "-") return values.length === 1 ? -values[0] : values[0] - values[1];
  if (op === "/") return values[1] === 0 ? null : values[0] / values[1];
  return null;
}

// What a template's items look like for these answers: applicable (unknown counts as applicable)
// and failed (a "fail" check, or fails_when true). Same rules as server/checklists/evaluation.py.
// `visitDate` ("YYYY-MM-DD" in Shanghai, the arrival's day) is what days_since counts to.
export function assess(template, site, answers, visitDate = null) {
  const keys = new Set(template.sections.flatMap((s) => s.items.map((i) => i.key)));
  const answer = Object.fromEntries(Object.entries(answers || {}).filter(([k]) => keys.has(k)));
  const context = { site, answer, visit: { date: visitDate } };
  const applicable = {}, failed = {};
  for (const section of template.sections) {
    for (const item of section.items) {
      const applies = item.applies_when == null || evaluate(item.applies_when, context) !== false;
      applicable[item.key] = applies;
      const v = answer[item.key];
      const empty = v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
      let fail = applies && !empty && item.type === "check" && v === "fail";
      if (applies && !empty && item.require_all && Array.isArray(v)) {
        const chosen = new Set(v);
        fail = fail || chosen.size !== (item.options || []).length || !(item.options || []).every((o) => chosen.has(o.value));
      }
      if (applies && !empty && item.fails_when != null && evaluate(item.fails_when, context) === true) fail = true;
      failed[item.key] = fail;
    }
  }
  return { applicable, failed };
}

export function templateApplies(template, site) {
  return template.applies_when == null || evaluate(template.applies_when, { site, answer: {} }) !== false;
}

// A site whose registered relocated population is 0 has none recorded: rules see it as unknown, so
// the items that depend on it are asked (server: sites.service.population_known).
export function populationKnown(site) {
  return Number(site.registered_people) > 0;
}

// The site as rules see it (server: sites.service.rule_attributes).
export function siteAttributes(site) {
  const names = ["registered_people", "other_people", "households", "building_count", "has_workshop",
    "has_first_secretary", "has_greenhouses", "has_lift", "has_piped_gas", "total_people"];
  const attrs = Object.fromEntries(names.map((n) => [n, site[n]]));
  attrs.county = site.county_name;
  if (!populationKnown(site)) for (const n of ["registered_people", "other_people", "total_people"]) attrs[n] = null;
  return attrs;
}
