// Roles, permissions, route rules and separation of duties: the ONE place access is decided.
// Every page, server action and route handler names a permission from here and checks it on
// the server (lib/auth/guard.ts). lib/authz.test.ts enumerates every route file and every
// exported server action and asserts the full role x entry-point matrix.

export const ROLES = ["admin", "dpo", "support", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Administrator",
  dpo: "Data protection officer",
  support: "Support",
  auditor: "Auditor",
};

export const PERMISSIONS = {
  "console.use": "Sign in and see the dashboard",
  "servers.view": "See identity-server overviews (counts, drift, peers; no personal data)",
  "servers.manage": "Register, change and disable identity servers",
  "staff.manage": "Add staff, change roles, disable accounts",
  "accessLog.view": "Read the pseudonymous access log",
  "accessLog.export": "Export the access log as CSV",
  "accessLog.verify": "Verify the hash chain and checkpoints",
  "accessLog.seal": "Seal a signed checkpoint",
  "requests.view": "See the request register (personal data masked unless also requests.viewPersonal)",
  "requests.viewPersonal": "See requesters' names and contact details",
  "requests.create": "Take in a request or complaint",
  "requests.update": "Assign, annotate and move a request through its states",
  "requests.extend": "Extend a request's deadline (Art. 12(3)) with a recorded reason",
  "requests.close": "Close a request",
  "subjects.search": "Find a person across identity servers and logs (results masked)",
  "subjects.reveal": "Reveal a subject's identifiers for a linked open request or complaint",
  "subjects.revealForPurpose": "Reveal for a stated purpose without a linked request",
  "subjects.reverseLookup": "Search by Matrix ID (reverse lookup: Matrix ID to 3PIDs)",
  "exports.generate": "Generate an access or portability package",
  "exports.review": "See a package exactly as it will be released",
  "exports.approve": "Approve a package someone else generated, creating its download link",
  "erasure.preview": "See what an erasure would do on every server, store by store",
  "erasure.request": "Ask for an erasure (it still needs a second person's approval)",
  "erasure.approve": "Approve an erasure someone else asked for",
  "erasure.execute": "Run an approved erasure, resume a paused one, drive phase 2",
  "erasure.receipt": "See and download erasure receipts (masked identifier only)",
} as const;
export type Permission = keyof typeof PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ["console.use", "servers.view", "servers.manage", "staff.manage", "accessLog.verify", "accessLog.seal"],
  dpo: [
    "console.use",
    "servers.view",
    "accessLog.view",
    "accessLog.export",
    "accessLog.verify",
    "accessLog.seal",
    "requests.view",
    "requests.viewPersonal",
    "requests.create",
    "requests.update",
    "requests.extend",
    "requests.close",
    "subjects.search",
    "subjects.reveal",
    "subjects.revealForPurpose",
    "subjects.reverseLookup",
    "exports.generate",
    "exports.review",
    "exports.approve",
    "erasure.preview",
    "erasure.request",
    "erasure.approve",
    "erasure.execute",
    "erasure.receipt",
  ],
  support: [
    "console.use",
    "servers.view",
    "requests.view",
    "requests.viewPersonal",
    "requests.create",
    "requests.update",
    "subjects.search",
    "subjects.reveal",
    "erasure.preview",
    "erasure.request",
    "erasure.receipt",
  ],
  auditor: ["console.use", "servers.view", "accessLog.view", "accessLog.export", "accessLog.verify", "requests.view", "erasure.receipt"],
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * Every page and route handler, by its URL pattern, and the permission it requires.
 * "public" = reachable without signing in; "signed-in" = any active staff session.
 * A route file without an entry here fails lib/authz.test.ts.
 */
export const ROUTE_RULES: Record<string, Permission | "public" | "signed-in"> = {
  "/login": "public",
  "/enrol": "public",
  "/api/auth/[...nextauth]": "public",
  "/api/health": "public",
  "/": "console.use",
  "/account": "signed-in",
  "/servers": "servers.view",
  "/servers/[id]": "servers.view",
  "/admin/staff": "staff.manage",
  "/admin/staff/new": "staff.manage",
  "/admin/servers": "servers.manage",
  "/access-log": "accessLog.view",
  "/api/access-log/export": "accessLog.export",
  "/requests": "requests.view",
  "/requests/new": "requests.create",
  "/requests/[id]": "requests.view",
  "/subjects": "subjects.search",
  "/api/subjects/search": "subjects.search",
  "/requests/[id]/packages/[packageId]": "exports.review",
  "/api/exports/download/[token]": "public",
  "/erasures": "erasure.receipt",
  "/erasures/[id]": "erasure.receipt",
  "/erasures/bulk": "erasure.request",
  "/erasures/bulk/[id]": "erasure.request",
  "/api/erasures/[id]/receipt": "erasure.receipt",
  "/api/erasures/bulk/[id]/rejected": "erasure.request",
};

