import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { can, ROUTE_RULES, type Permission, type Role } from "@/lib/authz";
import { statePath } from "../fixtures/roles";

// Issue 11, the pages a DPO lives in: Find a person shows matches first with its actions beside
// them and keeps the reveal form's state after a refusal; requests (erasure offer, notes,
// requester search); the access log's links and entry page; the dashboard's links; every page
// fits 1440 px and 390 px screens (no horizontal scrolling), with a keyboard-usable menu on the
// phone; one active navigation item; a favicon. With SCREENSHOTS=1 it also saves screenshots of
// the main pages for each role at both widths into .tmp/screens.

type Subject = { mxid: string | null; threepids: { medium: string; address: string; state: string }[] };
const truth: { subjects: Subject[] } = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));
const person = truth.subjects.find((s) => s.threepids.some((t) => t.medium === "email" && t.state === "bound"))!;
const email = person.threepids.find((t) => t.medium === "email" && t.state === "bound")!.address;

const ROLES: Role[] = ["admin", "dpo", "support", "auditor"];
const WIDTHS = [{ width: 1440, height: 900 }, { width: 390, height: 844 }];
const SCREENS = process.env.SCREENSHOTS ? path.resolve(".tmp/screens") : null;
const shared: { requestId?: string; reference?: string } = {};

async function as(browser: Browser, role: Role, viewport = WIDTHS[0]): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role), viewport });
  return ctx.newPage();
}

function allowed(role: Role, route: string): boolean {
  const rule = ROUTE_RULES[route];
  return rule === "signed-in" || (rule !== "public" && can(role, rule as Permission));
}

async function searchEmail(page: Page) {
  await page.goto("/subjects");
  await page.getByLabel("Search by").selectOption("email");
  await page.getByLabel("Identifier").fill(email);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });
}

async function noHorizontalOverflow(page: Page, where: string) {
  const { scroll, inner, culprits } = await page.evaluate(() => {
    // The outermost elements that stick out of the window (not inside a scrolling box): named in
    // the failure, so that a report is enough to find what to fix.
    const out: string[] = [];
    const scrolls = (el: Element | null): boolean => !!el && el !== document.body && (getComputedStyle(el).overflowX !== "visible" || scrolls(el.parentElement));
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 0.5 || scrolls(el.parentElement)) continue;
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5) continue;
      const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
      out.push(`<${el.tagName.toLowerCase()}${cls}> to ${Math.round(r.right)} px: "${(el.textContent ?? "").trim().slice(0, 40)}"`);
    }
    return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, culprits: out.slice(0, 3) };
  });
  expect.soft(scroll, `${where}: page is ${scroll} px wide in a ${inner} px window (${culprits.join("; ") || "no single element"})`).toBeLessThanOrEqual(inner);
}

test.describe.configure({ mode: "serial" });

test("[PAGES]: a DPO takes in an access request (the world for the tests below)", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/requests/new");
  await page.getByLabel("Type of request").selectOption("access");
  await page.getByLabel("Requester's name").fill("Daisy Dailywork");
  await page.getByLabel("Contact (e-mail, phone or postal address)").fill("daisy.dailywork@example.net");
  await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
  await page.getByLabel("Received on").fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel("Summary").fill("Wants to know what is held.");
  await page.getByRole("button", { name: "Register request" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/REQ-\d{4}-\d{4}/);
  shared.requestId = page.url().split("/").pop();
  shared.reference = (await page.getByRole("heading", { level: 1 }).locator(".mono").textContent())!.trim();
  await page.context().close();
});

test("[PAGES]: Find a person shows the matches, one line for the rest, and the actions above the details", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await searchEmail(page);
  // The actions sit right under the summary, above every server's details and the log files.
  const reveal = page.getByRole("heading", { name: "Reveal", exact: true });
  const link = page.getByRole("heading", { name: "Link to request" });
  const firstServer = page.getByRole("heading", { name: /^is1/ });
  const logs = page.getByRole("heading", { name: "Log files" });
  for (const h of [reveal, link, firstServer, logs]) await expect(h).toBeVisible();
  const y = async (l: typeof reveal) => (await l.boundingBox())!.y;
  expect(await y(reveal)).toBeLessThan(await y(firstServer));
  expect(await y(link)).toBeLessThan(await y(firstServer));
  expect(await y(reveal)).toBeLessThan(900); // in the first screenful at 1440 x 900

  // Only files with a match are listed; the others are one line.
  const table = page.getByRole("table", { name: "Log files with matches" });
  const rows = table.locator("tbody tr");
  for (let i = 0; i < (await rows.count()); i++) expect(Number(await rows.nth(i).locator("td").nth(2).textContent())).toBeGreaterThan(0);
  const rest = page.getByTestId("logs-no-match");
  if (await rest.count()) await expect(rest).toHaveText(/^\d+ other file\(s\) searched with no match \(.+\)\.$/);

  // Not linked to this spec's request yet (other specs of the same world may have linked the person
  // to theirs); linking shows the request in the "Linked requests" line at once.
  await expect(page.getByTestId("linked-requests")).toContainText("Linked requests:");
  await expect(page.getByTestId("linked-requests").getByRole("link", { name: shared.reference! })).toHaveCount(0);
  await page.getByLabel("Request to link to").selectOption(shared.requestId!);
  await page.getByRole("button", { name: "Link to request" }).click();
  await expect(page.getByTestId("linked-requests").getByRole("link", { name: shared.reference! })).toHaveAttribute("href", `/requests/${shared.requestId}`);
  // A new search finds the link from the register.
  await searchEmail(page);
  await expect(page.getByTestId("linked-requests").getByRole("link", { name: shared.reference! })).toBeVisible();
  await page.context().close();
});

