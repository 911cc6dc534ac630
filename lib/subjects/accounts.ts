import type { AccountFinding, ServerFindings } from "@/lib/subjects/types";

/** Every v2 account a server's findings hold (one per Matrix ID of the person). */
export function accountsOf(s: Pick<ServerFindings, "account" | "accounts">): AccountFinding[] {
  return s.accounts ?? (s.account ? [s.account] : []);
}
