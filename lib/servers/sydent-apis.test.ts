import fs from "node:fs";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { isPrivateOrLoopback } from "@/lib/servers/api-urls";
import { updateServerPaths } from "@/lib/servers/manage";
import { getServerByLabel } from "@/lib/servers/queries";
import { registerServer } from "@/lib/servers/register";
import { setSydentMode } from "@/lib/servers/sydent-mode";
import { isSydentProcess, proveStopped } from "@/lib/servers/sydent-state";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Registration of Sydent's client and internal API URLs (the internal API has no authentication:
// loopback or private addresses only) and declaring a server's Sydent live or stopped.

useTestConsoleDb();
const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});
const admin = { id: null, label: "cli:admin@test", role: "admin" };
const file = copyFixture("is1", dir);
const base = { label: "is1", serverName: truth.instances.is1.server_name, dbPath: file };
/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
const lastEntry = async (action: string) => db().accessLogEntry.findFirst({ where: { action }, orderBy: { seq: "desc" } });

describe("Sydent API URLs at registration", () => {
  it("tells private and loopback addresses from public ones", () => {
    for (const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.9", "172.31.255.1", "192.168.1.1", "::1", "fd00::5", "fe80::1", "::ffff:10.0.0.1"]) expect(isPrivateOrLoopback(ip), ip).toBe(true);
    for (const ip of ["8.8.8.8", "172.32.0.1", "193.168.1.1", "2001:4860::8888", "::ffff:8.8.8.8", "11.0.0.1"]) expect(isPrivateOrLoopback(ip), ip).toBe(false);
  });

  it("refuses an internal API on a public address with a clear error, registering nothing", async () => {
    const r = await registerServer(admin, { ...base, internalApiUrl: "http://8.8.8.8:8091" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors?.internalApiUrl?.[0]).toMatch(/8\.8\.8\.8.*public address.*loopback or a private address/);
    expect(await getServerByLabel("is1")).toBeNull();
    expect(await lastEntry("server.register")).toMatchObject({ outcome: "invalid" });
  });

  it("refuses URLs that are not plain http(s) base URLs", async () => {
    for (const [url, msg] of [["ftp://127.0.0.1/", /http:\/\/ or https:\/\//], ["http://user:pw@127.0.0.1:8091", /user name or password/], ["http://127.0.0.1:8091/?x=1", /query or fragment/], ["not a url", /as a URL/]] as const) {
      const r = await registerServer(admin, { ...base, clientApiUrl: url });
      expect(r.ok, url).toBe(false);
      if (!r.ok) expect(r.fieldErrors?.clientApiUrl?.join(" "), url).toMatch(msg);
    }
    expect(await getServerByLabel("is1")).toBeNull();
  });

  it("registers loopback and private URLs (trailing slash removed); a change to a public one is refused, nothing changed", async () => {
    const r = await registerServer(admin, { ...base, clientApiUrl: "http://127.0.0.1:8090/", internalApiUrl: "http://[::1]:8091" });
    expect(r).toMatchObject({ ok: true });
    const s = (await getServerByLabel("is1"))!;
    expect(s).toMatchObject({ clientApiUrl: "http://127.0.0.1:8090", internalApiUrl: "http://[::1]:8091", sydentMode: "live" });
    const bad = await updateServerPaths(admin, { id: s.id, dbPath: file, internalApiUrl: "https://1.1.1.1" });
    expect(bad.ok).toBe(false);
    expect((await getServerByLabel("is1"))!.internalApiUrl).toBe("http://[::1]:8091");
    expect(await updateServerPaths(admin, { id: s.id, dbPath: file, clientApiUrl: "http://127.0.0.1:8090", internalApiUrl: "http://10.0.0.7:8091" })).toMatchObject({ ok: true });
    expect((await getServerByLabel("is1"))!.internalApiUrl).toBe("http://10.0.0.7:8091");
  });
});

describe("declaring Sydent stopped or live", () => {
  it("proves a file no Sydent serves is stopped, records who/when/why, and logs it", async () => {
    const s = (await getServerByLabel("is1"))!;
    // The registered URLs point at closed loopback ports: they refuse, which is part of the proof.
    const urls = { clientApiUrl: `http://127.0.0.1:${await closedPort()}`, internalApiUrl: `http://127.0.0.1:${await closedPort()}` };
    await db().identityServer.update({ where: { id: s.id }, data: urls });
    const proof = await proveStopped({ ...s, ...urls });
    expect(proof).toMatchObject({ stopped: true });
    expect(await setSydentMode(admin, { id: s.id, mode: "stopped", note: "restored from backup 2026-12-01" })).toMatchObject({ ok: true });
    expect(await getServerByLabel("is1")).toMatchObject({ sydentMode: "stopped", sydentModeBy: admin.label, sydentModeNote: "restored from backup 2026-12-01" });
    expect(await lastEntry("server.mode")).toMatchObject({ outcome: "ok", targetRef: s.id });
    expect(await setSydentMode(admin, { id: s.id, mode: "live", note: "Sydent back" })).toMatchObject({ ok: true });
  });

  it("is not proven while a journal sits beside the file, and needs a reason and a known mode", async () => {
    const s = (await getServerByLabel("is1"))!;
    fs.writeFileSync(`${file}-journal`, "x");
    const r = await setSydentMode(admin, { id: s.id, mode: "stopped", note: "window" });
    fs.rmSync(`${file}-journal`);
    expect(r.ok ? "" : r.message).toMatch(/journal exists beside the database/);
    expect((await getServerByLabel("is1"))!.sydentMode).toBe("live");
    const bad = await setSydentMode(admin, { id: s.id, mode: "paused", note: "" });
    expect(bad.ok ? {} : bad.fieldErrors).toMatchObject({ mode: [expect.stringMatching(/live .* or stopped/)], note: [expect.stringMatching(/Say why/)] });
  });

  it("recognises Sydent's process by Python or its module, not by a path that merely contains 'sydent'", () => {
    expect(isSydentProcess("python3", "/usr/bin/python3 -m sydent.sydent --sydent-live=/x/is1")).toBe(true);
    expect(isSydentProcess("sydent", "python -m sydent.sydent")).toBe(true);
    expect(isSydentProcess("node", "node /work/wt/sydent-writes/node_modules/vitest/dist/workers/forks.js")).toBe(false);
  });
});
