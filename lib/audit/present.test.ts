import { describe, expect, it } from "vitest";
import { logTime, purposeDisplay } from "@/lib/audit/present";

describe("access-log presentation", () => {
  it("shows a reveal purpose by its label with the note, other text as it is", () => {
    expect(purposeDisplay("complaint_investigation: checking what the complaint is about")).toEqual({ label: "Investigating a complaint", note: "checking what the complaint is about" });
    expect(purposeDisplay("security_incident")).toEqual({ label: "Security incident or breach assessment", note: null });
    expect(purposeDisplay("Extension: the request is complex")).toEqual({ label: null, note: "Extension: the request is complex" });
    expect(purposeDisplay(null)).toEqual({ label: null, note: null });
  });

  it("puts a time on one line, to the second", () => {
    expect(logTime("2026-12-04T21:03:53.123Z")).toBe("2026-12-04 21:03:53");
  });
});
