import fs from "node:fs";
import { expect, test } from "@playwright/test";
import Papa from "papaparse";
import { statePath } from "../fixtures/roles";

// The auditor's page: pseudonymous table with URL-held sorting, paging and filters; the
// identifier-to-pseudonym lookup that keeps identifiers out of URLs; verification; CSV export.

test.describe("[ACCESS-LOG]: as the auditor", () => {
  test.use({ storageState: statePath("auditor") });

  test("[ACCESS-LOG]: sort, page and filter live in the URL", async ({ page }) => {
    // Each view is itself logged, so a few visits guarantee more than one page of 10.
    for (let i = 0; i < 11; i++) await page.goto("/access-log?pageSize=10");
    const table = page.getByRole("table", { name: "Access log entries" });
    await expect(table).toBeVisible();
    const seqHeader = table.getByRole("columnheader", { name: /Seq/ });
    await expect(seqHeader).toHaveAttribute("aria-sort", "descending");
    await seqHeader.getByRole("button").click();
    await expect(page).toHaveURL(/sort=seq/);
    await expect(page).toHaveURL(/dir=asc/);
    await expect(seqHeader).toHaveAttribute("aria-sort", "ascending");
    await expect(table.locator("tbody tr").first().locator("td").first()).toHaveText("1");

    await page.getByRole("button", { name: "Next" }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByText(/^Page 2 of \d+$/)).toBeVisible();

    await page.getByLabel("Action starts with").fill("accessLog.view");
    await expect(page).toHaveURL(/action=accessLog\.view/);
    await expect(page).not.toHaveURL(/page=2/);
    await expect(table.locator("tbody tr").first()).toContainText("accessLog.view");

    await page.goto("/access-log?page=abc&pageSize=9999&sort=hash&dir=sideways");
    await expect(table).toBeVisible();
  });

  test("[ACCESS-LOG]: looking up a person by identifier never puts it in the URL", async ({ page }) => {
    await page.goto("/access-log");
    await page.getByLabel("Kind").selectOption("email");
    await page.getByLabel("Identifier").fill("Someone@Example.org");
    await page.getByRole("button", { name: "Show entries" }).click();
    await expect(page).toHaveURL(/target=[0-9a-f]{64}/);
    expect(page.url().toLowerCase()).not.toContain("someone");
    await expect(page.getByText(/Now filtering by pseudonym/)).toBeVisible();
  });

  test("[ACCESS-LOG]: verify the chain from the page", async ({ page }) => {
    await page.goto("/access-log");
    await expect(page.getByRole("button", { name: "Seal checkpoint now" })).toHaveCount(0);
    await page.getByRole("button", { name: "Verify the log" }).click();
    await expect(page.getByText(/^Intact: [\d,]+ entries/)).toBeVisible();
  });

  test("[ACCESS-LOG]: CSV export downloads every matching entry, every field, formula cells neutralised", async ({ page, browser }) => {
    // A visit whose user agent is a spreadsheet formula: the log records it verbatim, the CSV must not run it.
    const formula = '=HYPERLINK("http://evil.example/","x")';
    const other = await browser.newContext({ storageState: statePath("auditor"), userAgent: formula });
    await (await other.newPage()).goto("/access-log");
    await other.close();

    await page.goto("/access-log?action=accessLog.");
    const link = page.getByRole("link", { name: /Export all .* as CSV/ });
    const shown = Number((await link.innerText()).match(/Export all ([\d,]+) matching/)![1].replace(/,/g, ""));
    const download = page.waitForEvent("download");
    await link.click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^custodian-access-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync(await file.path(), "utf8").replace(/^\uFEFF/, "");
    const [header, ...rows] = Papa.parse<string[]>(csv.trim(), { newline: "\r\n" }).data;
    expect(header).toEqual([
      "seq", "at", "actorId", "actorLabel", "actorRole", "action", "targetType", "targetPseudonym", "targetRef",
      "requestId", "purpose", "outcome", "ip", "userAgent", "details", "prevHash", "hash",
    ]);
    // Every entry the page counted, plus the page view's own entry (logged after counting, with that
    // count); the export's entry comes after the export's cut-off. In seq order, all matching the filter.
    expect(rows).toHaveLength(shown + 1);
    expect(rows.at(-1)![5]).toBe("accessLog.view");
    expect(JSON.parse(rows.at(-1)![14])).toMatchObject({ count: shown });
    const seqs = rows.map((r) => Number(r[0]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const r of rows) {
      expect(r).toHaveLength(header.length);
      expect(r[5]).toMatch(/^accessLog\./);
      expect(r[16]).toMatch(/^[0-9a-f]{64}$/);
      expect(r[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    // CSV injection: the formula user agent is there, but as text (leading apostrophe), in no cell as a formula.
    expect(rows.map((r) => r[13])).toContain(`'${formula}`);
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

test.describe("[ACCESS-LOG]: as the DPO", () => {
  test.use({ storageState: statePath("dpo") });

  test("[ACCESS-LOG]: seal a checkpoint, then verification names it", async ({ page }) => {
    await page.goto("/access-log");
    await page.getByRole("button", { name: "Seal checkpoint now" }).click();
    await expect(page.getByText(/^Sealed checkpoint at seq \d+/)).toBeVisible();
    await page.getByRole("button", { name: "Verify the log" }).click();
    await expect(page.getByText(/Last checkpoint: seq \d+/)).toBeVisible();
  });
});

test.describe("[ACCESS-LOG]: as support", () => {
  test.use({ storageState: statePath("support") });

  test("[ACCESS-LOG]: support may not read or export the log", async ({ page }) => {
    const res = await page.goto("/access-log");
    expect(res?.status()).toBe(403);
    const api = await page.request.get("/api/access-log/export");
    expect(api.status()).toBe(403);
  });
});
