import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { summarise } from "../../scripts/summarise-tests.mjs";

// The "N passed, N failed" line of npm test: every test that should have run and did not is a
// failure. Reports below have the shapes vitest 4 and Playwright write (checked on real runs).

const root = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-summary-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(files: Record<string, unknown>): string {
  const dir = path.join(root, String(n++));
  fs.mkdirSync(dir);
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof body === "string" ? body : JSON.stringify(body));
  return dir;
}
const a = (title: string, status: string) => ({ title, fullName: `suite ${title}`, status });
const vitest = (files: { name: string; status: string; message?: string; tests: ReturnType<typeof a>[] }[], success = true) => ({
  success,
  testResults: files.map((f) => ({ name: path.resolve(f.name), status: f.status, message: f.message ?? "", assertionResults: f.tests })),
});
const spec = (title: string, tests: { projectName: string; expectedStatus: string; status: string }[]) => ({ title, tests });
const pw = (specs: ReturnType<typeof spec>[], errors: { message: string }[] = []) => ({
  suites: [{ title: "a.spec.ts", specs, suites: [] }],
  errors,
  stats: {},
});
const t = (status: string, expectedStatus = "passed", projectName = "chromium") => ({ projectName, expectedStatus, status });

describe("scripts/summarise-tests.mjs", () => {
  it("counts the tests of a file whose beforeAll failed (PostgreSQL down) as failed, and names them", () => {
    const s = summarise(folder({
      "vitest-postgres.json": vitest([
        { name: "lib/mask.test.ts", status: "passed", tests: [a("x", "passed"), a("y", "passed")] },
        { name: "lib/requests/queries.test.ts", status: "failed", message: "connect ECONNREFUSED 127.0.0.1:5432", tests: [a("p", "skipped"), a("q", "pending"), a("r", "skipped")] },
      ], false),
    }));
    expect([s.passed, s.failed, s.skipped]).toEqual([2, 3, 0]);
    expect(s.lines.join("\n")).toContain("lib/requests/queries.test.ts > suite p (did not run: connect ECONNREFUSED 127.0.0.1:5432)");
    expect(s.lines.at(-1)).toBe("2 passed, 3 failed");
  });

  it("counts a file that failed to load as one failure, and deliberate skips as skipped", () => {
    const s = summarise(folder({
      "vitest-sqlite.json": vitest([
        { name: "lib/a.test.ts", status: "failed", message: "SyntaxError: x", tests: [] },
        { name: "lib/b.test.ts", status: "passed", tests: [a("x", "passed"), a("y", "skipped"), a("z", "todo")] },
      ], false),
    }));
    expect([s.passed, s.failed, s.skipped]).toEqual([1, 1, 2]);
    expect(s.lines).toContain("Skipped: 2 (marked skip; tests that should have run and did not are counted as failed)");
  });

  it("counts Playwright tests skipped by a failed set-up or serial test as failed, test.skip as skipped", () => {
    const s = summarise(folder({
      "e2e-sqlite.json": pw([
        spec("one", [t("unexpected")]),
        spec("two", [t("skipped")]),
        spec("three", [t("skipped", "skipped")]),
        spec("four", [t("expected"), t("flaky", "passed", "setup")]),
      ]),
    }));
    expect([s.passed, s.failed, s.skipped]).toEqual([2, 2, 1]);
    expect(s.lines.join("\n")).toContain("[chromium] a.spec.ts › two (did not run");
  });

  it("counts every listed browser test missing from a report (web server never started) as failed, error counted once", () => {
    const list = pw([spec("one", [t("skipped")]), spec("two", [t("skipped")]), spec("s", [t("skipped", "passed", "setup")])]);
    const s = summarise(folder({
      "list-e2e.json": list,
      "e2e-postgres.json": { suites: [], errors: [{ message: "Error: Process from config.webServer was not able to start. Exit code: 1" }], stats: {} },
      "e2e-sqlite.json": pw([spec("one", [t("expected")]), spec("two", [t("expected")]), spec("s", [t("expected", "passed", "setup")])]),
    }));
    expect([s.passed, s.failed]).toEqual([3, 3]);
    expect(s.lines.join("\n")).toContain("error: Error: Process from config.webServer was not able to start");
  });

  it("a missing browser report (the build failed, so the browser tests never ran) counts every listed test", () => {
    const s = summarise(folder({
      "expected.txt": "e2e-sqlite.json\n",
      "check-build.status": "1\n",
      "list-e2e.json": pw([spec("one", [t("skipped")]), spec("two", [t("skipped")]), spec("s", [t("skipped", "passed", "setup")])]),
    }));
    expect([s.passed, s.failed]).toEqual([0, 4]);
    expect(s.lines.join("\n")).toContain("[chromium] a.spec.ts › two (did not run: no report)");
  });

  it("a report with its own list (a subset run) is compared with that list, not the full one", () => {
    const s = summarise(folder({
      "list-e2e.json": pw([spec("one", [t("skipped")]), spec("two", [t("skipped")])]),
      "list-e2e-mobile.json": pw([spec("one", [t("skipped")])]),
      "e2e-mobile.json": pw([spec("one", [t("expected")])]),
    }));
    expect([s.passed, s.failed]).toEqual([1, 0]);
  });

  it("counts failed checks (type check, build) by name, a missing report as one failure, and prints a suite's not-run reason", () => {
    const s = summarise(folder({
      "check-typecheck.status": "2\n",
      "check-build.status": "0\n",
      "expected.txt": "vitest-sqlite.json\nvitest-postgres.json\nvitest-live.json\n",
      "vitest-sqlite.json": vitest([{ name: "lib/m.test.ts", status: "passed", tests: [a("x", "passed")] }]),
      "live-not-run.txt": "the live Sydent kit ../shared/tools/sydent-live is absent\n",
    }));
    expect([s.passed, s.failed]).toEqual([2, 2]);
    const text = s.lines.join("\n");
    expect(text).toContain("FAILED typecheck (exit 2)");
    expect(text).toContain("vitest-postgres.json: no report");
    expect(text).not.toContain("vitest-live.json: no report");
    expect(text).toContain("live: not run — the live Sydent kit ../shared/tools/sydent-live is absent");
  });

  it("reads every vitest-*.json, and an empty folder is a failure, not a pass", () => {
    const s = summarise(folder({
      "vitest-live.json": vitest([{ name: "lib/l.live.test.ts", status: "passed", tests: [a("x", "passed")] }]),
      "vitest-other.json": vitest([{ name: "lib/o.test.ts", status: "passed", tests: [a("x", "failed")] }], false),
    }));
    expect([s.passed, s.failed]).toEqual([1, 1]);
    expect(summarise(folder({})).lines.at(-1)).toBe("0 passed, 1 failed");
  });

  it("says why a test failed, so that a log showing only the summary is enough to act on", () => {
    const failing = { projectName: "chromium", expectedStatus: "passed", status: "unexpected", results: [{ errors: [
      { message: "Error: /admin/servers as admin: page is 431 px wide in a 390 px window\n\nexpect(received).toBeLessThanOrEqual(expected)" },
      { message: "\u001b[31mError: /blocks as admin: page is 402 px wide\u001b[39m" },
    ] }] };
    const s = summarise(folder({
      "e2e-sqlite.json": pw([spec("fits", [failing])]),
      "vitest-sqlite.json": vitest([{ name: "lib/v.test.ts", status: "failed", tests: [{ ...a("x", "failed"), failureMessages: ["AssertionError: expected 3 to be 4\n    at lib/v.test.ts:9"] } as ReturnType<typeof a>] }], false),
    }));
    const text = s.lines.join("\n");
    expect(text).toContain("FAILED [chromium] a.spec.ts › fits\n      why: Error: /admin/servers as admin: page is 431 px wide in a 390 px window\n      why: Error: /blocks as admin: page is 402 px wide");
    expect(text).toContain("FAILED lib/v.test.ts > suite x\n      why: AssertionError: expected 3 to be 4");
    expect(s.lines.at(-1)).toBe("0 passed, 2 failed");
  });
});
