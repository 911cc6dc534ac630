"use client";

import { useCallback, useEffect, useTransition } from "react";
import { useRouter } from "next/navigation";
import { PASSIVE_REFRESH_COOKIE } from "@/lib/auth/passive";

// router.refresh() for timers (auto-refresh while work runs): marks the refresh as passive so it
// does not extend the session's idle timeout (lib/auth/passive.ts). The marker lives only while
// the refresh is in flight (and at most 10 s), so the user's own clicks still count as activity.

const set = (maxAge: number, value: string) => {
  document.cookie = `${PASSIVE_REFRESH_COOKIE}=${value}; path=/; max-age=${maxAge}; samesite=strict`;
};

export function usePassiveRefresh(): () => void {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    if (!pending) set(0, "");
  }, [pending]);
  return useCallback(() => {
    set(10, "1");
    startTransition(() => router.refresh());
  }, [router]);
}
