import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import Papa from "papaparse";
import { expect, test, type Page } from "@playwright/test";
import { plainLines, truthLogs } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { e2ePath, statePath } from "../fixtures/roles";

// The files of one log source on its retention page (issue 10): filtered, sorted and paged on the
// server, exported as CSV, with the keyboard, passing axe, every view and export access-logged.
// Source sydent:is1 of the fixture, judged as of its reference time. Expected verdicts come from
// truth.json (older than 60 days: expired; older than 7 with a lookup line: straddling) and the
// file names from the fixture's folder, not from the page.

const SOURCE = "/retention/sydent%3Ais1";
const isLookup = (l: string) => / - twisted - .*"(GET|POST) \/_matrix\/identity\/(api\/v1\/(bulk_)?lookup|v2\/lookup)/.test(l) || /lookupservlet|lookupv2servlet/.test(l);
const files = truthLogs.log_files.filter((f) => f.instance === "is1" && f.kind === "sydent");
const nameOf = (p: string) => path.basename(p);
function expected(f: (typeof files)[number]): "within" | "expired" | "straddling" {
  if (f.real || !f.older_than_days) return "within";
  if (f.older_than_days["60"]) return "expired";
  return f.older_than_days["7"] && plainLines(path.join(FIXTURE_DIR, f.path)).some(isLookup) ? "straddling" : "within";
}
const ALL = files.map((f) => nameOf(f.path)).sort();
const EXPIRED = files.filter((f) => expected(f) === "expired");
const STRADDLING = files.filter((f) => expected(f) === "straddling");
const oldestFirst = (l: typeof files) => [...l].sort((a, b) => (a.last_timestamp < b.last_timestamp ? -1 : 1)).map((f) => nameOf(f.path));

const table = (page: Page) => page.getByRole("table", { name: "Files" });
const names = async (page: Page) => (await table(page).locator("tbody tr td:first-child .mono").allTextContents()).map((s) => s.trim());

test.describe.configure({ mode: "serial" });
test.use({ storageState: statePath("dpo") });

test("[RETENTION-FILES]: an audit exists for sydent:is1", async ({ page }) => {
  expect(EXPIRED.length).toBeGreaterThan(0);
  expect(STRADDLING.length).toBeGreaterThan(0);
  await page.goto("/retention");
  if (!(await page.getByRole("table", { name: "Log sources" }).getByRole("link", { name: "sydent:is1" }).count())) {
    await page.getByRole("button", { name: "Run an audit now" }).click();
    await expect(page.getByRole("status")).toContainText("Audit done");
  }
  await page.goto(SOURCE);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Retention of sydent:is1");
});

test("[RETENTION-FILES]: findings first, then the chart, then the files, most urgent first", async ({ page }) => {
  await page.goto(SOURCE);
  const h2 = await page.getByRole("heading", { level: 2 }).allTextContents();
  expect(h2.indexOf("Findings")).toBe(0);
  expect(h2.indexOf("Line ages per class")).toBeGreaterThan(h2.indexOf("Findings"));
  expect(h2.indexOf("Files")).toBeGreaterThan(h2.indexOf("Line ages per class"));
  await expect(page.getByTestId("age-chart-lookup")).toBeVisible();
  await expect(page.getByText(`Showing 1–${ALL.length} of ${ALL.length}.`)).toBeVisible();
  // Expired (most overdue first), then straddling, then the rest.
  const shown = await names(page);
  expect(shown.slice(0, EXPIRED.length + STRADDLING.length)).toEqual([...oldestFirst(EXPIRED), ...oldestFirst(STRADDLING)]);
  expect(shown.slice().sort()).toEqual(ALL);
});

