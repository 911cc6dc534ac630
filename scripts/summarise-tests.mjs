// Adds up everything scripts/test-all.sh left in its results folder and prints the last line
// "N passed, N failed". Every test that should have run and did not is a failure. The folder:
//
//   expected.txt        names of the reports the run promised (one a line): one missing (the suite
//                       crashed or never started) counts 1 failed — a browser report every listed
//                       test — unless <suite>-not-run.txt exists
//   check-<name>.status a one-step check (typecheck, build, system packages): its exit code;
//                       0 counts 1 passed, anything else 1 failed, named
//   vitest-*.json       vitest JSON reports. Tests left skipped in a file that failed (its
//                       beforeAll threw, e.g. PostgreSQL down) count as failed; a file that failed
//                       with no test failing (did not load, afterAll threw) counts 1 failed
//   e2e-*.json          Playwright JSON reports. A test skipped without being marked skip (a
//                       set-up or earlier serial test failed) counts as failed, and so does every
//                       test of list-e2e.json missing from the report (the web server never came up)
//   list-e2e.json       `playwright test --list --reporter=json`: the browser tests that exist;
//                       list-e2e-<x>.json, when present, is the list for e2e-<x>.json alone (a
//                       run of a subset, e.g. with --grep)
//   <suite>-not-run.txt a suite that could not run by design (e.g. live-not-run.txt: the live
//                       Sydent kit is absent): its reason is printed; it counts nothing
//
// Deliberately skipped tests (it.skip, test.skip) are counted and printed as skipped.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const SHOW = 25;

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return { unreadable: String(e.message ?? e) };
  }
}

function vitestReport(r) {
  const c = { passed: 0, failed: 0, skipped: 0, names: [] };
  if (r.unreadable) return { ...c, failed: 1, names: [`report unreadable: ${r.unreadable}`] };
  for (const f of r.testResults ?? []) {
    const file = path.relative(process.cwd(), f.name);
    const fileFailed = f.status === "failed";
    let counted = 0;
    for (const a of f.assertionResults ?? []) {
      const name = `${file} > ${a.fullName ?? a.title}`;
      if (a.status === "passed") c.passed += 1;
      else if (a.status === "failed") { c.failed += 1; counted += 1; c.names.push(withWhy(name, a.failureMessages ?? [])); }
      else if (fileFailed) { c.failed += 1; counted += 1; c.names.push(`${name} (did not run: ${oneLine(f.message) || "its file failed"})`); }
      else c.skipped += 1;
    }
    if (fileFailed && counted === 0) { c.failed += 1; c.names.push(`${file}: ${oneLine(f.message) || "file failed"}`); }
  }
  if (c.passed + c.failed + c.skipped === 0) { c.failed += 1; c.names.push("no tests ran"); }
  else if (r.success === false && c.failed === 0) { c.failed += 1; c.names.push("vitest reported a failure outside any test (unhandled error)"); }
  return c;
}

function playwrightTests(r) {
  const tests = [];
  const walk = (suite, titles) => {
    const here = suite.title ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) tests.push({ id: `[${t.projectName}] ${[...here, spec.title].join(" › ")}`, t });
    }
    for (const s of suite.suites ?? []) walk(s, here);
  };
  for (const s of r.suites ?? []) walk(s, []);
  return tests;
}

function e2eReport(r, listed) {
  const c = { passed: 0, failed: 0, skipped: 0, names: [] };
  if (r.unreadable) return { ...c, failed: 1, names: [`report unreadable: ${r.unreadable}`] };
  const seen = new Map();
  for (const { id, t } of playwrightTests(r)) {
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (t.status === "expected" || t.status === "flaky") c.passed += 1;
    else if (t.status === "skipped" && t.expectedStatus === "skipped") c.skipped += 1;
    else if (t.status === "skipped") { c.failed += 1; c.names.push(`${id} (did not run: a set-up or earlier serial test failed)`); }
    else { c.failed += 1; c.names.push(withWhy(id, (t.results ?? []).at(-1)?.errors?.map((e) => e.message) ?? [])); }
  }
  for (const { id } of listed ?? []) {
    const n = seen.get(id) ?? 0;
    if (n > 0) seen.set(id, n - 1);
    else { c.failed += 1; c.names.push(`${id} (did not run: not in the report)`); }
  }
  const errors = r.errors ?? [];
  for (const e of errors) c.names.push(`error: ${oneLine(e.message)}`);
  if (errors.length && c.failed === 0) c.failed += errors.length;
  if (c.passed + c.failed + c.skipped === 0) { c.failed += 1; c.names.push("no tests ran"); }
  return c;
}

