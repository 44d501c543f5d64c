// What the server will refuse in a visit's answers, on the phone, as the inspector types: the same
// checks, codes and Chinese messages as server/checklists/evaluation.py (the authority), so a visit
// the phone lets through is one the server takes. tests/checklists/test_answer_parity.py runs both
// over generated answers (inside, at and outside every edge, wrong types, missing) and compares.
import { evaluate } from "./rules.js";
import { general, number } from "./findings.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
export const MAX_TEXT = 2000;
export const MAX_NOTE = 500;
const CHECK = ["pass", "fail", "na"];
const SEVERITY_NAMES = { minor: "一般", major: "较重", critical: "严重" };

export const isEmpty = (v) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
const isStr = (v) => typeof v === "string";
const isNum = (v) => typeof v === "number";
const chars = (s) => [...s].length; // Python's len: code points, not UTF-16 units
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

// a limit as the server writes it: "3 米", "0.5"
const limit = (v, unit) => `${general(v)}${unit ? ` ${unit}` : ""}`;

function validDay(v) {
  if (!isStr(v) || !DAY.test(v) || v.slice(0, 4) === "0000") return false;
  const [y, m, d] = [Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))];
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

// what is wrong with a non-empty answer of this item's type, or null
export function typeError(item, value) {
  const t = item.type;
  if (t === "check") return CHECK.includes(value) ? null : "应为 pass（符合）、fail（不符合）或 na（不适用）";
  if (t === "number" || t === "integer") {
    if (!isNum(value) || !Number.isFinite(value)) return "应为数字";
    if (t === "integer" && !Number.isInteger(value)) return "应为整数";
    if (item.min !== null && item.min !== undefined && value < item.min) return `不能小于 ${limit(item.min, item.unit)}`;
    if (item.max !== null && item.max !== undefined && value > item.max) return `不能大于 ${limit(item.max, item.unit)}`;
    return null;
  }
  if (t === "text") return isStr(value) && chars(value) <= MAX_TEXT ? null : `应为不超过 ${MAX_TEXT} 字的文字`;
  const allowed = new Set((item.options || []).map((o) => o.value));
  if (t === "single") return isStr(value) && allowed.has(value) ? null : "不是可选项之一";
  if (t === "multi") {
    const ok = Array.isArray(value) && value.every((v) => isStr(v) && allowed.has(v)) && new Set(value).size === value.length;
    return ok ? null : "应为可选项的列表（不重复）";
  }
  if (t === "date") return validDay(value) ? null : "应为 YYYY-MM-DD 日期";
  if (t === "photo") return Array.isArray(value) && value.every((v) => isStr(v) && UUID.test(v)) ? null : "应为照片编号（UUID）列表";
  return "未知题型";
}

// Every problem the server would list for one template's answers, in its order:
// [{item, code, message}]. `strict` is a submit (required answers, photos and 不适用 reasons).
export function answerErrors(template, site, answers, { photos = {}, notes = {}, severities = {}, strict = true, visitDate = null } = {}) {
  answers = answers || {};
  const items = template.sections.flatMap((s) => s.items);
  const byKey = new Map(items.map((i) => [i.key, i]));
  const errors = [];
  const unknown = (obj) => Object.keys(obj).filter((k) => !byKey.has(k)).sort();
  for (const key of unknown(answers)) errors.push({ item: key, code: "unknown_item", message: `检查表中没有检查项 ${key}` });
  for (const key of unknown(photos)) errors.push({ item: key, code: "unknown_item", message: `照片指向的检查项 ${key} 不存在` });
  for (const key of unknown({ ...notes, ...severities })) {
    errors.push({ item: key, code: "unknown_item", message: `备注或严重程度指向的检查项 ${key} 不存在` });
  }
  for (const [key, text] of Object.entries(notes)) {
    if (!isStr(text) || chars(text) > MAX_NOTE) {
      errors.push({ item: key, code: "wrong_type", message: `检查项 ${key} 的备注应为不超过 ${MAX_NOTE} 字的文字` });
    }
  }
  for (const [key, chosen] of Object.entries(severities)) {
    const item = byKey.get(key);
    if (!item) continue;
    if (!isStr(chosen) || !has(SEVERITY_NAMES, chosen)) {
      errors.push({ item: key, code: "wrong_type", message: `「${item.text}」的严重程度应为 minor、major 或 critical` });
    } else if (item.severity_fixed && chosen !== item.severity) {
      errors.push({ item: key, code: "severity_fixed", message: `「${item.text}」的严重程度固定为${SEVERITY_NAMES[item.severity || "minor"]}，不能更改` });
    }
  }
  const answer = Object.fromEntries(Object.entries(answers).filter(([k]) => byKey.has(k)));
  const context = { site, answer, visit: { date: visitDate } };
  for (const item of items) {
    if (item.applies_when != null && evaluate(item.applies_when, context) === false) continue;
    const value = has(answers, item.key) ? answers[item.key] : null;
    if (isEmpty(value)) {
      if (strict && item.required) errors.push({ item: item.key, code: "required", message: `「${item.text}」必须填写` });
      continue;
    }
    let problem = typeError(item, value);
    if (!problem && item.at_most) {
      const max = answer[item.at_most];
      if (isNum(max) && isNum(value) && value > max) {
        const other = byKey.get(item.at_most);
        problem = `不能大于「${other ? other.text : item.at_most}」（${number(max)}）`;
      }
    }
    if (problem) {
      errors.push({ item: item.key, code: "wrong_type", message: `「${item.text}」${problem}` });
      continue;
    }
    let failed = item.type === "check" && value === "fail";
    if (item.require_all && Array.isArray(value)) {
      const all = new Set((item.options || []).map((o) => o.value));
      const chosen = new Set(value);
      if (chosen.size !== all.size || [...all].some((v) => !chosen.has(v))) failed = true;
    }
    if (item.fails_when != null && evaluate(item.fails_when, context) === true) failed = true;
    const itemPhotos = has(photos, item.key) ? photos[item.key] || [] : [];
    if (value === "na" && item.na_reason && strict) {
      const reason = has(notes, item.key) ? notes[item.key] : "";
      if (!isStr(reason) || !reason.trim()) errors.push({ item: item.key, code: "na_reason_required", message: `「${item.text}」选“不适用”须写明理由` });
      if (item.na_photo && itemPhotos.length === 0) errors.push({ item: item.key, code: "na_photo_required", message: `「${item.text}」选“不适用”须拍照说明` });
    }
    if (failed && strict && item.photo_on_fail && itemPhotos.length === 0) {
      errors.push({ item: item.key, code: "photo_required", message: `「${item.text}」不符合时须拍照取证` });
    }
  }
  return errors;
}