test("[PAGES]: a refused reveal keeps the radio, the purpose and the note, consistent with what is shown", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await searchEmail(page);
  const form = page.locator("form").filter({ has: page.getByRole("heading", { name: "Reveal", exact: true }) });
  const byPurpose = form.getByRole("radio", { name: "A stated purpose (DPO)" });
  const byRequest = form.getByRole("radio", { name: "An open request or complaint" });
  const summary = page.getByRole("region", { name: /E-mail address/ });

  await byPurpose.check();
  await form.getByLabel("Purpose", { exact: true }).selectOption("complaint_investigation");
  await form.getByLabel("Note", { exact: true }).fill("too short");
  await form.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(form.getByText(/at least 10 characters/).first()).toBeVisible();
  await expect(byPurpose).toBeChecked();
  await expect(byRequest).not.toBeChecked();
  await expect(form.getByLabel("Purpose", { exact: true })).toHaveValue("complaint_investigation");
  await expect(form.getByLabel("Note", { exact: true })).toHaveValue("too short");
  await expect(summary.getByText("Masked", { exact: true })).toBeVisible();

  // An identifier in the note: refused, and still nothing lost.
  await form.getByLabel("Note", { exact: true }).fill("Complaint about someone@example.org and their lookups");
  await form.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(form.getByText(/looks like it contains an e-mail address/).first()).toBeVisible();
  await expect(byPurpose).toBeChecked();
  await expect(form.getByLabel("Purpose", { exact: true })).toHaveValue("complaint_investigation");
  await expect(form.getByLabel("Note", { exact: true })).toHaveValue("Complaint about someone@example.org and their lookups");

  // For a request with none chosen: refused; the request choice stays on screen with its radio.
  await byRequest.check();
  await form.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(form.getByText(/Choose the open request or complaint this reveal is for/).first()).toBeVisible();
  await expect(byRequest).toBeChecked();
  await expect(form.getByLabel("Request to reveal for")).toBeVisible();
  await expect(form.getByLabel("Purpose", { exact: true })).toHaveCount(0);

  // Back to the purpose: what was typed is still there; a proper note reveals.
  await byPurpose.check();
  await expect(form.getByLabel("Purpose", { exact: true })).toHaveValue("complaint_investigation");
  await form.getByLabel("Note", { exact: true }).fill("Checking what a complaint received today is about");
  await form.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(summary.getByText("Revealed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(email).first()).toBeVisible();
  await page.context().close();
});

test("[PAGES]: an access request offers no erasure form up front; notes refuse identifiers and keep the text", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto(`/requests/${shared.requestId}`);
  const erasure = page.getByRole("region", { name: "Erasure" });
  await expect(erasure.getByText("The person is under 16: erase their data without a second request")).toBeVisible();
  await expect(erasure.getByRole("button", { name: "Prepare erasure" })).toBeHidden();
  await erasure.getByText("The person is under 16").click();
  await expect(erasure.getByLabel("Reason for the erasure")).toHaveValue(""); // nothing preselected

  const notes = page.getByRole("region", { name: "Notes and correspondence" });
  await notes.getByLabel("Kind").selectOption("sent");
  await notes.getByLabel("Text").fill("Wrote to daisy.dailywork@example.net asking for ID");
  await notes.getByRole("button", { name: "Add to the request" }).click();
  await expect(notes.getByText(/looks like it contains an e-mail address/)).toBeVisible();
  await expect(notes.getByLabel("Text")).toHaveValue("Wrote to daisy.dailywork@example.net asking for ID");
  await expect(notes.getByLabel("Kind")).toHaveValue("sent");
  await notes.getByLabel("Text").fill("Wrote to the requester asking for proof of identity");
  await notes.getByRole("button", { name: "Add to the request" }).click();
  await expect(notes.getByRole("listitem").filter({ hasText: "Wrote to the requester asking for proof of identity" })).toContainText("Correspondence sent to the requester");
  await page.context().close();
});

test("[PAGES]: support finds requests by the requester's name or e-mail, without it in the URL", async ({ browser }) => {
  const page = await as(browser, "support");
  await page.goto("/requests");
  const box = page.getByRole("region", { name: "Find by requester" });
  await box.getByLabel("Requester's name or contact").fill("DAILYWORK@example");
  await box.getByRole("button", { name: "Find requests" }).click();
  await expect(box.getByRole("table", { name: "Requests matching the requester" }).getByRole("link", { name: shared.reference! })).toBeVisible();
  expect(page.url().toLowerCase()).not.toContain("dailywork");
  await box.getByLabel("Requester's name or contact").fill("Daisy Dailywork");
  await box.getByRole("button", { name: "Find requests" }).click();
  await expect(box.getByRole("cell", { name: "Daisy Dailywork" })).toBeVisible();
  await page.context().close();
});

