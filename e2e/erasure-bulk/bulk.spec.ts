import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import Papa from "papaparse";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2ePath, statePath } from "../fixtures/roles";
import type { E2eRole } from "../fixtures/auth";

// The bulk CSV dry run (issue 4 section 7): a DPO uploads deactivated Matrix IDs from
// truth.json plus a malformed one and a duplicate; the dry run shows per-row results, the
// rejected rows download as a CSV with their errors, and nothing is erased (checked with plain
// SQL on the e2e fixture copy that the bindings are all still there).

type Subject = { key: string; mxid: string | null };
const truth: { subjects: Subject[] } = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));
const mxids = [...new Set(truth.subjects.map((s) => s.mxid).filter((m): m is string => !!m))].slice(0, 3);
const fixture = e2ePath("fixture");

function bindings(): number {
  let n = 0;
  for (const i of ["is1", "is2"]) {
    const d = new Database(path.join(fixture, `${i}.db`), { readonly: true });
    try {
      for (const m of mxids) {
        n += (d.prepare("SELECT count(*) AS n FROM local_threepid_associations WHERE mxid = ?").get(m) as { n: number }).n;
        n += (d.prepare("SELECT count(*) AS n FROM global_threepid_associations WHERE mxid = ?").get(m) as { n: number }).n;
      }
    } finally {
      d.close();
    }
  }
  return n;
}

async function as(browser: Browser, role: E2eRole): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role) });
  return ctx.newPage();
}

test("[ERASURE-BULK]: a CSV upload is a dry run with per-row results and downloadable rejected rows; nothing is erased", async ({ browser }) => {
  const before = bindings();
  expect(before).toBeGreaterThan(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-bulk-e2e-"));
  const file = path.join(dir, "deactivated.csv");
  fs.writeFileSync(file, ["mxid", ...mxids, "not-a-matrix-id", mxids[0]].join("\n") + "\n");

  // Matrix IDs: a reverse lookup, so a DPO uploads them (a support agent is refused).
  const page = await as(browser, "dpo");
  await page.goto("/erasures/bulk");
  await expect(page.getByRole("heading", { name: "Bulk erasure", level: 1 })).toBeVisible();
  await page.getByLabel("CSV file").setInputFiles(file);
  await expect(page.getByLabel("Reason")).toHaveValue("account_deactivated");
  await page.getByRole("button", { name: "Upload for a dry run" }).click();

  await expect(page).toHaveURL(/\/erasures\/bulk\/[^/]+$/, { timeout: 30_000 });
  await expect(page.getByText("Dry run complete: nothing has been erased.")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("count-rejected")).toHaveText(/Rejected: 2/);
  await expect(page.getByTestId("count-valid")).toHaveText(new RegExp(`Held: will be erased: ${mxids.length}`));
  const table = page.getByRole("table", { name: "Rows of this batch" });
  await expect(table.getByRole("row")).toHaveCount(1 + mxids.length + 2);
  await expect(table).toContainText("Duplicate of row 1.");
  await expect(table).toContainText("Not a Matrix ID");
  for (const m of mxids) await expect(table).not.toContainText(m); // masked

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download rejected rows (CSV)" }).click()]);
  const csv = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  const rows = Papa.parse<string[]>(csv.trim()).data;
  expect(rows[0]).toEqual(["mxid", "error"]);
  expect(rows.slice(1).map((r) => r[1])).toEqual([
    expect.stringMatching(new RegExp(`^Row ${mxids.length + 1}: Not a Matrix ID`)),
    `Row ${mxids.length + 2}: Duplicate of row 1.`,
  ]);
  // The uploader cannot approve (separation of duties): no approve button, and nothing erased.
  await expect(page.getByRole("button", { name: "Approve the whole batch" })).toHaveCount(0);
  expect(bindings()).toBe(before);
  fs.rmSync(dir, { recursive: true, force: true });
});
