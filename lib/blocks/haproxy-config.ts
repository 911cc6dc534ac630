import { BLOCK_SCOPES, type BlockScope } from "@/lib/blocks/targets";
import { listFile } from "@/lib/blocks/lists";

// The lines to add to the HAProxy frontend in front of Sydent (`blocks:haproxy-config` prints
// them; README.md shows them). Identifiers are read where Sydent reads them: JSON bodies
// (requestToken `email`, msisdn `country` + `phone_number`, bind `mxid`, store-invite `address` and
// `sender`, v2 register `matrix_server_name`) and the v1 lookup's `address` query parameter.
// Bodies larger than HAProxy's buffer (tune.bufsize, 16 kB) are not inspected.

export const FORBIDDEN_BODY = '{"errcode":"M_FORBIDDEN","error":"This request is blocked by the operator of this identity server."}';

function scopeAcls(dir: string, scope: BlockScope): string[] {
  const f = (kind: Parameters<typeof listFile>[1]) => listFile(dir, kind, scope);
  const hit = `cblk_hit_${scope}`;
  return [
    `acl ${hit} src -f ${f("ip")}`,
    `acl ${hit} var(txn.cblk_email) -m str -f ${f("email")}`,
    `acl ${hit} var(txn.cblk_addr) -m str -f ${f("email")}`,
    `acl ${hit} var(txn.cblk_qaddr) -m str -f ${f("email")}`,
    `acl ${hit} var(txn.cblk_email) -m end -f ${f("domain")}`,
    `acl ${hit} var(txn.cblk_addr) -m end -f ${f("domain")}`,
    `acl ${hit} var(txn.cblk_qaddr) -m end -f ${f("domain")}`,
    `acl ${hit} var(txn.cblk_mxid) -m str -f ${f("mxid")}`,
    `acl ${hit} var(txn.cblk_sender) -m str -f ${f("mxid")}`,
    `acl ${hit} var(txn.cblk_phone) -m str -f ${f("msisdn")}`,
    `acl ${hit} var(txn.cblk_rphone) -m str -f ${f("msisdn")}`,
    `acl ${hit} var(txn.cblk_mxidhs) -m str -f ${f("homeserver")}`,
    `acl ${hit} var(txn.cblk_senderhs) -m str -f ${f("homeserver")}`,
    `acl ${hit} var(txn.cblk_hs) -m str -f ${f("homeserver")}`,
  ];
}

/** The frontend lines, tab-indented. `dir` is CUSTODIAN_HAPROXY_BLOCK_DIR. */
export function haproxyFrontendLines(dir: string): string[] {
  const body = (q: string) => `req.body,json_query('${q}')`;
  return [
    "# --- Custodian abuse blocks (npm run cli -- blocks:haproxy-config) ---",
    "option http-buffer-request",
    `http-request set-var(txn.cblk_email) ${body("$.email")},lower`,
    `http-request set-var(txn.cblk_addr) ${body("$.address")},lower`,
    "http-request set-var(txn.cblk_qaddr) url_param(address),url_dec,lower",
    `http-request set-var(txn.cblk_mxid) ${body("$.mxid")}`,
    `http-request set-var(txn.cblk_sender) ${body("$.sender")}`,
    'http-request set-var(txn.cblk_mxidhs) var(txn.cblk_mxid),regsub("^[^:]*:",""),lower',
    'http-request set-var(txn.cblk_senderhs) var(txn.cblk_sender),regsub("^[^:]*:",""),lower',
    `http-request set-var(txn.cblk_hs) ${body("$.matrix_server_name")},lower`,
    `http-request set-var(txn.cblk_phone) ${body("$.phone_number")},regsub("[^0-9+]","",g)`,
    `http-request set-var(txn.cblk_region) ${body("$.country")},upper`,
    "http-request set-var(txn.cblk_rphone) var(txn.cblk_region),concat(:,txn.cblk_phone)",
    "acl cblk_is_validation path -m sub /validate/",
    "acl cblk_is_validation path -m end /3pid/bind",
    "acl cblk_is_lookups path -m end /lookup /bulk_lookup /hash_details",
    "acl cblk_is_invites path -m end /store-invite /sign-ed25519",
    ...BLOCK_SCOPES.flatMap((s) => scopeAcls(dir, s)),
    `http-request deny deny_status 403 content-type application/json string '${FORBIDDEN_BODY}' if cblk_hit_all || cblk_is_validation cblk_hit_validation || cblk_is_lookups cblk_hit_lookups || cblk_is_invites cblk_hit_invites`,
    "# --- end of Custodian abuse blocks ---",
  ];
}

/** The global line that opens the admin socket Custodian drives (CUSTODIAN_HAPROXY_SOCKET). */
export function haproxyGlobalLines(socket: string): string[] {
  return [`stats socket ${socket} mode 660 level admin`];
}
