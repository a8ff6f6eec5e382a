"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { useTRPCClient } from "@/components/providers/trpc";

/**
 * A layout is not rendered again when the person moves between pages under
 * it, so the (app) layout's session check runs only on a full load. After
 * each client-side navigation this asks the server whether the session
 * still stands; if it was ended (from another browser, a password change),
 * a full reload lets the layout send the person to sign in.
 */
export function SessionWatch() {
  const client = useTRPCClient();
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let cancelled = false;
    client.accountSecurity.signedIn
      .query()
      .then(({ signedIn }) => {
        if (!signedIn && !cancelled) window.location.reload();
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [client, pathname]);
  return null;
}
