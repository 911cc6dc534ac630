import { describe, expect, it } from "vitest";
import {
  canTransition,
  CLOSED_STATES,
  closeTransitions,
  openTransitions,
  REQUEST_STATES,
  TRANSITIONS,
} from "@/lib/requests/states";

describe("request state transitions", () => {
  it("every state has an entry and every target is a known state", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...REQUEST_STATES].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const t of targets) expect(REQUEST_STATES).toContain(t);
  });

  it("closing states are terminal", () => {
    for (const s of CLOSED_STATES) {
      expect(TRANSITIONS[s]).toEqual([]);
      for (const t of REQUEST_STATES) expect(canTransition(s, t)).toBe(false);
    }
  });

  it("every open state can still be rejected or withdrawn, and nothing moves back to received", () => {
    for (const s of REQUEST_STATES.filter((x) => !(CLOSED_STATES as readonly string[]).includes(x))) {
      expect(canTransition(s, "rejected")).toBe(true);
      expect(canTransition(s, "withdrawn")).toBe(true);
      expect(canTransition(s, "received")).toBe(false);
      expect(canTransition(s, s)).toBe(false);
    }
  });

  it("follows the register's flow", () => {
    expect(canTransition("received", "identity_check")).toBe(true);
    expect(canTransition("identity_check", "in_progress")).toBe(true);
    expect(canTransition("in_progress", "awaiting_approval")).toBe(true);
    expect(canTransition("awaiting_approval", "completed")).toBe(true);
    expect(canTransition("received", "completed")).toBe(false);
    expect(canTransition("identity_check", "awaiting_approval")).toBe(false);
    expect(canTransition("bogus", "in_progress")).toBe(false);
  });

  it("splits the controls into open moves and closing moves", () => {
    expect(openTransitions("in_progress")).toEqual(["identity_check", "clarification", "awaiting_approval"]);
    expect(closeTransitions("in_progress")).toEqual(["completed", "rejected", "withdrawn"]);
    expect(closeTransitions("received")).toEqual(["rejected", "withdrawn"]);
    expect(openTransitions("completed")).toEqual([]);
  });
});