/** A failed test's name with the first line of each of its first three errors, so that a CI log
 * that shows only the summary still says why. */
function withWhy(name, messages) {
  const why = messages.map(oneLine).filter(Boolean).slice(0, 3);
  return why.length ? `${name}\n      why: ${why.join("\n      why: ")}` : name;
}

function oneLine(s) {
  return String(s ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim())?.trim().slice(0, 200) ?? "";
}

/** Reads a results folder; returns the printed lines and the totals. */
export function summarise(dir) {
  const lines = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  const add = (label, c) => {
    total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
    lines.push(`${label}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    for (const n of c.names.slice(0, SHOW)) lines.push(`  FAILED ${n}`);
    if (c.names.length > SHOW) lines.push(`  … and ${c.names.length - SHOW} more`);
  };

  for (const f of files.filter((f) => /^check-.+\.status$/.test(f))) {
    const name = f.slice("check-".length, -".status".length);
    const code = fs.readFileSync(path.join(dir, f), "utf8").trim();
    const ok = code === "0";
    add(`check ${name}`, { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, names: ok ? [] : [`${name} (exit ${code || "unknown"})`] });
  }
  for (const f of files.filter((f) => /^vitest-.+\.json$/.test(f))) add(f, vitestReport(readJson(path.join(dir, f))));
  const listOf = (f) => {
    const own = path.join(dir, `list-${f}`);
    const all = path.join(dir, "list-e2e.json");
    const file = fs.existsSync(own) ? own : all;
    return fs.existsSync(file) ? playwrightTests(readJson(file)) : null;
  };
  for (const f of files.filter((f) => /^e2e-.+\.json$/.test(f))) add(f, e2eReport(readJson(path.join(dir, f)), listOf(f)));
  for (const f of files.filter((f) => f.endsWith("-not-run.txt"))) {
    lines.push(`${f.slice(0, -"-not-run.txt".length)}: not run — ${oneLine(fs.readFileSync(path.join(dir, f), "utf8")) || "no reason given"}`);
  }
  const expectedFile = path.join(dir, "expected.txt");
  const expected = fs.existsSync(expectedFile) ? fs.readFileSync(expectedFile, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) : [];
  for (const name of expected) {
    const suite = name.replace(/\.json$/, "").replace(/^(vitest|e2e)-/, "");
    if (files.includes(name) || files.includes(`${suite}-not-run.txt`)) continue;
    const listed = /^e2e-.+\.json$/.test(name) ? listOf(name) : null;
    if (listed?.length) add(name, { passed: 0, failed: listed.length, skipped: 0, names: listed.map(({ id }) => `${id} (did not run: no report)`) });
    else add(name, { passed: 0, failed: 1, skipped: 0, names: [`${name}: no report (the suite did not run to the end)`] });
  }
  if (total.passed + total.failed === 0) { total.failed += 1; lines.push(`nothing ran: no report in ${dir}`); }
  lines.push(`Skipped: ${total.skipped} (marked skip; tests that should have run and did not are counted as failed)`);
  lines.push(`${total.passed} passed, ${total.failed} failed`);
  return { lines, ...total };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = process.argv[2] ?? ".tmp/test-results";
  const s = summarise(dir);
  for (const l of s.lines) console.log(l);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "summary.txt"), s.lines.at(-1) + "\n");
  process.exit(s.failed ? 1 : 0);
}
