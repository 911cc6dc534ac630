import { describe, expect, it } from "vitest";
import { erasureOffer } from "@/lib/requests/erasure-offer";

const reasons = ["own_request", "account_deactivated", "under_16"] as const;
const base = { requestType: "erasure", open: true, canRequest: true, subjects: 1, jobs: [], reasons };

describe("erasureOffer", () => {
  it("offers every reason on an erasure request with a linked person", () => {
    expect(erasureOffer(base)).toEqual({ kind: "erasure_request", reasons });
  });

  it("never offers the rectification reason on an erasure request, and only it on a rectification request", () => {
    const all = [...reasons, "rectification"] as const;
    expect(erasureOffer({ ...base, reasons: all })).toEqual({ kind: "erasure_request", reasons });
    expect(erasureOffer({ ...base, requestType: "rectification", reasons: all })).toEqual({ kind: "erasure_request", reasons: ["rectification"] });
  });

  it("offers only the under-16 erasure on an access request, never the full form", () => {
    expect(erasureOffer({ ...base, requestType: "access" })).toEqual({ kind: "under_16_only", reasons: ["under_16"] });
  });

  it("offers nothing again while an erasure of the request exists (awaiting approval, running, done); again after a cancelled one", () => {
    expect(erasureOffer({ ...base, jobs: [{ id: "j1", state: "awaiting_approval" }] })).toEqual({ kind: "blocked", jobId: "j1", state: "awaiting_approval" });
    expect(erasureOffer({ ...base, jobs: [{ id: "j1", state: "running" }] }).kind).toBe("blocked");
    expect(erasureOffer({ ...base, jobs: [{ id: "j1", state: "completed" }] }).kind).toBe("blocked");
    expect(erasureOffer({ ...base, jobs: [{ id: "j1", state: "cancelled" }] }).kind).toBe("erasure_request");
  });

  it("offers nothing on a closed request, without the permission or without a linked person", () => {
    expect(erasureOffer({ ...base, open: false })).toEqual({ kind: "none", reason: "closed" });
    expect(erasureOffer({ ...base, canRequest: false })).toEqual({ kind: "none", reason: "no_permission" });
    expect(erasureOffer({ ...base, subjects: 0 })).toEqual({ kind: "none", reason: "no_subject" });
  });
});
