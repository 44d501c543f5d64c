// Dates as the server counts them: in Asia/Shanghai, whatever zone the phone is set to (a UTC date
// from toISOString() is yesterday's from 00:00 to 08:00 in Shanghai).
const DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });

// "YYYY-MM-DD" of the instant `at` in Shanghai.
export function shanghaiDate(at = new Date()) {
  return DAY.format(at);
}

// "YYYY-MM" of the month before the one `at` falls in, in Shanghai.
export function previousMonth(at = new Date()) {
  const [y, m] = shanghaiDate(at).split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}