test("[RETENTION-FILES]: filters (verdict, class, compression, name) narrow the list on the server", async ({ page }) => {
  await page.goto(SOURCE);
  await page.getByLabel("Verdict").selectOption("expired");
  await expect(page).toHaveURL(/verdict=expired/);
  await expect(page.getByText(`Showing 1–${EXPIRED.length} of ${EXPIRED.length}.`)).toBeVisible();
  expect(await names(page)).toEqual(oldestFirst(EXPIRED));

  await page.getByLabel("Verdict").selectOption("overdue");
  await expect(page).toHaveURL(/verdict=overdue/);
  await expect(page.getByText(`of ${EXPIRED.length + STRADDLING.length}.`)).toBeVisible();
  await page.getByLabel("Holds lines of class").selectOption("lookup");
  await expect(page).toHaveURL(/class=lookup/);
  // Every overdue file of this source holds lookup lines (the 7-day class): those past 7 days are why.
  expect((await names(page)).sort()).toEqual([...EXPIRED, ...STRADDLING].map((f) => nameOf(f.path)).sort());

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).not.toHaveURL(/verdict=/);
  await page.getByLabel("Compression").selectOption("no");
  await expect(page).toHaveURL(/gzip=no/);
  await expect.poll(async () => (await names(page)).sort()).toEqual(files.filter((f) => !f.gzip).map((f) => nameOf(f.path)).sort());

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).not.toHaveURL(/gzip=/);
  // Typed with the keyboard into the name box.
  await page.getByLabel("Name contains").focus();
  await page.keyboard.type("2026-1");
  await expect(page).toHaveURL(/q=2026-1/);
  await expect.poll(async () => (await names(page)).sort()).toEqual(ALL.filter((n) => n.includes("2026-1")));
});

test("[RETENTION-FILES]: sort with the keyboard, page through, and the page passes axe", async ({ page }) => {
  await page.goto(SOURCE);
  const byName = table(page).getByRole("button", { name: /^File/ });
  await byName.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sort=name&dir=asc|dir=asc&sort=name/);
  await expect(table(page).getByRole("columnheader", { name: /^File/ })).toHaveAttribute("aria-sort", "ascending");
  await expect.poll(() => names(page)).toEqual(ALL);
  await expect(byName).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(table(page).getByRole("columnheader", { name: /^File/ })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => names(page)).toEqual([...ALL].reverse());

  await page.goto(`${SOURCE}?sort=name&dir=asc&pageSize=2`);
  await expect(page.getByText(`Showing 1–2 of ${ALL.length}.`)).toBeVisible();
  expect(await names(page)).toEqual(ALL.slice(0, 2));
  const pager = page.getByRole("navigation", { name: "Files: pages" });
  await pager.getByRole("button", { name: "Next" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/page=2/);
  await expect(pager).toContainText(`Page 2 of ${Math.ceil(ALL.length / 2)}`);
  await expect.poll(() => names(page)).toEqual(ALL.slice(2, 4));

  await page.goto(`${SOURCE}?verdict=overdue&sort=overdueDays&dir=desc`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
});

test("[RETENTION-FILES]: the export holds every matching file (not only the page), formula-safe, and is access-logged", async ({ page, browser }) => {
  await page.goto(`${SOURCE}?verdict=overdue&sort=name&dir=asc&pageSize=1`);
  const n = EXPIRED.length + STRADDLING.length;
  await expect(page.getByText(`Showing 1–1 of ${n}.`)).toBeVisible();
  const link = page.getByRole("link", { name: `Export all ${n} matching file(s) as CSV` });
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^custodian-retention-files-sydent-is1-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = e2ePath("retention-files.csv");
  await download.saveAs(file);
  const text = fs.readFileSync(file, "utf8");
  expect(text.endsWith("\r\n")).toBe(true);
  const rows = Papa.parse<string[]>(text.trimEnd(), { newline: "\r\n" }).data;
  const header = rows[0];
  const col = (h: string) => header.indexOf(h);
  expect(header.slice(0, 4)).toEqual(["source", "file", "path", "verdict"]);
  expect(rows.slice(1).map((r) => r[col("file")])).toEqual([...EXPIRED, ...STRADDLING].map((f) => nameOf(f.path)).sort());
  for (const r of rows.slice(1)) {
    expect(r[col("source")]).toBe("sydent:is1");
    expect(expected(files.find((f) => nameOf(f.path) === r[col("file")])!)).toBe(r[col("verdict")]);
    expect(Number(r[col("overdue lines")])).toBeGreaterThan(0);
    for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  }

  // The auditor finds both the filtered view and the export in the access log.
  const auditor = await (await browser.newContext({ storageState: statePath("auditor") })).newPage();
  await auditor.goto("/access-log?action=retention.files.export");
  await expect(auditor.getByRole("table", { name: "Access log entries" }).locator("tbody tr").first()).toContainText("retention.files.export");
  await auditor.goto("/access-log?action=retention.view");
  await expect(auditor.getByRole("table", { name: "Access log entries" }).locator("tbody tr").first()).toContainText("retention.view");
});
