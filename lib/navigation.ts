import { can, type Permission, type Role } from "@/lib/authz";

// The console's navigation, filtered by the permission table: a role never sees a link it
// could not follow (the pages check again on the server).
export const NAV_ITEMS: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "Dashboard", permission: "console.use" },
  { href: "/requests", label: "Requests", permission: "requests.view" },
  { href: "/subjects", label: "Find a person", permission: "subjects.search" },
  { href: "/erasures", label: "Erasures", permission: "erasure.receipt" },
  { href: "/erasures/bulk", label: "Bulk erasure", permission: "erasure.request" },
  { href: "/servers", label: "Identity servers", permission: "servers.view" },
  { href: "/access-log", label: "Access log", permission: "accessLog.view" },
  { href: "/audit", label: "Audit workspace", permission: "accessLog.view" },
  { href: "/admin/staff", label: "Staff", permission: "staff.manage" },
  { href: "/admin/servers", label: "Server registration", permission: "servers.manage" },
];

export function navFor(role: Role) {
  return NAV_ITEMS.filter((i) => can(role, i.permission));
}