test("[PAGES]: the access log links requests and names staff, shows purpose labels, and opens one entry", async ({ browser }) => {
  const page = await as(browser, "auditor");
  await page.goto(`/access-log?requestId=${shared.requestId}&pageSize=100`);
  const table = page.getByRole("table", { name: "Access log entries" });
  const ref = table.getByRole("link", { name: shared.reference!, exact: true }).first();
  await expect(ref).toHaveAttribute("href", `/requests/${shared.requestId}`);
  await expect(table.getByText("Dana DPO").first()).toBeVisible();
  await expect(table).not.toContainText(shared.requestId!);

  await page.goto("/access-log?action=subject.reveal&outcome=ok&pageSize=100");
  await expect(table.getByText("Investigating a complaint").first()).toBeVisible();
  await expect(table).not.toContainText("complaint_investigation");
  // Times on one line.
  const time = table.locator("tbody tr").first().locator("td").nth(1).locator("time");
  const rects = await time.evaluate((el) => el.getClientRects().length);
  expect(rects, "the time is laid out as one line box").toBe(1);

  const seqLink = table.locator("tbody tr").first().getByRole("link", { name: /^Open entry \d+$/ });
  const seq = (await seqLink.textContent())!.trim();
  await seqLink.click();
  await expect(page).toHaveURL(new RegExp(`/access-log/${seq}$`));
  const fields = page.getByRole("region", { name: "Every field" });
  for (const label of ["Sequence", "Time (UTC)", "Actor", "Role", "Action", "Target", "Purpose", "Outcome", "IP address", "User agent", "Details", "Previous hash", "Hash"]) {
    await expect(fields.getByText(label, { exact: true })).toBeVisible();
  }
  await expect(fields).toContainText("subject.reveal");
  await expect(fields).toContainText("Investigating a complaint");
  await expect(fields.locator("dd").last()).toHaveText(/^[0-9a-f]{64}$/);
  await page.context().close();
});

test("[PAGES]: dashboard cards are links and the DPO sees what waits for their approval", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Waiting for me to approve" })).toBeVisible();
  await page.getByRole("link", { name: /Open requests/ }).click();
  await expect(page).toHaveURL(/\/requests\?state=open$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request register");
  await page.goto("/");
  await page.getByRole("link", { name: /Registered identity servers/ }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await page.context().close();
});

test("[PAGES]: the bulk-erasure page marks one navigation item; /favicon.ico is an icon", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/erasures/bulk");
  const current = page.getByRole("navigation", { name: "Main" }).locator('[aria-current="page"]');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveText("Bulk erasure");
  await page.goto("/erasures");
  await expect(current).toHaveText("Erasures");
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/image\//);
  await page.context().close();
});

test("[PAGES]: on a 390 px phone the menu is a button that opens with the keyboard", async ({ browser }) => {
  const page = await as(browser, "dpo", WIDTHS[1]);
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = nav.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav.getByRole("link", { name: "Requests" })).toBeHidden();
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(nav.getByRole("button", { name: "Close menu" })).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Requests" })).toBeVisible();
  await nav.getByRole("link", { name: "Requests" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request register");
  await expect(nav.getByRole("link", { name: "Requests" })).toBeHidden(); // closes after navigating
  await page.context().close();

  const wide = await as(browser, "dpo");
  await wide.goto("/");
  await expect(wide.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(wide.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" })).toBeVisible();
  await wide.context().close();
});

for (const role of ROLES) {
  for (const vp of WIDTHS) {
    test(`[PAGES]: ${role}'s pages fit a ${vp.width} px screen`, async ({ browser }) => {
      test.setTimeout(180_000);
      const page = await as(browser, role, vp);
      const shot = async (name: string) => {
        if (!SCREENS) return;
        fs.mkdirSync(SCREENS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENS, `${name}-${role}-${vp.width}.png`), fullPage: true });
      };
      const routes = [
        ...Object.keys(ROUTE_RULES).filter((r) => !r.includes("[") && !r.startsWith("/api/") && ROUTE_RULES[r] !== "public" && allowed(role, r)),
        ...(allowed(role, "/requests/[id]") ? [`/requests/${shared.requestId}`] : []),
        ...(allowed(role, "/access-log/[seq]") ? ["/access-log/1"] : []),
      ];
      for (const route of routes) {
        await page.goto(route);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await page.waitForLoadState("networkidle");
        await noHorizontalOverflow(page, `${route} as ${role}`);
        if (route === "/") await shot("dashboard");
        if (route === "/access-log") await shot("access-log");
        if (route.startsWith("/requests/") && route !== "/requests/new") await shot("request");
      }
      if (allowed(role, "/subjects")) {
        await searchEmail(page);
        await noHorizontalOverflow(page, `/subjects (results) as ${role}`);
        await shot("find-a-person");
      }
      await page.context().close();
    });
  }
}
