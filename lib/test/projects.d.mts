export function usesConsoleDb(source: string): boolean;
export function unitTestFiles(dir?: string): string[];
export function consoleDbTestFiles(dir?: string): string[];
