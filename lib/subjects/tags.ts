// A short distinguishing tag for an identifier, from its pseudonym (issue 8): two accounts that
// mask alike ("@a••••:example.org") are told apart on screen without revealing either. Shared by
// the candidates list (lib/subjects/candidates.ts) and the request page's subjects.

/** "#3f9a": the first four hex characters of the pseudonym. */
export function distinguishingTagOfPseudonym(pseudonym: string): string {
  return `#${pseudonym.slice(0, 4)}`;
}
