import { expect, test } from "@playwright/test";
import { send, startStandIn, testHaproxy } from "@/lib/blocks/test-haproxy";
import { e2ePath, statePath } from "../fixtures/roles";

// From the abuse view (built from the fixture's real HAProxy and Sydent logs), support blocks the
// busiest client address; Debian's HAProxy refuses it at once with the Matrix-style 403; lifting
// it on the blocks page lets it through again. The fixture's clients are 127.x.y.z addresses, so
// the test sends from that very address.

// The SQLite and PostgreSQL runs each have their own ports (and data directory), so they never share state.
const base = process.env.E2E_CONSOLE_DB === "postgresql" ? 18670 : 18660;
const h = testHaproxy({ port: base + 1, backend: `127.0.0.1:${base}`, dir: e2ePath("haproxy"), socket: process.env.CUSTODIAN_HAPROXY_SOCKET });
let backend: { close(): Promise<void> };

test.use({ storageState: statePath("support") });

test.beforeAll(async () => {
  backend = await startStandIn(base);
  await h.start();
});
test.afterAll(async () => {
  await h.stop();
  await backend.close();
});

test("[BLOCKS]: block the busiest source from the abuse view, see it enforced, lift it", async ({ page }) => {
  await page.goto("/abuse?category=source&kind=any");
  await expect(page.getByRole("heading", { level: 1, name: "Abuse" })).toBeVisible();
  const table = page.getByRole("table", { name: /Busiest sources/ });
  const first = table.locator("tbody tr").first();
  const source = (await first.locator("td").nth(2).innerText()).trim();
  expect(source).toMatch(/^127\.\d+\.\d+\.\d+$/);
  expect((await send(h.url, { from: source })).status).toBe(200);

  await first.getByText("Block this").click();
  const form = first.getByRole("form", { name: "Create a block" });
  await expect(form.getByLabel("Target")).toHaveValue(source);
  await form.getByLabel("Reason").fill("Busiest client in the abuse view, scraping");
  await form.getByRole("button", { name: "Block" }).click();
  await expect(form.getByRole("status")).toContainText("HAProxy enforces it now");

  const blocked = await send(h.url, { from: source });
  expect(blocked.status).toBe(403);
  expect(blocked.json).toMatchObject({ errcode: "M_FORBIDDEN" });

  await page.goto("/blocks");
  const row = page.getByRole("row").filter({ hasText: source });
  await row.getByLabel(/Reason for lifting/).fill("Checked with the reporter, lifting");
  await row.getByRole("button", { name: "Lift" }).click();
  // Lifted blocks leave the default list (active and pending ones).
  await expect(page.getByRole("row").filter({ hasText: source })).toHaveCount(0);
  expect((await send(h.url, { from: source })).status).toBe(200);
});
