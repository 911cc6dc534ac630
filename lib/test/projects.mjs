// Which vitest project a test file belongs to (vitest.config.ts). A file is a "db" test when it
// imports the console-database helper (lib/test/console-db.ts), the only code that reads
// TEST_POSTGRES_URL: such files run on SQLite and again on PostgreSQL. Every other file is "pure"
// and runs once. `*.live.test.ts` files need a running Sydent and belong to the live suite.
// Plain JavaScript so that vitest.config.ts can import it without a TypeScript loader.
import fs from "node:fs";
import path from "node:path";

/** @param {string} source */
export function usesConsoleDb(source) {
  return /from\s+["']@\/lib\/test\/console-db["']/.test(source);
}

/** Every `*.test.ts` under `dir` (posix paths relative to the cwd), live tests excluded. */
export function unitTestFiles(dir = "lib") {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" || e.name === "fixtures" ? [] : unitTestFiles(p);
    return e.name.endsWith(".test.ts") && !e.name.endsWith(".live.test.ts") ? [p] : [];
  });
}

export function consoleDbTestFiles(dir = "lib") {
  return unitTestFiles(dir).filter((f) => usesConsoleDb(fs.readFileSync(f, "utf8")));
}
