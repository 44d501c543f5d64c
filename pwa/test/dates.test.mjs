// The phone's dates agree with the server's: Shanghai dates, whatever zone the phone is set to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { shanghaiDate, previousMonth } from "../src/dates.js";

for (const zone of ["UTC", "Asia/Shanghai", "America/Los_Angeles"]) {
  test(`00:30 on 1 Jan in Shanghai is 1 Jan, last month December (phone set to ${zone})`, () => {
    process.env.TZ = zone;
    const at = new Date("2026-12-31T16:30:00Z");
    assert.equal(shanghaiDate(at), "2027-01-01");
    assert.equal(previousMonth(at), "2026-12");
  });
}

test("29 Feb and the month before March", () => {
  assert.equal(shanghaiDate(new Date("2028-02-28T16:20:00Z")), "2028-02-29");
  assert.equal(previousMonth(new Date("2028-03-01T00:00:00+08:00")), "2028-02");
  assert.equal(previousMonth(new Date("2028-02-29T23:59:59+08:00")), "2028-01");
});
