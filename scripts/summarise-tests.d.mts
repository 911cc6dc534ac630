export function summarise(dir: string): { lines: string[]; passed: number; failed: number; skipped: number };
