"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { activeHref } from "@/lib/navigation";

export function NavLink({ href, hrefs, children }: { href: string; hrefs: readonly string[]; children: React.ReactNode }) {
  const pathname = usePathname();
  const current = activeHref(pathname, hrefs) === href;
  return (
    <Link href={href} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}
