import { describe, expect, it } from "vitest";
import { maskContact, maskEmail, maskName, maskPhone } from "@/lib/mask";

describe("masking helpers", () => {
  it("masks names word by word without revealing lengths", () => {
    expect(maskName("Alice Smith")).toBe("A•••• S••••");
    expect(maskName("  Bo   Li ")).toBe("B•••• L••••");
    expect(maskName("")).toBe("••••");
  });

  it("masks e-mail addresses", () => {
    expect(maskEmail("alice@example.org")).toBe("a•••@e••••.org");
    expect(maskEmail("x@mail.example.co.uk")).toBe("x•••@m••••.uk");
    expect(maskEmail("no-at-sign")).toBe("n••••");
  });

  it("masks phone numbers to the country code and the last two digits", () => {
    expect(maskPhone("+44 7700 900123")).toBe("+44••••••23");
    expect(maskPhone("12")).toBe("••••");
  });

  it("picks the mask from the shape of a contact detail", () => {
    expect(maskContact("alice@example.org")).toBe("a•••@e••••.org");
    expect(maskContact("+49 30 1234567")).toBe("+49••••••67");
    expect(maskContact("12 High Street, London")).toBe("1•••• H•••• S•••• L••••");
    for (const v of ["alice@example.org", "+49 30 1234567", "12 High Street, London"]) {
      expect(maskContact(v)).not.toContain(v.slice(1, 5));
    }
  });
});
