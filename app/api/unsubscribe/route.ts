import { getDb } from "@/db/client";
import { unsubscribe } from "@/server/notify/mail-choices";

export const dynamic = "force-dynamic";

/**
 * RFC 8058 one-click unsubscribe: a mail client POSTs
 * `List-Unsubscribe=One-Click` to the List-Unsubscribe address of an optional
 * mail. The signed token in `t` is the authority (no session, no cookie). GET
 * does nothing, so link scanners that prefetch cannot unsubscribe anyone; a
 * person clicking in the mail lands on /unsubscribe, which asks once.
 */
export async function POST(request: Request) {
  const token = new URL(request.url).searchParams.get("t") ?? "";
  const done = await unsubscribe(await getDb(), { token });
  if (!done) return Response.json({ error: { code: "bad_request:unsubscribe", message: "This unsubscribe link is not valid." } }, { status: 400 });
  return Response.json({ unsubscribed: done.kind });
}
