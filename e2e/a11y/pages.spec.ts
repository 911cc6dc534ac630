import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { can, ROUTE_RULES, type Permission, type Role } from "@/lib/authz";
import { truth as fixtureTruth } from "@/lib/sydent/test-fixtures";
import { statePath } from "../fixtures/roles";

// Accessibility: every page each role may open passes axe's WCAG 2.1 A/AA rules, and the
// sign-in form, the skip link and the data table work with the keyboard alone.

const ROLES: Role[] = ["admin", "dpo", "support", "auditor"];
type Subject = { threepids: { medium: string; address: string; state: string }[] };
const subjects = (fixtureTruth as unknown as { subjects: Subject[] }).subjects;
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;

function describeViolations(where: string, results: AxeResults): string {
  return [
    `${results.violations.length} accessibility violation(s) on ${where}:`,
    ...results.violations.map(
      (v) =>
        `- ${v.id} (${v.impact ?? "?"}): ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${n.failureSummary?.replace(/\n/g, "\n      ") ?? ""}`).join("\n"),
    ),
  ].join("\n");
}

async function expectNoViolations(page: Page, where: string) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // Client components hydrate and some panels load after the first paint.
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(results.violations, describeViolations(where, results)).toEqual([]);
}

function allowed(role: Role, route: string): boolean {
  const rule = ROUTE_RULES[route];
  return rule === "signed-in" || (rule !== "public" && can(role, rule as Permission));
}

const staticPages = Object.keys(ROUTE_RULES).filter(
  (route) => !route.includes("[") && !route.startsWith("/api/") && ROUTE_RULES[route] !== "public",
);

/** The URL of one request's detail page: the first in the register, or a new one taken in as the DPO. */
let requestUrl: string | undefined;
async function aRequestUrl(browser: Browser): Promise<string> {
  if (requestUrl) return requestUrl;
  const ctx = await browser.newContext({ storageState: statePath("dpo") });
  const page = await ctx.newPage();
  await page.goto("/requests");
  // Not the "take one in" link an empty register shows.
  const existing = page.getByRole("table", { name: "Requests" }).locator('a[href^="/requests/"]:not([href="/requests/new"])').first();
  if (await existing.count()) {
    await existing.click();
  } else {
    await page.goto("/requests/new");
    await page.getByLabel("Type of request").selectOption("access");
    await page.getByLabel("Requester's name").fill("Alex Accessible");
    await page.getByLabel("Contact (e-mail, phone or postal address)").fill("alex@example.org");
    await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
    await page.getByLabel("Received on").fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel("Summary").fill("A copy of what the identity servers hold about me.");
    await page.getByRole("button", { name: "Register request" }).click();
  }
  await expect(page).toHaveURL(/\/requests\/(?!new$)[a-z0-9]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/REQ-\d{4}-\d{4}/);
  requestUrl = new URL(page.url()).pathname;
  await ctx.close();
  return requestUrl;
}

// First, so that the register, the dashboard and the access log are checked with rows in them.
test("[A11Y]: a request exists to look at", async ({ browser }) => {
  expect(await aRequestUrl(browser)).toMatch(/^\/requests\/[a-z0-9]+$/);
});

for (const role of ROLES) {
  test.describe(`[A11Y]: ${role}`, () => {
    test.use({ storageState: statePath(role) });

    for (const route of staticPages.filter((r) => allowed(role, r))) {
      test(`[A11Y]: ${role} ${route} has no WCAG 2.1 AA violations`, async ({ page }) => {
        const response = await page.goto(route);
        expect(response?.status()).toBe(200);
        await expectNoViolations(page, `${route} as ${role}`);
      });
    }

    if (allowed(role, "/servers/[id]")) {
      test(`[A11Y]: ${role} a server overview has no WCAG 2.1 AA violations`, async ({ page }) => {
        await page.goto("/servers");
        await page.getByRole("link", { name: "is1", exact: true }).click();
        await expect(page).toHaveURL(/\/servers\/[^/]+$/);
        await expectNoViolations(page, `/servers/<id> as ${role}`);
      });
    }

    if (allowed(role, "/retention/[source]")) {
      test(`[A11Y]: ${role} a log source's retention page (findings, chart, files) has no WCAG 2.1 AA violations`, async ({ page, browser }) => {
        await page.goto("/retention");
        const sources = page.getByRole("table", { name: "Log sources" });
        if (!(await sources.getByRole("link", { name: "sydent:is1" }).count())) {
          // Nothing audited yet: a DPO runs one (reading only).
          const dpo = await (await browser.newContext({ storageState: statePath("dpo") })).newPage();
          await dpo.goto("/retention");
          await dpo.getByRole("button", { name: "Run an audit now" }).click();
          await expect(dpo.getByRole("status")).toContainText("Audit done");
          await page.reload();
        }
        await sources.getByRole("link", { name: "sydent:is1" }).click();
        await expect(page).toHaveURL(/\/retention\/sydent%3Ais1$/);
        await expectNoViolations(page, `/retention/<source> as ${role}`);
      });
    }

    if (allowed(role, "/requests/[id]")) {
      test(`[A11Y]: ${role} a request's detail page has no WCAG 2.1 AA violations`, async ({ page, browser }) => {
        const url = await aRequestUrl(browser);
        const response = await page.goto(url);
        expect(response?.status()).toBe(200);
        await expectNoViolations(page, `/requests/<id> as ${role}`);
      });
    }

    if (allowed(role, "/access-log/[seq]")) {
      test(`[A11Y]: ${role} one access-log entry has no WCAG 2.1 AA violations`, async ({ page }) => {
        const response = await page.goto("/access-log/1");
        expect(response?.status()).toBe(200);
        await expectNoViolations(page, `/access-log/<seq> as ${role}`);
      });
    }

    if (allowed(role, "/audit/requests/[id]")) {
      test(`[A11Y]: ${role} a request's audit trail has no WCAG 2.1 AA violations`, async ({ page, browser }) => {
        await aRequestUrl(browser); // the register is not empty
        await page.goto("/audit?seed=a11y&n=3");
        await page.getByRole("table", { name: "Sampled requests" }).locator("tbody a").first().click();
        await expect(page).toHaveURL(/\/audit\/requests\/[^/]+$/);
        await expectNoViolations(page, `/audit/requests/<id> as ${role}`);
      });
    }

    if (allowed(role, "/subjects")) {
      test(`[A11Y]: ${role} subject search results have no WCAG 2.1 AA violations`, async ({ page }) => {
        const bound = subjects.find((x) => x.threepids.some((t) => t.medium === "email" && t.state === "bound"))!;
        const email = bound.threepids.find((t) => t.medium === "email" && t.state === "bound")!.address;
        await page.goto("/subjects");
        await page.getByLabel("Search by").selectOption("email");
        await page.getByLabel("Identifier").fill(email);
        await page.getByRole("button", { name: "Search", exact: true }).click();
        await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });
        await expectNoViolations(page, `/subjects (results) as ${role}`);
      });
    }

    const denied = staticPages.find((r) => !allowed(role, r));
    if (denied) {
      test(`[A11Y]: ${role} the "Not allowed" page has no WCAG 2.1 AA violations`, async ({ page }) => {
        const response = await page.goto(denied);
        expect(response?.status()).toBe(403);
        await expectNoViolations(page, `${denied} (403) as ${role}`);
      });
    }
  });
}

