export function sha256Hex(text: string): string;
export function leafHashBin(entryHashHex: string): string;
export function nodeHashBin(left: string, right: string): string;
export const EMPTY_ROOT_BIN: string;
export function foldRootBin(hashes: readonly string[]): string;
export class FrontierBin {
  constructor(onComplete?: (level: number, index: number, hash: string) => void);
  levels: number[];
  hashes: string[];
  size: number;
  push(leaf: string): void;
  pushSubtree(level: number, hash: string): void;
  rootBin(): string;
}
