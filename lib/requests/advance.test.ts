import { describe, expect, it } from "vitest";
import { advancedState } from "@/lib/requests/advance";
import { REQUEST_STATES, canTransition } from "@/lib/requests/states";

// The automatic moves of a request's state: only forward from open states, and only along
// transitions the register allows anyway.

describe("advancedState", () => {
  it("moves preparation to awaiting approval and approval back to in progress", () => {
    expect(advancedState("received", "erasure.prepared")).toBe("awaiting_approval");
    expect(advancedState("in_progress", "package.generated")).toBe("awaiting_approval");
    expect(advancedState("awaiting_approval", "package.approved")).toBe("in_progress");
    expect(advancedState("awaiting_approval", "erasure.approved")).toBe("in_progress");
  });

  it("never leaves a closed state and never repeats a move", () => {
    for (const s of ["completed", "rejected", "withdrawn"]) {
      for (const c of ["erasure.prepared", "erasure.approved", "package.generated", "package.approved"] as const) expect(advancedState(s, c)).toBeNull();
    }
    expect(advancedState("awaiting_approval", "erasure.prepared")).toBeNull();
    expect(advancedState("in_progress", "package.approved")).toBeNull();
    // Identity not yet checked: the request stays in its identity check.
    expect(advancedState("identity_check", "erasure.prepared")).toBeNull();
  });

  it("every automatic move from an open state other than received is one the register allows by hand", () => {
    for (const s of REQUEST_STATES) {
      for (const c of ["erasure.prepared", "erasure.approved", "package.generated", "package.approved"] as const) {
        const to = advancedState(s, c);
        if (to && s !== "received") expect(canTransition(s, to), `${s} -> ${to}`).toBe(true);
      }
    }
  });
});
