import { can, type Permission, type Role } from "@/lib/authz";

// The console's navigation, filtered by the permission table: a role never sees a link it
// could not follow (the pages check again on the server).
export const NAV_ITEMS: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "Dashboard", permission: "console.use" },
  { href: "/requests", label: "Requests", permission: "requests.view" },
  { href: "/complaints", label: "Complaints", permission: "complaints.view" },
  { href: "/subjects", label: "Find a person", permission: "subjects.search" },
  { href: "/erasures", label: "Erasures", permission: "erasure.receipt" },
  { href: "/erasures/bulk", label: "Bulk erasure", permission: "erasure.request" },
  { href: "/abuse", label: "Abuse", permission: "abuse.view" },
  { href: "/blocks", label: "Blocks", permission: "blocks.view" },
  { href: "/blocks/status", label: "Block status", permission: "blocks.sync" },
  { href: "/servers", label: "Identity servers", permission: "servers.view" },
  { href: "/retention", label: "Log retention", permission: "retention.view" },
  { href: "/disclosures", label: "Disclosures", permission: "disclosures.view" },
  { href: "/access-log", label: "Access log", permission: "accessLog.view" },
  { href: "/audit", label: "Audit workspace", permission: "accessLog.view" },
  { href: "/admin/staff", label: "Staff", permission: "staff.manage" },
  { href: "/admin/servers", label: "Server registration", permission: "servers.manage" },
  { href: "/admin/audit", label: "Access-log integrity", permission: "accessLog.verify" },
];

export function navFor(role: Role) {
  return NAV_ITEMS.filter((i) => can(role, i.permission));
}

/** The one navigation item a path belongs to: the longest href that is the path or a parent of it
 * (so /erasures/bulk/x marks "Bulk erasure" only, not "Erasures" as well). */
export function activeHref(pathname: string, hrefs: readonly string[]): string | null {
  let best: string | null = null;
  for (const href of hrefs) {
    const match = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
    if (match && (best === null || href.length > best.length)) best = href;
  }
  return best;
}
