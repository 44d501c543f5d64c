// Finding sentences (问题描述) on the phone, so the review before submit shows what the issue will
// say: what was found, not the requirement. A port of server/checklists/findings.py, which is the
// authority; tests/checklists/test_finding_parity.py runs both over every shipped item.
import { evaluate } from "./rules.js";

const PLACEHOLDER = /\{([a-z_][a-z0-9_.]*)(:%)?\}/g;
const FAILS_AS = { "<": "少于", "<=": "不超过", ">": "多于", ">=": "不少于", "==": "等于", "!=": "不等于" };
const SITE_NAMES = { registered_people: "登记搬迁人口", total_people: "安置总人口", households: "户数",
  building_count: "楼栋数", other_people: "其他安置人口" };

const isNumber = (v) => typeof v === "number" || typeof v === "boolean";

function strip(mantissa) {
  return mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
}

// Python's f"{v:g}": six significant digits, exponent form below 1e-4 and from 1e6
export function general(v) {
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(Number(v.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = v.toExponential(5).split("e");
    const sign = e[0] === "-" ? "-" : "+";
    return `${strip(m)}e${sign}${e.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return strip(v.toFixed(Math.max(0, 5 - exp)));
}

export function number(v) {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : general(v);
  return v === null || v === undefined ? "None" : String(v);
}

// Python's f"{v * 100:.0f}%": halves round to even
export function percent(v) {
  if (!isNumber(v)) return "—";
  const x = Number(v) * 100;
  let r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) r = 2 * Math.round(x / 2);
  return `${Object.is(r, -0) ? 0 : r}%`;
}

const lookup = (context, name) => {
  const dot = name.indexOf(".");
  const v = (context[name.slice(0, dot)] || {})[name.slice(dot + 1)];
  return v === undefined ? null : v;
};

export function finding(template, item, context, note = "") {
  let sentence;
  if (item.finding) {
    const values = {};
    for (const [name, rule] of Object.entries(item.finding_values || {})) values[name] = evaluate(rule, context);
    sentence = item.finding.replace(PLACEHOLDER, (_, name, asPercent) => {
      const v = name in values ? values[name] : name.includes(".") ? lookup(context, name) : null;
      if (v === null || v === undefined) return "（未填）";
      const chosen = !(name in values) && name.startsWith("answer.") ? itemOf(template, name.slice(7)) : null;
      if (chosen && chosen.type === "single") {
        const o = (chosen.options || []).find((x) => x.value === v);
        if (o) return o.label;
      }
      return asPercent ? percent(v) : number(v);
    });
  } else {
    sentence = generic(template, item, context);
  }
  note = (note || "").trim();
  return note ? `${sentence}。现场：${note}` : sentence;
}

function generic(template, item, context) {
  const value = context.answer[item.key];
  if (item.type === "check") return `不符合：${item.text}`;
  const fw = item.fails_when;
  if ((item.type === "number" || item.type === "integer") && fw && typeof fw === "object" && !Array.isArray(fw) && Object.keys(fw).length === 1) {
    const [op, args] = Object.entries(fw)[0];
    if (op in FAILS_AS && Array.isArray(args) && args.length === 2) {
      const described = comparison(template, op, args, context);
      if (described) return described;
    }
  }
  if (item.type === "single") {
    const o = (item.options || []).find((x) => x.value === value);
    return `不符合：${item.text}（所填：${o ? o.label : number(value)}）`;
  }
  if (item.type === "multi" && item.require_all) {
    const options = item.options || [];
    const missing = options.filter((o) => !(value || []).includes(o.value)).map((o) => o.label);
    if (missing.length) return `${item.text}缺少${missing.join("、")}（${options.length}项中已有${options.length - missing.length}项）`;
  }
  if (item.type === "multi") {
    const labels = (item.options || []).filter((o) => (value || []).includes(o.value)).map((o) => o.label);
    return `不符合：${item.text}（所选：${labels.join("、") || "无"}）`;
  }
  if (item.type === "number" || item.type === "integer") return `不符合：${item.text}（所填：${number(value)}${item.unit || ""}）`;
  return `不符合：${item.text}`;
}

function itemOf(template, key) {
  for (const s of template.sections) for (const i of s.items) if (i.key === key) return i;
  return null;
}

// [words, value, unit] of one side of a comparison, or null
function operand(template, arg, context) {
  if (typeof arg === "number") return ["", arg, ""];
  if (arg && typeof arg === "object" && "var" in arg) {
    const name = arg.var;
    const dot = name.indexOf(".");
    const scope = dot < 0 ? name : name.slice(0, dot), key = dot < 0 ? "" : name.slice(dot + 1);
    const value = lookup(context, name.includes(".") ? name : `${name}.`);
    if (scope === "answer") {
      const other = itemOf(template, key);
      return [other ? other.text : key, value, other ? other.unit || "" : ""];
    }
    return [SITE_NAMES[key] || key, value, key.endsWith("people") ? "人" : ""];
  }
  if (arg && typeof arg === "object" && "/" in arg && Array.isArray(arg["/"]) && arg["/"].length === 2) {
    const [top, bottom] = arg["/"].map((a) => operand(template, a, context));
    if (top && bottom && top[0] && bottom[0]) {
      return [`${top[0]}占${bottom[0]}的比例（${number(top[1])}/${number(bottom[1])}）`, evaluate(arg, context), "ratio"];
    }
  }
  return null;
}

function comparison(template, op, args, context) {
  const [left, right] = args.map((a) => operand(template, a, context));
  if (!left || !right || left[1] === null || right[1] === null) return null;
  const [words, value, unit] = left, [otherWords, other, otherUnit] = right;
  if (unit === "ratio") return `${words}为${percent(value)}，${op === "<" || op === "<=" ? "低于" : FAILS_AS[op]}${percent(other)}`;
  const shown = words ? `${words} ${number(value)} ${unit}`.trimEnd() : number(value);
  const target = otherWords ? `${otherWords} ${number(other)} ${otherUnit || unit}`.trimEnd() : `${number(other)} ${unit}`.trimEnd();
  let sentence = `${shown}，${FAILS_AS[op]}${target}`;
  if (["<", "<=", ">", ">="].includes(op) && isNumber(value) && isNumber(other)) {
    const gap = Math.abs(Number(other) - Number(value));
    if (gap) sentence += `（差 ${number(gap)} ${unit || otherUnit}）`.replace(" ）", "）");
  }
  return sentence;
}
