import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { consoleDbTestFiles, unitTestFiles, usesConsoleDb } from "@/lib/test/projects.mjs";

// The PostgreSQL pass runs only the "db" project (vitest.config.ts). That is right only while the
// console-database helper is the one way a test reaches the console database and TEST_POSTGRES_URL.

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" || e.name === "fixtures" ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe("vitest projects: pure tests run once, console-database tests on both databases", () => {
  it("recognises the console-database helper's import and nothing else", () => {
    expect(usesConsoleDb(`import { useTestConsoleDb } from "@/lib/test/console-db";`)).toBe(true);
    expect(usesConsoleDb(`import { x } from '@/lib/test/console-db'`)).toBe(true);
    expect(usesConsoleDb(`import { x } from "@/lib/test/console-dbx";`)).toBe(false);
    expect(usesConsoleDb(`// uses lib/test/console-db.ts`)).toBe(false);
  });

  it("only lib/test/console-db.ts reads TEST_POSTGRES_URL", () => {
    const readers = sources("lib").filter((f) => /process\.env(\.TEST_POSTGRES_URL|\[["']TEST_POSTGRES_URL)/.test(fs.readFileSync(f, "utf8")));
    expect(readers).toEqual(["lib/test/console-db.ts"]);
  });

  it("no pure test file imports the console database client", () => {
    const db = new Set(consoleDbTestFiles());
    const pureWithDb = unitTestFiles().filter((f) => !db.has(f) && /from\s+["']@\/lib\/db["']/.test(fs.readFileSync(f, "utf8")));
    expect(pureWithDb).toEqual([]);
  });

  it("splits the real test files into two non-empty groups", () => {
    const all = unitTestFiles();
    const db = consoleDbTestFiles();
    expect(db.length).toBeGreaterThan(0);
    expect(db.length).toBeLessThan(all.length);
    expect(db).toContain("lib/requests/queries.test.ts");
    expect(all).toContain("lib/mask.test.ts");
    expect(db).not.toContain("lib/mask.test.ts");
  });
});
