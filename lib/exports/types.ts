import type { SubjectFindings } from "@/lib/subjects/types";

// Shapes of the access and portability package (issue 3, section 3). The package is built in
// memory (lib/exports/build.ts), zipped (zip.ts), stored encrypted (store.ts) and released
// through the workflow (workflow.ts).

export const SCHEMA_VERSION = "custodian-subject-export/1";
export const PACKAGE_KINDS = ["access", "portability"] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export const PACKAGE_STATES = ["generated", "approved", "downloaded", "revoked", "expired"] as const;
export type PackageState = (typeof PACKAGE_STATES)[number];

/** One entry of the console's access log about this person: roles and purposes, never staff. */
export type AccessHistoryEntry = { at: Date; role: string; action: string; purpose: string | null; outcome: string; seq?: number; hash?: string };

export type BuildInput = {
  findings: SubjectFindings;
  request: { id: string; reference: string };
  kind: PackageKind;
  accessHistory: AccessHistoryEntry[];
  generatedAt: Date;
  /** Approved disclosures to third parties the person may be told of (privacy notice 3.4). */
  disclosures?: { reference: string; disclosedOn: string; recipient: string; legalBasis: string; whatShared: string }[];
  /** Active restrictions of processing (Art. 18): the package says so. */
  restrictions?: { ground: string; since: string }[];
  /** who-accessed-proofs.json (lib/audit/person-proofs.ts): matched to who-accessed.csv rows by seq. */
  accessProofs?: unknown;
};

/** One third-party or secret redaction, as shown to the reviewer (before is masked, never clear). */
export type Redaction = {
  rule: "inviter" | "invitee-address" | "embedded-records" | "log-third-party" | "log-secret";
  recordKind: string;
  where: string;
  before: string;
  after: string;
};

export type ExportFile = { name: string; bytes: Buffer; contentType: string };

/** What the console keeps about a package (ExportPackage.summary): counts, no personal data. */
export type PackageSummary = {
  schemaVersion: string;
  redactionPolicyVersion: string;
  counts: Record<string, number>;
  redactionCounts: Record<string, number>;
  files: { name: string; bytes: number; sha256: string }[];
  servers: { label: string; serverName: string; ok: boolean }[];
  logProblems: number;
  lastLogCopyExpiresAt: string | null;
  /** Disclosures to third parties listed in the package (older summaries lack it). */
  disclosures?: number;
  /** Processing of the person's data is restricted (Art. 18): the review page flags it. */
  restricted?: boolean;
};

export type BuiltPackage = {
  files: ExportFile[];
  redactions: Redaction[];
  summary: PackageSummary;
};
