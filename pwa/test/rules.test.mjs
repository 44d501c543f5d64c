// The JS rule evaluator must agree with the server's on every shared vector.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { evaluate, assess } from "../src/rules.js";

const vectors = JSON.parse(readFileSync(new URL("../../server/checklists/rule_vectors.json", import.meta.url)));

test("there are vectors to run", () => assert.ok(vectors.cases.length >= 50));

for (const c of vectors.cases) {
  test(`rule vector: ${c.name}`, () => {
    assert.deepEqual(evaluate(c.rule, c.context), c.expected);
  });
}

test("an item whose applies_when is unknown still applies; a failed check fails", () => {
  const template = { sections: [{ items: [
    { key: "a", type: "check", applies_when: { ">": [{ var: "answer.n" }, 1] } },
    { key: "n", type: "integer", fails_when: { "<": [{ var: "answer.n" }, 2] } },
  ] }] };
  assert.deepEqual(assess(template, {}, {}), { applicable: { a: true, n: true }, failed: { a: false, n: false } });
  assert.deepEqual(assess(template, {}, { a: "fail", n: 1 }), { applicable: { a: false, n: true }, failed: { a: false, n: true } });
});
