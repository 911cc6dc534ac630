import { expect, test } from "@playwright/test";
import { can, ROUTE_RULES, type Role } from "@/lib/authz";
import { NAV_ITEMS } from "@/lib/navigation";
import { statePath } from "../fixtures/roles";

// Role-restricted navigation, checked over HTTP against the running server: each role sees only
// its links, and every static page answers 200 to the roles the permission table allows and
// 403 to the others.

const ROLES: Role[] = ["admin", "dpo", "support", "auditor"];
const staticPages = Object.entries(ROUTE_RULES).filter(
  ([route, rule]) => !route.includes("[") && !route.startsWith("/api/") && rule !== "public",
);

for (const role of ROLES) {
  test.describe(`[NAV]: ${role}`, () => {
    test.use({ storageState: statePath(role) });

    test(`[NAV]: ${role} sees only the links its role allows`, async ({ page }) => {
      await page.goto("/");
      const nav = page.getByRole("navigation", { name: "Main" });
      for (const item of NAV_ITEMS) {
        const link = nav.getByRole("link", { name: item.label, exact: true });
        if (can(role, item.permission)) await expect(link).toBeVisible();
        else await expect(link).toHaveCount(0);
      }
    });

    test(`[NAV]: ${role} is refused with 403 where the permission table says so`, async ({ page }) => {
      for (const [route, rule] of staticPages) {
        const allowed = rule === "signed-in" || can(role, rule as never);
        const response = await page.goto(route);
        expect(response?.status(), `${role} ${route}`).toBe(allowed ? 200 : 403);
        if (!allowed) await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
      }
    });
  });
}
