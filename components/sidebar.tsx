"use client";

import { useEffect, useState } from "react";
import { usePathname } from "next/navigation";

// The sidebar's collapsible body: on narrow screens (CSS, max-width 900px) the navigation hides
// behind a "Menu" button (a real button: keyboard and screen-reader usable, aria-expanded); on
// wide screens the button is not shown and the navigation always is. Following a link closes it.
export function SidebarBody({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  useEffect(() => setOpen(false), [pathname]);
  return (
    <>
      <div className="top">
        <div className="brand">Custodian</div>
        <button type="button" className="btn menu-toggle" aria-expanded={open} aria-controls="nav-body" onClick={() => setOpen((o) => !o)}>
          {open ? "Close menu" : "Menu"}
        </button>
      </div>
      <div id="nav-body" className="nav-body" data-open={open ? "true" : "false"}>
        {children}
      </div>
    </>
  );
}
