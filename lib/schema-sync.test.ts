import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectedPgSchema, schemaPaths } from "@/lib/schema-sync";

describe("console schemas", () => {
  it("the PostgreSQL schema holds exactly the SQLite schema's models", () => {
    expect(fs.readFileSync(schemaPaths().pg, "utf8")).toBe(expectedPgSchema());
  });

  it("both migration folders hold the same migrations", () => {
    const names = (dir: string) =>
      fs.readdirSync(path.join("prisma", dir, "migrations"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(names("console-pg")).toEqual(names("console"));
  });
});
