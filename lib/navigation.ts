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
  { href: "/admin/staff", label: "Staff", permission: "staff.manage" },
  { href: "/admin/servers", label: "Server registration", permission: "servers.manage" },
];

export function navFor(role: Role) {
  return NAV_ITEMS.filter((i) => can(role, i.permission));
}
