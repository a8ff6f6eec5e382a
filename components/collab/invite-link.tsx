"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

/** Shown once, right after the invite is made: Arbor keeps only a hash, so it cannot show the link again. */
export function InviteLink({ url, emailed }: { url: string; emailed: string | null }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select the text so Ctrl+C works.
      const field = document.getElementById("invite-link") as HTMLInputElement | null;
      field?.select();
    }
  }
  return (
    <div className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3">
      <label htmlFor="invite-link" className="block text-sm font-medium text-emerald-900">
        Invite link
      </label>
      <div className="flex gap-2">
        <input id="invite-link" readOnly value={url} className={`${inputClass} font-mono`} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="secondary" onClick={copy}>
          {copied ? "Copied" : "Copy link"}
        </Button>
      </div>
      <p className="text-xs text-emerald-900">
        {emailed ? `We also mailed it to ${emailed}. ` : ""}Copy it now — for safety it is shown only once. You can revoke it below.
      </p>
    </div>
  );
}