test.describe("[A11Y]: signed in, errors", () => {
  test.use({ storageState: statePath("dpo") });

  test("[A11Y]: the not-found page has no WCAG 2.1 AA violations", async ({ page }) => {
    const response = await page.goto("/requests/does-not-exist");
    expect(response?.status()).toBe(404);
    await expectNoViolations(page, "/requests/does-not-exist (404)");
  });
});

test.describe("[A11Y]: anonymous", () => {
  test("[A11Y]: the sign-in page has no WCAG 2.1 AA violations", async ({ page }) => {
    await page.goto("/login");
    await expectNoViolations(page, "/login");
  });

  test("[A11Y]: the enrolment page with an invalid token has no WCAG 2.1 AA violations", async ({ page }) => {
    await page.goto("/enrol?token=not-a-real-token");
    await expect(page.getByRole("alert").filter({ hasText: "invalid" })).toBeVisible();
    await expectNoViolations(page, "/enrol?token=<invalid>");
  });

  test("[A11Y]: the sign-in form works with the keyboard alone", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByLabel("E-mail")).toBeFocused();
    await page.keyboard.type("nobody@e2e.test");
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Password")).toBeFocused();
    await page.keyboard.type("not-a-password");
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Authentication code")).toBeFocused();
    await page.keyboard.type("000000");
    await page.keyboard.press("Tab");
    const submit = page.getByRole("button", { name: "Sign in" });
    await expect(submit).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "Incorrect e-mail, password or authentication code." })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });
});

/** Presses Tab until `target` has focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

test.describe("[A11Y]: keyboard in the console", () => {
  test.use({ storageState: statePath("dpo") });

  test("[A11Y]: 'Skip to content' is the first Tab stop and moves focus to main", async ({ page }) => {
    await page.goto("/requests");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page.locator("main#main")).toBeFocused();
    // The next Tab stop is inside main, not back in the sidebar.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("main"))).toBe(true);
  });

  test("[A11Y]: the data table's sort headers and pager work with the keyboard", async ({ page }) => {
    await page.goto("/access-log?pageSize=10");
    const table = page.getByRole("table", { name: /access log/i });
    await expect(table).toBeVisible();
    const status = page.getByRole("status").filter({ hasText: /^Showing|^No results/ });
    await expect(status).toHaveText(/Showing 1–10 of \d+/);

    const seqHeader = table.getByRole("columnheader", { name: /Seq/ });
    await tabTo(page, seqHeader.getByRole("button"));
    const before = await seqHeader.getAttribute("aria-sort");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/[?&]sort=seq/);
    await expect(seqHeader).not.toHaveAttribute("aria-sort", before ?? "none");
    await expect(seqHeader).toHaveAttribute("aria-sort", /ascending|descending/);
    const sortedAs = await seqHeader.getAttribute("aria-sort");
    await expect(seqHeader.getByRole("button")).toBeFocused();
    await page.keyboard.press("Space");
    await expect(seqHeader).not.toHaveAttribute("aria-sort", sortedAs!);

    const pager = page.getByRole("navigation", { name: /pages/ });
    const next = pager.getByRole("button", { name: "Next" });
    await expect(next).toBeEnabled();
    await tabTo(page, next);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/[?&]page=2/);
    await expect(pager).toContainText("Page 2 of");
    const previous = pager.getByRole("button", { name: "Previous" });
    await expect(previous).toBeEnabled();
    await previous.focus();
    await page.keyboard.press("Enter");
    await expect(pager).toContainText("Page 1 of");

    const rows = pager.getByLabel("Rows per page");
    await rows.focus();
    await page.keyboard.press("ArrowDown");
    await expect(page).toHaveURL(/[?&]pageSize=25/);
  });
});
