import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import type { E2eRole } from "../fixtures/auth";
import { statePath } from "../fixtures/roles";

// A complaint about staff access, end to end: support looks a person up (the access complained
// about), takes in the complaint naming the person, links the staff member, replies and escalates;
// the DPO sees who accessed the person straight from the access log, links the exact entry and
// resolves with a templated reply; the auditor follows the trail in the access log.

type Subject = { threepids: { medium: string; address: string; state: string }[] };
const truth: { subjects: Subject[] } = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));
const email = truth.subjects.flatMap((s) => s.threepids).find((t) => t.medium === "email" && t.state === "bound" && /^[a-z.]+@/.test(t.address))!.address;

async function as(browser: Browser, role: E2eRole): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role) });
  return ctx.newPage();
}

test.describe.configure({ mode: "serial" });
const shared: { url?: string; reference?: string } = {};

test("[COMPLAINTS]: support takes in a complaint about a staff look-up, links the staff member and escalates", async ({ browser }) => {
  const page = await as(browser, "support");
  // The access complained about: support searches for the person.
  await page.goto("/subjects");
  await page.getByLabel("Search by").selectOption("email");
  await page.getByLabel("Identifier").fill(email);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });

  await page.goto("/complaints/new");
  await page.getByLabel("Severity").selectOption("high");
  await page.getByLabel("What is the complaint about?").fill("The person says a support agent looked them up without any reason.");
  await page.getByLabel("Complainant's name").fill("Fran Example");
  await page.getByLabel("How to reach them (e-mail or phone)").fill("fran@example.net");
  await page.getByLabel("Their identifier on our servers, if they gave one").selectOption("email");
  await page.getByLabel("Identifier", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Take in complaint" }).click();
  await expect(page).toHaveURL(/\/complaints\/(?!new$)[a-z0-9]+$/);
  shared.url = new URL(page.url()).pathname;
  shared.reference = (await page.getByRole("heading", { level: 1 }).textContent())!.replace("Complaint ", "").trim();
  expect(shared.reference).toMatch(/^CMP-\d{4}-[0-9A-F]{6}$/);
  // The contact is masked until revealed; support does not see the access log.
  expect(await page.content()).not.toContain("fran@example.net");
  await expect(page.getByRole("heading", { name: "Who accessed this person's data" })).toHaveCount(0);

  await page.getByLabel("What", { exact: true }).selectOption("staff");
  await page.getByLabel("Reference").fill("support@e2e.test");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByText("Linked.")).toBeVisible();
  await page.getByLabel("Template").selectOption("acknowledge");
  await page.getByRole("button", { name: "Record reply" }).click();
  await expect(page.getByText("Reply recorded as correspondence.")).toBeVisible();
  await expect(page.getByText(/Thank you for your complaint \(CMP-/)).toBeVisible();
  await page.getByLabel("Why the DPO must decide").fill("Possible misuse of access by a staff member.");
  await page.getByRole("button", { name: "Escalate" }).click();
  // The escalation form goes away with the new state.
  await expect(page.locator("dl.props dd").first()).toHaveText("Escalated to the DPO");
  // Escalated: only the DPO may resolve it.
  await expect(page.getByRole("button", { name: "Resolve complaint" })).toHaveCount(0);
  await page.context().close();
});

test("[COMPLAINTS]: the DPO sees who accessed the person, links the entry and resolves with a templated reply", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto(shared.url!);
  const access = page.getByRole("table", { name: "Access-log entries about the person" });
  const row = access.locator("tbody tr").filter({ hasText: "subject.search" }).filter({ hasText: "support@e2e.test" }).first();
  await expect(row).toBeVisible();
  const seq = (await row.locator("td").first().textContent())!.trim();
  await page.getByLabel("What", { exact: true }).selectOption("accessLog");
  await page.getByLabel("Reference").fill(`#${seq}`);
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByText(`access-log entry: #${seq}`)).toBeVisible();
  await page.getByLabel("Resolution").fill("The look-up had no purpose; the agent was retrained and access reviewed.");
  await page.getByLabel("Closing reply").selectOption("resolved_action");
  // The server action's answer, before reloading (a reload could otherwise cancel it on a busy machine).
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/complaints/"));
  await page.getByRole("button", { name: "Resolve complaint" }).click();
  await answered;
  await page.reload();
  await expect(page.locator("dl.props dd").first()).toHaveText("Resolved");
  await expect(page.getByText(/taken action to put things right/)).toBeVisible();
  await page.context().close();
});

test("[COMPLAINTS]: the auditor follows the complaint's trail in the access log", async ({ browser }) => {
  const page = await as(browser, "auditor");
  await page.goto("/access-log");
  const table = page.getByRole("table", { name: /Access log/ });
  for (const action of ["complaint.create", "complaint.link", "complaint.reply", "complaint.escalate", "complaint.resolve"]) {
    await expect(table.locator("tbody tr").filter({ hasText: action }).first()).toBeVisible();
  }
  expect(await page.content()).not.toContain("fran@example.net");
  await page.context().close();
});