/**
 * Every exported server action, "<file under lib/>#<export>", and the permission it requires.
 * A server action without an entry here fails lib/authz.test.ts.
 */
export const ACTION_RULES: Record<string, Permission | "public" | "signed-in"> = {
  "lib/servers/actions.ts#registerServerAction": "servers.manage",
  "lib/servers/actions.ts#updateServerAction": "servers.manage",
  "lib/servers/actions.ts#disableServerAction": "servers.manage",
  "lib/servers/actions.ts#enableServerAction": "servers.manage",
  "lib/auth/actions.ts#signOut": "signed-in",
  "lib/auth/actions.ts#regenerateRecoveryCodes": "signed-in",
  "lib/staff/actions.ts#addStaff": "staff.manage",
  "lib/staff/actions.ts#changeRole": "staff.manage",
  "lib/staff/actions.ts#setStaffDisabled": "staff.manage",
  "lib/staff/actions.ts#reissueStaffEnrolment": "staff.manage",
  // Granting the dpo or admin role: a second admin confirms (lib/staff/grants.ts); either cancels.
  "lib/staff/actions.ts#confirmStaffGrant": "staff.manage",
  "lib/staff/actions.ts#cancelStaffGrant": "staff.manage",
  "lib/staff/actions.ts#openStaffEnrolment": "public",
  "lib/staff/actions.ts#completeStaffEnrolment": "public",
  "lib/requests/actions.ts#createRequest": "requests.create",
  "lib/requests/actions.ts#assignRequest": "requests.update",
  "lib/requests/actions.ts#changeState": "requests.update",
  "lib/requests/actions.ts#extendDeadline": "requests.extend",
  "lib/requests/actions.ts#closeRequest": "requests.close",
  "lib/audit/actions.ts#findTargetPseudonym": "accessLog.view",
  "lib/audit/actions.ts#verifyAccessLog": "accessLog.verify",
  "lib/audit/actions.ts#sealAccessLogCheckpoint": "accessLog.seal",
  "lib/exports/actions.ts#generatePackageAction": "exports.generate",
  "lib/exports/actions.ts#approvePackageAction": "exports.approve",
  // Withdrawing a package (before download) is for whoever may make packages.
  "lib/exports/actions.ts#revokePackageAction": "exports.generate",
  "lib/subjects/actions.ts#searchSubject": "subjects.search",
  "lib/subjects/actions.ts#revealSubject": "subjects.reveal",
  // Linking stores the subject's identifier (encrypted) on a request: part of the purpose-bound
  // reveal workflow, so the same permission as revealing (auditors and admins have neither).
  "lib/subjects/actions.ts#linkSubjectToRequest": "subjects.reveal",
  // Candidate identifiers of a request's subject come from a reverse lookup (issue 8).
  "lib/subjects/candidate-actions.ts#findCandidatesAction": "subjects.reverseLookup",
  "lib/subjects/candidate-actions.ts#decideCandidateAction": "subjects.reverseLookup",
  "lib/erasure/bulk-actions.ts#uploadBulkBatch": "erasure.request",
  "lib/erasure/bulk-actions.ts#approveBulkBatchAction": "erasure.approve",
  "lib/erasure/bulk-actions.ts#executeBulkBatchAction": "erasure.execute",
  "lib/erasure/actions.ts#startErasureAction": "erasure.request",
  "lib/erasure/actions.ts#approveErasureAction": "erasure.approve",
  "lib/erasure/actions.ts#executeErasureAction": "erasure.execute",
  "lib/erasure/actions.ts#replanErasureAction": "erasure.request",
  "lib/erasure/actions.ts#erasureProgressAction": "erasure.receipt",
};

/**
 * Separation of duties: whoever asked for an export or an erasure never approves it.
 * Later capabilities (exports, erasures, disclosures) call this with the asker's staff id.
 */
export function canApprove(
  approver: { id: string; role: Role },
  permission: Permission,
  requestedByStaffId: string,
): boolean {
  return can(approver.role, permission) && approver.id !== requestedByStaffId;
}
