import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_RULES, can, ROLES, ROUTE_RULES, type Permission, type Role } from "@/lib/authz";

// The full role x entry-point matrix. A new page, route handler or server action without a rule
// in lib/authz.ts fails here; so does a page whose guard names another permission than its rule,
// and so does any change to who may reach what (the expected matrix below is the specification).

const EXPECTED_ROUTE_ACCESS: Record<string, Role[] | "public"> = {
  "/login": "public",
  "/enrol": "public",
  "/api/auth/[...nextauth]": "public",
  "/api/health": "public",
  "/": ["admin", "dpo", "support", "auditor"],
  "/account": ["admin", "dpo", "support", "auditor"],
  "/servers": ["admin", "dpo", "support", "auditor"],
  "/servers/[id]": ["admin", "dpo", "support", "auditor"],
  "/admin/staff": ["admin"],
  "/admin/staff/new": ["admin"],
  "/admin/servers": ["admin"],
  "/access-log": ["dpo", "auditor"],
  "/access-log/[seq]": ["dpo", "auditor"],
  "/admin/audit": ["admin", "dpo", "auditor"],
  "/api/access-log/export": ["dpo", "auditor"],
  "/api/audit/tree": ["admin", "dpo", "auditor"],
  "/audit": ["dpo", "auditor"],
  "/audit/requests/[id]": ["dpo", "auditor"],
  "/api/audit/evidence": ["dpo", "auditor"],
  "/api/audit/sample": ["dpo", "auditor"],
  "/api/audit/requests/[id]/trail": ["dpo", "auditor"],
  "/requests": ["dpo", "support", "auditor"],
  "/requests/new": ["dpo", "support"],
  "/requests/[id]": ["dpo", "support", "auditor"],
  "/subjects": ["dpo", "support"],
  "/api/subjects/search": ["dpo", "support"],
  "/requests/[id]/packages/[packageId]": ["dpo"],
  "/api/exports/download/[token]": "public",
  "/erasures": ["dpo", "support", "auditor"],
  "/erasures/[id]": ["dpo", "support", "auditor"],
  "/erasures/bulk": ["dpo", "support"],
  "/erasures/bulk/[id]": ["dpo", "support"],
  "/api/erasures/[id]/receipt": ["dpo", "support", "auditor"],
  "/api/erasures/bulk/[id]/rejected": ["dpo", "support"],
  "/retention": ["admin", "dpo", "auditor"],
  "/retention/[source]": ["admin", "dpo", "auditor"],
  "/retention/attestations": ["dpo", "auditor"],
  "/retention/notices": ["admin", "dpo", "auditor"],
  "/api/retention/attestations/[id]": ["dpo", "auditor"],
  "/api/retention/files/[source]": ["admin", "dpo", "auditor"],
  "/complaints": ["dpo", "support"],
  "/complaints/new": ["dpo", "support"],
  "/complaints/[id]": ["dpo", "support"],
  "/disclosures": ["dpo", "auditor"],
  "/blocks": ["support"],
  "/blocks/status": ["admin", "support"],
  "/abuse": ["support"],
};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? walk(p) : [p];
  });
}

/** app/(console)/requests/[id]/page.tsx -> /requests/[id] */
function routeOf(file: string): string {
  const rel = path.relative("app", path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
  return "/" + rel.join("/");
}

const routeFiles = walk("app").filter((f) => /(^|\/)(page\.tsx|route\.ts)$/.test(f));
const actionFiles = walk("lib").filter((f) => f.endsWith("actions.ts"));

function allowedRoles(rule: Permission | "public" | "signed-in"): Role[] | "public" {
  if (rule === "public") return "public";
  if (rule === "signed-in") return [...ROLES];
  return ROLES.filter((r) => can(r, rule));
}

describe("permission matrix", () => {
  it("every page and route handler has a rule, and every rule a file", () => {
    const routes = routeFiles.map(routeOf).sort();
    expect(routes).toEqual(Object.keys(ROUTE_RULES).sort());
  });

  it("who may reach each route is exactly the expected matrix", () => {
    const actual = Object.fromEntries(Object.entries(ROUTE_RULES).map(([r, rule]) => [r, allowedRoles(rule)]));
    expect(actual).toEqual(EXPECTED_ROUTE_ACCESS);
  });

  it("each protected page or handler checks its rule's permission on the server first", () => {
    for (const file of routeFiles) {
      const rule = ROUTE_RULES[routeOf(file)];
      const src = fs.readFileSync(file, "utf8");
      if (rule === "public") continue;
      const guard = file.endsWith("route.ts") ? "requireApiOperator" : "requireOperator";
      expect(src, `${file} must call ${guard}("${rule}")`).toContain(`${guard}("${rule}")`);
    }
  });

  it("every exported server action has a rule and calls the guard with it", () => {
    const found: string[] = [];
    for (const file of actionFiles) {
      const src = fs.readFileSync(file, "utf8");
      if (!/^["']use server["']/m.test(src)) continue;
      const exports = [...src.matchAll(/export async function (\w+)\s*\(/g)].map((m) => m[1]);
      for (const name of exports) {
        const key = `${file}#${name}`;
        found.push(key);
        const rule = ACTION_RULES[key];
        expect(rule, `${key} has no rule in ACTION_RULES`).toBeDefined();
        const body = src.slice(src.indexOf(`export async function ${name}(`)).split(/\nexport /)[0];
        if (rule !== "public") {
          expect(body, `${key} must call requireOperator("${rule}")`).toMatch(new RegExp(`requireOperator\\("${rule}"(\\)|, \\{)`));
        }
      }
    }
    expect(found.sort()).toEqual(Object.keys(ACTION_RULES).sort());
  });

  it("retention policies and privacy-notice versions are changed by administrators only", () => {
    const who = (key: string) => allowedRoles(ACTION_RULES[key]);
    for (const name of ["proposePolicyAction", "approvePolicyAction", "proposeNoticeAction", "approveNoticeAction", "rejectNoticeAction"]) {
      expect(who(`lib/retention/actions.ts#${name}`), name).toEqual(["admin"]);
    }
  });

  it("separation of duties: nobody approves what they asked for", async () => {
    const { canApprove } = await import("@/lib/authz");
    expect(canApprove({ id: "a", role: "dpo" }, "requests.close", "a")).toBe(false);
    expect(canApprove({ id: "b", role: "dpo" }, "requests.close", "a")).toBe(true);
    expect(canApprove({ id: "b", role: "support" }, "requests.close", "a")).toBe(false);
  });
});
