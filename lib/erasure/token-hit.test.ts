import { describe, expect, it } from "vitest";
import { tokenHit } from "@/lib/erasure/token-hit";

describe("tokenHit: the subject's identifier as a whole token in a signed association's text", () => {
  it("finds it where Sydent writes it: a JSON string value, an escaped one, inside a display text", () => {
    expect(tokenHit('{"address": "ana.khan@mail.example", "medium": "email"}', "ana.khan@mail.example")).toBe(true);
    expect(tokenHit('{"sender": "@ana:hs.example"}', "@ana:hs.example")).toBe(true);
    expect(tokenHit('"display": "Ana <ana.khan@mail.example>, room"', "ana.khan@mail.example")).toBe(true);
    expect(tokenHit('"note": "write to ana.khan@mail.example."', "ana.khan@mail.example")).toBe(true);
    expect(tokenHit('{"address": "447700900123"}', "447700900123")).toBe(true);
    expect(tokenHit('{"phone": "+447700900123"}', "447700900123")).toBe(true);
  });

  it("does not count another person's longer identifier that contains it", () => {
    expect(tokenHit('{"address": "hana.khan@mail.example"}', "ana.khan@mail.example")).toBe(false);
    expect(tokenHit('{"address": "x.ana.khan@mail.example"}', "ana.khan@mail.example")).toBe(false);
    expect(tokenHit('{"address": "ana.khan@mail.example.org"}', "ana.khan@mail.example")).toBe(false);
    expect(tokenHit('{"address": "ana.khan@mail.examples"}', "ana.khan@mail.example")).toBe(false);
    expect(tokenHit('{"address": "4477009001234"}', "447700900123")).toBe(false);
    expect(tokenHit('{"address": "1447700900123"}', "447700900123")).toBe(false);
    expect(tokenHit('{"mxid": "@ana:hs.example.org"}', "@ana:hs.example")).toBe(false);
  });

  it("finds a whole occurrence after a partial one in the same text", () => {
    expect(tokenHit('{"a": "hana.khan@mail.example", "b": "ana.khan@mail.example"}', "ana.khan@mail.example")).toBe(true);
  });
});
