import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { statePath } from "../fixtures/roles";
import type { E2eRole } from "../fixtures/auth";

// Issue 8 in the browser: a DPO links a person's e-mail address to an erasure request; the Matrix
// ID it is bound to is only a candidate, shown masked with a distinguishing tag, until the DPO
// confirms it; the prepared erasure's preview then lists, one line per row, the other people whose
// signed associations embed this person, with their origin server and "Keep bound". Nothing is run
// (these servers are files without a live Sydent), so no identity database changes.

type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string }[]; data_inside_other_rows_sgAssoc?: unknown[] };
const truth: { subjects: Subject[] } = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));
const alice = truth.subjects.find((s) => s.key === "alice")!;
const email = alice.threepids.find((t) => t.medium === "email")!.address;
const maskedMxid = `@${alice.mxid!.slice(1, 2)}••••:${alice.mxid!.slice(alice.mxid!.indexOf(":") + 1)}`;

async function as(browser: Browser, role: E2eRole): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role) });
  return ctx.newPage();
}

test("[ONE PERSON]: candidates are confirmed one by one; the erasure preview lists every bystander row, kept bound", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/requests/new");
  await page.getByLabel("Type of request").selectOption("erasure");
  await page.getByLabel("Requester's name").fill("One Person E2E");
  await page.getByLabel("Contact (e-mail, phone or postal address)").fill("one-person-e2e@example.org");
  await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
  await page.getByLabel("Received on").fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel("Summary").fill("Please erase my binding.");
  await page.getByRole("button", { name: "Register request" }).click();
  await expect(page).toHaveURL(/\/requests\/(?!new$)[a-z0-9]+$/);
  const requestId = page.url().split("/").pop()!;

  await page.goto("/subjects");
  await page.getByLabel("Search by").selectOption("email");
  await page.getByLabel("Identifier").fill(email);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });
  await page.getByLabel("Request to link to").selectOption(requestId);
  await page.getByRole("button", { name: "Link to request" }).click();
  await expect(page.getByText(/Linked to REQ-/)).toBeVisible();

  // The bound Matrix ID is a candidate, masked, with a tag; nothing joins the request silently.
  await page.goto(`/requests/${requestId}`);
  const subjects = page.getByRole("region", { name: "Subjects" });
  await expect(subjects.getByRole("listitem")).toHaveCount(1);
  await subjects.getByRole("button", { name: "Find candidate identifiers" }).click();
  const candidates = subjects.getByRole("table").filter({ hasText: "candidate(s), masked" });
  await expect(candidates).toBeVisible({ timeout: 30_000 });
  // The Matrix ID's row (its other addresses are candidates too, found through it).
  const row = candidates.getByRole("row").filter({ hasText: maskedMxid }).filter({ has: page.getByRole("cell", { name: "mxid", exact: true }) });
  await expect(row).toBeVisible();
  const tag = (await row.locator(".badge").first().textContent())!.trim();
  expect(tag).toMatch(/^#[0-9a-f]{4}$/);
  await row.getByRole("button", { name: `Confirm ${tag}` }).click();
  await expect(subjects.getByText(new RegExp(`Confirmed .* ${tag} as the subject's`))).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await expect(page.getByRole("region", { name: "Subjects" }).getByRole("listitem")).toHaveCount(2);
  expect(await page.content()).not.toContain(alice.mxid!);

  // The preview: a separate section, one line per other person's row, masked, with its origin.
  const panel = page.getByRole("region", { name: "Erasure" });
  await panel.getByLabel("Reason for the erasure").selectOption("own_request");
  await panel.getByRole("button", { name: "Prepare erasure" }).click();
  await expect(panel.getByText("Erasure prepared; a second person must now approve it.")).toBeVisible({ timeout: 30_000 });
  await panel.getByRole("link", { name: "Open the erasure" }).click();
  await expect(page).toHaveURL(/\/erasures\/[a-z0-9]+$/);
  const bystanders = page.getByTestId("preview-bystanders");
  await expect(bystanders.getByRole("heading", { name: "Other people: rows that embed this person" })).toBeVisible();
  const table = bystanders.getByRole("table", { name: "Other people's rows embedding this person" });
  // One line per row embedding her (truth.json), plus origins that re-issue for a peer's copy.
  const n = alice.data_inside_other_rows_sgAssoc!.length;
  expect(await table.getByRole("row").filter({ hasText: "Keep bound" }).count()).toBeGreaterThanOrEqual(n);
  await expect(table.getByRole("row").filter({ hasText: "Keep bound" }).filter({ hasNotText: "(its origin)" })).toHaveCount(n);
  await expect(table).toContainText("is1.idp-dev.test");
  // No internal API registered for these servers: the preview says the job would stop there.
  await expect(bystanders.getByText(/Register the internal API URL of/)).toBeVisible();
  expect(await page.content()).not.toContain(email);
  // The DPO who prepared it decides nothing about other people: no decision column for them.
  await expect(table.getByRole("columnheader", { name: "Decision" })).toHaveCount(0);
  const erasureUrl = page.url();
  await page.context().close();

  // A second DPO may unbind one of them instead, only with a reason; and change it back.
  const second = await as(browser, "dpo2");
  await second.goto(erasureUrl);
  const t2 = second.getByTestId("preview-bystanders").getByRole("table", { name: "Other people's rows embedding this person" });
  const first = t2.getByRole("row").filter({ hasText: "Keep bound" }).filter({ has: second.getByRole("form") }).first();
  const label = (await first.getByRole("form").getAttribute("aria-label"))!.replace(/^Decide about /, "");
  await first.getByRole("button", { name: `Unbind ${label} instead` }).click();
  await expect(first.getByRole("alert")).toContainText("at least 10 characters");
  await first.getByLabel(`Reason to unbind ${label}`).fill("The account holder asked us to remove this binding too");
  await first.getByRole("button", { name: `Unbind ${label} instead` }).click();
  const unbound = t2.getByRole("row").filter({ hasText: "Unbind (approved choice: The account holder asked us to remove this binding too)" });
  await expect(unbound).toHaveCount(1, { timeout: 15_000 });
  await unbound.getByRole("button", { name: `Keep ${label} bound` }).click();
  await expect(t2.getByRole("row").filter({ hasText: "Unbind (approved choice" })).toHaveCount(0, { timeout: 15_000 });
  await second.context().close();
});
