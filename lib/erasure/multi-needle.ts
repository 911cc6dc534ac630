// Many-needle substring search (Aho-Corasick as a dense automaton) for batch verification: one
// pass over every signed association finds which of thousands of needles each contains, with the
// same answer as one `instr(haystack, needle) > 0` per needle. Characters are compared as UTF-16
// code units, exactly as given (lower-case both sides beforehand if needed).

export class MultiNeedle {
  private readonly cls = new Int32Array(128);
  private readonly wide = new Map<number, number>();
  private readonly classes: number;
  private readonly delta: Int32Array;
  /** For each state: needle indices ending here (own), and the next state with outputs (suffix link). */
  private readonly own: number[][];
  private readonly outLink: Int32Array;

  constructor(readonly needles: string[]) {
    let next = 1; // class 0 = a character no needle contains
    for (const n of needles) for (let i = 0; i < n.length; i++) {
      const c = n.charCodeAt(i);
      if (c < 128) { if (!this.cls[c]) this.cls[c] = next++; } else if (!this.wide.has(c)) this.wide.set(c, next++);
    }
    this.classes = next;
    const gotoMaps: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    needles.forEach((n, idx) => {
      if (!n.length) return;
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const k = this.classOf(n.charCodeAt(i));
        let t = gotoMaps[s].get(k);
        if (t === undefined) { t = gotoMaps.length; gotoMaps.push(new Map()); own.push([]); gotoMaps[s].set(k, t); }
        s = t;
      }
      own[s].push(idx);
    });
    const states = gotoMaps.length;
    const C = this.classes;
    const delta = new Int32Array(states * C);
    const fail = new Int32Array(states);
    const outLink = new Int32Array(states).fill(-1);
    const queue: number[] = [];
    for (let k = 0; k < C; k++) {
      const t = gotoMaps[0].get(k);
      delta[k] = t ?? 0;
      if (t !== undefined) queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      const f = fail[s];
      outLink[s] = own[f].length ? f : outLink[f];
      for (let k = 0; k < C; k++) {
        const t = gotoMaps[s].get(k);
        if (t === undefined) delta[s * C + k] = delta[f * C + k];
        else {
          delta[s * C + k] = t;
          fail[t] = delta[f * C + k];
          queue.push(t);
        }
      }
    }
    this.delta = delta;
    this.own = own;
    this.outLink = outLink;
  }

  private classOf(c: number): number {
    return c < 128 ? this.cls[c] : this.wide.get(c) ?? 0;
  }

  /** Indices of the needles found in text (each once). */
  find(text: string, into: Set<number> = new Set()): Set<number> {
    const { delta, classes: C, own, outLink, cls, wide } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = delta[s * C + (c < 128 ? cls[c] : wide.get(c) ?? 0)];
      if (own[s].length || outLink[s] >= 0) {
        for (let o = own[s].length ? s : outLink[s]; o >= 0; o = outLink[o]) for (const n of own[o]) into.add(n);
      }
    }
    return into;
  }
}
