import { expect, test } from "@playwright/test";
import { statePath } from "../fixtures/roles";

// The request register end to end: intake, the Art. 12(3) clock, state changes, extension,
// closing, the access-log history, and masking for auditors.

test.describe("[REQUESTS]: as the DPO", () => {
  test.use({ storageState: statePath("dpo") });

  test("[REQUESTS]: intake refuses missing fields and a future date", async ({ page }) => {
    await page.goto("/requests/new");
    await page.getByLabel("Received on").fill("2999-01-01");
    await page.getByRole("button", { name: "Register request" }).click();
    const name = page.getByLabel("Requester's name");
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Enter the requester's name.")).toBeVisible();
    await expect(page.getByText("The received date cannot be in the future.")).toBeVisible();
  });

  test("[REQUESTS]: take in, work and close a request; the history comes from the access log", async ({ page }) => {
    await page.goto("/requests/new");
    await page.getByLabel("Type of request").selectOption("erasure");
    await page.getByLabel("Requester's name").fill("Erin Example");
    await page.getByLabel("Contact (e-mail, phone or postal address)").fill("erin@example.org");
    await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("Received on").fill(today);
    await page.getByLabel("Summary").fill("Please remove my e-mail binding.");
    await page.getByRole("button", { name: "Register request" }).click();

    await expect(page).toHaveURL(/\/requests\/[a-z0-9]+$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(/REQ-\d{4}-\d{4}/);
    await expect(page.getByText("Erin Example")).toBeVisible();
    await expect(page.getByText("Not extended.")).toBeVisible();

    await page.getByLabel("New state").selectOption("in_progress");
    await page.getByRole("button", { name: "Change state" }).click();
    await expect(page.getByText("State changed.")).toBeVisible();

    await page.getByLabel("Reason for the extension").fill("too short");
    await page.getByRole("button", { name: "Extend by two months" }).click();
    await expect(page.getByText(/at least 20 characters; it is shown/)).toBeVisible();
    await page.getByLabel("Reason for the extension").fill("Both replicated identity servers must be searched.");
    await page.getByRole("button", { name: "Extend by two months" }).click();
    await expect(page.getByText("Extended by two further months")).toBeVisible();

    await page.getByLabel("Closed as").selectOption("completed");
    await page.getByLabel("Outcome").fill("Binding erased on both servers; receipt sent.");
    await page.getByRole("button", { name: "Close request" }).click();
    await expect(page.getByText("Binding erased on both servers; receipt sent.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Work on this request" })).toHaveCount(0);

    const history = page.locator("ol.timeline");
    for (const label of ["Registered", "Viewed", "State changed", "Deadline extended", "Closed"]) {
      await expect(history.getByText(label, { exact: true }).first()).toBeVisible();
    }

    await page.goto("/requests?state=completed&type=erasure");
    await expect(page.getByRole("table", { name: "Requests" }).getByText("Erin Example")).toBeVisible();
  });

  test("[REQUESTS]: a malformed URL falls back to the defaults", async ({ page }) => {
    await page.goto("/requests?page=-4&pageSize=9999&sort=nope&dir=sideways&overdue=maybe&type=x");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Request register");
    await expect(page.getByRole("table", { name: "Requests" })).toBeVisible();
  });

  test("[REQUESTS]: an unknown id is a 404", async ({ page }) => {
    const res = await page.goto("/requests/does-not-exist");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Request not found" })).toBeVisible();
  });
});

test.describe("[REQUESTS]: as the auditor", () => {
  test.use({ storageState: statePath("auditor") });

  test("[REQUESTS]: requesters are masked, nothing can be changed, intake is forbidden", async ({ page }) => {
    await page.goto("/requests?type=erasure");
    const table = page.getByRole("table", { name: "Requests" });
    await expect(table.getByText("E•••• E••••").first()).toBeVisible();
    expect(await page.content()).not.toContain("Erin Example");
    await table.getByRole("link").first().click();
    await expect(page.getByText("Personal data is masked for your role")).toBeVisible();
    const html = await page.content();
    expect(html).not.toContain("erin@example.org");
    expect(html).not.toContain("Erin Example");
    await expect(page.getByRole("button", { name: "Change state" })).toHaveCount(0);
    const res = await page.goto("/requests/new");
    expect(res?.status()).toBe(403);
  });
});
