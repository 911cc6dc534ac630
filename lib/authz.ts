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
  "retention.view": "See retention audits: log files, line ages per class, findings (no log lines)",
  "retention.audit": "Run a retention audit of log files, Sydent tables and the console's stores",
  "retention.enforce": "Dry-run enforcement and ask for it (the first of a source needs a second person)",
  "retention.approve": "Approve the first enforcement of a log source someone else asked for",
  "retention.policy": "Propose and approve retention policy changes (a second admin approves)",
  "retention.notice": "Record privacy-notice versions and their retention limits (a second admin approves)",
  "retention.attestations": "List and download signed retention attestations",
  "rights.restrict": "Restrict processing of a person's data (Art. 18), lift it, record objections (Art. 21)",
  "disclosures.view": "See the disclosure register (identifiers masked)",
  "disclosures.record": "Record a disclosure to a third party (privacy notice 3.4)",
  "disclosures.approve": "Approve a disclosure someone else recorded",
  "complaints.view": "See the complaint queue (contacts masked unless also requests.viewPersonal)",
  "complaints.manage": "Take in, own, link, answer and escalate complaints",
  "complaints.resolveEscalated": "Resolve a complaint escalated to the DPO",
  "abuse.view": "See the abuse view: busiest client addresses and targets in HAProxy and Sydent logs",
  "blocks.view": "See abuse blocks and whether HAProxy enforces them",
  "blocks.manage": "Create, renew and lift abuse blocks; approve someone else's broad block",
  "blocks.sync": "Compare HAProxy's block lists with the console and repair drift",
} as const;
export type Permission = keyof typeof PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // blocks.sync shows counts per list only (no targets): operating HAProxy is the admin's job too.
  admin: [
    "console.use", "servers.view", "servers.manage", "staff.manage", "accessLog.verify", "accessLog.seal",
    "retention.view", "retention.approve", "retention.policy", "retention.notice", "blocks.sync",
  ],
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
    "retention.view",
    "retention.audit",
    "retention.enforce",
    "retention.approve",
    "retention.attestations",
    "rights.restrict",
    "disclosures.view",
    "disclosures.record",
    "disclosures.approve",
    "complaints.view",
    "complaints.manage",
    "complaints.resolveEscalated",
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
    "complaints.view",
    "complaints.manage",
    "abuse.view",
    "blocks.view",
    "blocks.manage",
    "blocks.sync",
  ],
  auditor: [
    "console.use", "servers.view", "accessLog.view", "accessLog.export", "accessLog.verify", "requests.view", "erasure.receipt",
    "retention.view", "retention.attestations", "disclosures.view",
  ],
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
  "/admin/audit": "accessLog.verify",
  "/access-log": "accessLog.view",
  "/access-log/[seq]": "accessLog.view",
  "/api/access-log/export": "accessLog.export",
  // Witnessed log (issue 12): latest signed tree head, consistency and inclusion proofs.
  "/api/audit/tree": "accessLog.verify",
  "/audit": "accessLog.view",
  "/audit/requests/[id]": "accessLog.view",
  "/api/audit/evidence": "accessLog.export",
  // The workspace's tables as CSV: the sample on screen and a request's whole trail.
  "/api/audit/sample": "accessLog.export",
  "/api/audit/requests/[id]/trail": "accessLog.export",
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
  "/retention": "retention.view",
  "/retention/[source]": "retention.view",
  "/retention/attestations": "retention.attestations",
  "/retention/notices": "retention.view",
  "/api/retention/attestations/[id]": "retention.attestations",
  // The files list of /retention/[source] as CSV: the same rows the page shows.
  "/api/retention/files/[source]": "retention.view",
  "/complaints": "complaints.view",
  "/complaints/new": "complaints.manage",
  "/complaints/[id]": "complaints.view",
  "/disclosures": "disclosures.view",
  "/blocks": "blocks.view",
  "/blocks/status": "blocks.sync",
  "/abuse": "abuse.view",
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
  "lib/servers/actions.ts#sydentModeAction": "servers.manage",
  "lib/auth/actions.ts#signOut": "signed-in",
  "lib/auth/actions.ts#regenerateRecoveryCodes": "signed-in",
  "lib/auth/actions.ts#changeOwnPasswordAction": "signed-in",
  "lib/auth/actions.ts#endOwnSessionAction": "signed-in",
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
  // Searching by requester shows names and contacts: only for roles that may see them.
  "lib/requests/actions.ts#searchRequestsByRequester": "requests.viewPersonal",
  "lib/requests/actions.ts#addRequestNoteAction": "requests.update",
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
  "lib/erasure/actions.ts#chooseBystanderAction": "erasure.approve",
  "lib/erasure/actions.ts#erasureProgressAction": "erasure.receipt",
  "lib/retention/actions.ts#runRetentionAuditAction": "retention.audit",
  "lib/retention/actions.ts#dryRunAction": "retention.enforce",
  "lib/retention/actions.ts#requestEnforcementAction": "retention.enforce",
  "lib/retention/actions.ts#approveEnforcementAction": "retention.approve",
  "lib/retention/actions.ts#proposePolicyAction": "retention.policy",
  "lib/retention/actions.ts#approvePolicyAction": "retention.policy",
  // Privacy-notice versions (lib/retention/notices.ts): a second admin approves, with a fresh code.
  "lib/retention/actions.ts#proposeNoticeAction": "retention.notice",
  "lib/retention/actions.ts#approveNoticeAction": "retention.notice",
  "lib/retention/actions.ts#rejectNoticeAction": "retention.notice",
  "lib/complaints/actions.ts#createComplaintAction": "complaints.manage",
  "lib/complaints/actions.ts#linkComplaintAction": "complaints.manage",
  "lib/complaints/actions.ts#replyComplaintAction": "complaints.manage",
  "lib/complaints/actions.ts#escalateComplaintAction": "complaints.manage",
  // Escalated complaints additionally need complaints.resolveEscalated (lib/complaints/manage.ts).
  "lib/complaints/actions.ts#resolveComplaintAction": "complaints.manage",
  "lib/complaints/actions.ts#assignComplaintAction": "complaints.manage",
  "lib/complaints/actions.ts#revealComplaintContactAction": "complaints.manage",
  "lib/rights/actions.ts#recordDisclosureAction": "disclosures.record",
  "lib/rights/actions.ts#approveDisclosureAction": "disclosures.approve",
  "lib/rights/actions.ts#cancelDisclosureAction": "disclosures.record",
  "lib/rights/actions.ts#restrictRequestSubjectsAction": "rights.restrict",
  "lib/rights/actions.ts#liftRestrictionAction": "rights.restrict",
  "lib/rights/actions.ts#recordObjectionAction": "rights.restrict",
  "lib/rights/actions.ts#decideObjectionAction": "rights.restrict",
  "lib/blocks/actions.ts#createBlockAction": "blocks.manage",
  "lib/blocks/actions.ts#approveBlockAction": "blocks.manage",
  "lib/blocks/actions.ts#renewBlockAction": "blocks.manage",
  "lib/blocks/actions.ts#liftBlockAction": "blocks.manage",
  "lib/blocks/actions.ts#syncBlocksAction": "blocks.sync",
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
