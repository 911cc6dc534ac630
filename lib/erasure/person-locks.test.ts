import { describe, expect, it } from "vitest";
import { PersonLocks, personKeys } from "@/lib/erasure/person-locks";
import type { ErasurePlan } from "@/lib/erasure/plan";

// A bulk page runs a few jobs at once; two jobs sharing a person must never write at the same
// time, and jobs with crossing sets of people must not deadlock.

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("PersonLocks", () => {
  it("a job sharing a person with a running job waits for it; unrelated jobs run at once", async () => {
    const locks = new PersonLocks();
    const order: string[] = [];
    const job = async (name: string, keys: string[]) => {
      const release = await locks.acquire(keys);
      order.push(`${name} start`);
      await tick();
      order.push(`${name} end`);
      release();
    };
    await Promise.all([job("A", ["mxid:@anna:x", "email:anna@x.org"]), job("B", ["email:anna@x.org"]), job("C", ["mxid:@carl:x"])]);
    // C never waited for A; B started only after A ended.
    expect(order.indexOf("C start")).toBeLessThan(order.indexOf("A end"));
    expect(order.indexOf("B start")).toBeGreaterThan(order.indexOf("A end"));
    expect(locks.size).toBe(0);
  });

  it("crossing sets of people cannot deadlock: every key is taken at once or none", async () => {
    const locks = new PersonLocks();
    const done: string[] = [];
    const job = async (name: string, keys: string[]) => {
      const release = await locks.acquire(keys);
      await tick();
      done.push(name);
      release();
    };
    await Promise.all([job("AB", ["a", "b"]), job("BA", ["b", "a"]), job("BC", ["b", "c"]), job("CA", ["c", "a"])]);
    expect(done.sort()).toEqual(["AB", "BA", "BC", "CA"]);
  });

  it("releasing twice frees the keys once", async () => {
    const locks = new PersonLocks();
    const r = await locks.acquire(["a"]);
    r();
    r();
    const again = await locks.acquire(["a"]);
    expect(locks.size).toBe(1);
    again();
  });
});

describe("personKeys", () => {
  it("holds the subject's identifiers, normalised, and every person whose row embeds the subject", () => {
    const plan = { servers: [{ embedding: [{ medium: "email", address: "Bob@Example.org", mxid: "@bob:example.org" }] }] } as unknown as ErasurePlan;
    const keys = personKeys({ emails: ["Anna@Example.org"], msisdns: ["447700900123"], mxids: ["@anna:example.org"] }, plan);
    expect(keys).toEqual(expect.arrayContaining(["email:anna@example.org", "msisdn:447700900123", "mxid:@anna:example.org", "email:bob@example.org", "mxid:@bob:example.org"]));
    expect(keys).toHaveLength(5);
  });
});
