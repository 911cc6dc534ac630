// Tests only: values that a serialiser has to get exactly right (lib/audit/chain.test.ts,
// lib/audit/verify-chunk.test.ts).

// Every code point but the surrogates, in strings of 2000 (the JSON escaping of each is JSON.stringify's).
export const ALL_CODE_POINTS: string[] = (() => {
  const cps: number[] = [];
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += 2000) out.push(String.fromCodePoint(...cps.slice(i, i + 2000)));
  return out;
})();

export const TRICKY_STRINGS = [
  "", " ", '"', "\\", '\\"', "'", "\u0000", "\u0001\u001f\u007f", "\b\f\n\r\t\v", "\u2028\u2029", "Zoë", "日本語", "😀👍🏽", "\ud83d", "\ude00x",
  '{"rows":5,"nested":{"list":[1,"two",null,{"q":"\\"quoted\\""}]},"path":"C:\\\\x"}', "</script>", "a".repeat(5000), "null", "[1,2]",
];
