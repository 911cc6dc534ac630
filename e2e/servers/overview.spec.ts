import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2ePath, statePath } from "../fixtures/roles";

// The identity-server overview on copies of the real Sydent fixture (e2e/setup.ts registers
// them). Expected figures come from the fixture's truth.json.

const fixture = e2ePath("fixture");
const truth = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));

test.use({ storageState: statePath("support") });

test("[SERVERS]: the overview shows counts, pepper, drift and each peer's position", async ({ page }) => {
  await page.goto("/servers");
  await expect(page.getByRole("cell", { name: truth.instances.is1.server_name })).toBeVisible();
  await expect(page.getByRole("cell", { name: truth.instances.is2.server_name })).toBeVisible();
  await page.getByRole("link", { name: "is1", exact: true }).click();

  const summary = truth.db_summary.is1;
  await expect(page.getByRole("heading", { level: 1 })).toContainText(truth.instances.is1.server_name);
  const counts = page.getByRole("table", { name: "Rows per Sydent table" });
  for (const [table, n] of Object.entries(summary.counts)) {
    await expect(counts.getByRole("row", { name: new RegExp(`^${table} ${n}$`) })).toBeVisible();
  }
  await expect(page.getByText("No drift")).toBeVisible();
  await expect(page.getByText("present", { exact: true }).first()).toBeVisible();
  const peer = summary.peers[0];
  const peers = page.getByRole("table", { name: /Replication peers/ });
  const row = peers.getByRole("row").filter({ hasText: peer.name });
  await expect(row).toContainText(String(peer.lastSentVersion));
  await expect(row).toContainText(String(summary.max_local_id));
});

test("[SERVERS]: a missing identity database shows a banner and the rest keeps working", async ({ page }) => {
  const file = path.join(fixture, "is2.db");
  fs.renameSync(file, `${file}.away`);
  try {
    await page.goto("/servers");
    await page.getByRole("link", { name: "is2", exact: true }).click();
    await expect(page.locator(".banner-error")).toBeVisible();
    await expect(page.locator(".banner-error")).toContainText(/not found|missing|does not exist/i);
    await page.getByRole("link", { name: "Requests", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request register");
  } finally {
    fs.renameSync(`${file}.away`, file);
  }
});
