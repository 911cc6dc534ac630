import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret } from "@/lib/keys";
import { verifyThroughSydent } from "@/lib/erasure/verify-sydent";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { useTestConsoleDb } from "@/lib/test/console-db";

// How Custodian reads Sydent's answers (the HTTP side of verification): batching, attribution to
// each subject, and that anything but a clean 2xx answer fails. The answers come from a small
// local HTTP server speaking Sydent's documented JSON, so codes Sydent only gives when broken (500,
// a hang) can be produced on demand; the live suite (verify-sydent.live.test.ts) asks real Sydent.

useTestConsoleDb(); // for CUSTODIAN_MASTER_KEY (the token is stored encrypted)
const PEPPER = "pEpR5";
const bound = new Set(["email:still@example.org", "msisdn:447700900123"]);
let mode: "ok" | "v2-500" | "bulk-hang" = "ok";
const seen: { path: string; auth?: string; body?: unknown }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://x");
      const body = raw ? JSON.parse(raw) : undefined;
      seen.push({ path: url.pathname, auth: req.headers.authorization, body });
      const send = (status: number, obj: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(obj));
      if (url.pathname.endsWith("/v1/lookup")) {
        const k = `${url.searchParams.get("medium")}:${url.searchParams.get("address")}`;
        return send(200, bound.has(k) ? { mxid: "@x:hs", medium: "email", address: "a" } : {});
      }
      if (url.pathname.endsWith("/bulk_lookup")) {
        if (mode === "bulk-hang") return; // never answers
        return send(200, { threepids: (body.threepids as [string, string][]).filter(([m, a]) => bound.has(`${m}:${a}`)).map(([m, a]) => [m, a, "@x:hs"]) });
      }
      if (req.headers.authorization !== "Bearer tok-123") return send(401, { errcode: "M_UNAUTHORIZED" });
      if (url.pathname.endsWith("/hash_details")) return send(200, { lookup_pepper: PEPPER, algorithms: ["none", "sha256"] });
      if (url.pathname.endsWith("/v2/lookup")) {
        if (mode === "v2-500") return send(500, { errcode: "M_UNKNOWN", error: "Internal server error" });
        const hashes = new Set([...bound].map((k) => lookupHash(k.split(":")[0] as "email", k.slice(k.indexOf(":") + 1), PEPPER)));
        return send(200, { mappings: Object.fromEntries((body.addresses as string[]).filter((h) => hashes.has(h)).map((h) => [h, "@x:hs"])) });
      }
      send(404, { errcode: "M_UNRECOGNIZED" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const subj = (emails: string[], msisdns: string[] = []) => ({ emails, msisdns, mxids: [], sids: [] });
const target = () => ({ label: "is1", clientApiUrl: base, sydentTokenEnc: encryptSecret("tok-123", "sydent-token-v1") });

describe("verifyThroughSydent", () => {
  it("batches bulk and v2 lookups over many subjects and attributes each answer to its subject", async () => {
    mode = "ok";
    seen.length = 0;
    const list = [subj(["gone@example.org"]), subj(["STILL@example.org"], ["447700900123"]), subj([], ["15550001111"])];
    const r = await verifyThroughSydent(target(), list, { chunk: 2 });
    expect(r.map((x) => x.ok)).toEqual([true, false, true]);
    expect(r[0].answers.map((a) => [a.check, a.statuses, a.found, a.asked])).toEqual([
      ["v1", [200], 0, 1], ["bulk", [200], 0, 1], ["hash_details", [200], 0, 0], ["v2", [200], 0, 1],
    ]);
    // The v1 lookup asks with the address as given; bulk and v2 with Sydent's casefolded form match.
    expect(r[1].answers.find((a) => a.check === "v2")).toMatchObject({ found: 2, asked: 2 });
    expect(r[1].answers.find((a) => a.check === "bulk")).toMatchObject({ found: 1, asked: 2 });
    expect(r[1].problems.join(" ")).toMatch(/v2: Sydent still answers for 2 of 2/);
    // 4 3PIDs, chunks of 2: two bulk and two v2 requests, one hash_details, one v1 GET per 3PID.
    const count = (p: string) => seen.filter((x) => x.path.endsWith(p)).length;
    expect([count("/bulk_lookup"), count("/v2/lookup"), count("/hash_details"), count("/v1/lookup")]).toEqual([2, 2, 1, 4]);
    expect(seen.filter((x) => x.path.startsWith("/_matrix/identity/v2")).every((x) => x.auth === "Bearer tok-123")).toBe(true);
    // Nothing personal in what is stored.
    expect(JSON.stringify(r)).not.toMatch(/example\.org|447700900123|tok-123/);
  });

  it("an HTTP 500 fails the check for every subject the request covered, with the code recorded", async () => {
    mode = "v2-500";
    const r = await verifyThroughSydent(target(), [subj(["gone@example.org"]), subj(["other@example.org"])]);
    for (const x of r) {
      expect(x.ok).toBe(false);
      expect(x.answers.find((a) => a.check === "v2")).toMatchObject({ statuses: [500], errors: ["HTTP 500 M_UNKNOWN"], found: 0 });
      expect(x.problems).toEqual(["v2: HTTP 500 M_UNKNOWN"]);
    }
  });

  it("no answer within the timeout fails (status null), and a refused token fails", async () => {
    mode = "bulk-hang";
    const r = await verifyThroughSydent(target(), [subj(["gone@example.org"])], { timeoutMs: 300 });
    expect(r[0].ok).toBe(false);
    expect(r[0].answers.find((a) => a.check === "bulk")).toMatchObject({ statuses: [null], errors: ["timeout"] });
    mode = "ok";
    const bad = await verifyThroughSydent({ ...target(), sydentTokenEnc: encryptSecret("wrong", "sydent-token-v1") }, [subj(["gone@example.org"])]);
    expect(bad[0].ok).toBe(false);
    expect(bad[0].problems).toEqual(["hash_details: HTTP 401 M_UNAUTHORIZED"]);
  });

  it("without a v2 token, v2 is reported as not asked (not as a pass of v2)", async () => {
    mode = "ok";
    const r = await verifyThroughSydent({ label: "is1", clientApiUrl: base, sydentTokenEnc: null }, [subj(["gone@example.org"])]);
    expect(r[0]).toMatchObject({ ok: true, v2: "no_token" });
    expect(r[0].answers.map((a) => a.check)).toEqual(["v1", "bulk"]);
  });
});
