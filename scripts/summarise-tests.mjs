// Adds up the vitest and Playwright JSON reports in a folder and prints "N passed, N failed".
// A suite whose report is missing (it crashed before reporting) counts as one failure.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
const expected = ["vitest-sqlite.json", "vitest-postgres.json", "e2e-sqlite.json", "e2e-postgres.json"];
let passed = 0;
let failed = 0;
for (const name of expected) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    console.log(`${name}: no report (suite did not run to the end)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  if (name.startsWith("vitest")) {
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    if (r.numTotalTests === 0 || r.success === false && r.numFailedTests === 0) failed += 1;
    console.log(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } else {
    const s = r.stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    if (s.expected + s.unexpected + s.flaky === 0) failed += 1;
    if (r.errors?.length) failed += r.errors.length;
    console.log(`${name}: ${s.expected + s.flaky} passed, ${s.unexpected} failed${r.errors?.length ? `, ${r.errors.length} errors` : ""}`);
  }
}
const summary = `${passed} passed, ${failed} failed`;
fs.writeFileSync(path.join(dir, "summary.txt"), summary + "\n");
console.log(summary);
process.exit(failed ? 1 : 0);
