import "server-only";

/**
 * What a stored request or response body may never carry: credentials. Keys
 * and auth headers are not in a body Arbor sends (the provider key travels in
 * a header, which is never stored), but a body can still hold one — a person
 * pastes a key into a question, a system prompt quotes a token — so every
 * stored body is scrubbed: fields named like a credential lose their value,
 * and anything shaped like a key or a bearer credential anywhere in the text
 * is replaced, as are the exact secrets the call used.
 * @see docs/chat.md ("Request logs")
 */
export const REDACTED = "[redacted]";

/** Field names whose values are credentials, whatever they hold. */
const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|token|secret|client[-_]?secret|password|private[-_]?key)$/i;

/** Shapes of credentials in free text: provider keys, Arbor's own tokens, bearer and basic credentials, key=value pairs. */
const SECRET_TEXT: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /\barbor_(?:pat|dev)_[A-Za-z0-9]{8,}/g,
  /\b(?:ghp|gho|github_pat|xox[abpr])_[A-Za-z0-9_]{8,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b((?:api[-_]?key|x-api-key|access[-_]?token|password|secret)\s*[:=]\s*)["']?[^\s"',;]{4,}/gi,
];

/** Every string with credential-shaped text and the call's own secrets replaced. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_TEXT) {
    out = out.replace(pattern, (_match, prefix?: string) => (typeof prefix === "string" && /[:=]\s*$/.test(prefix) ? `${prefix}${REDACTED}` : /^(bearer|basic)$/i.test(prefix ?? "") ? `${prefix} ${REDACTED}` : REDACTED));
  }
  return out;
}

/** A JSON value with credential fields emptied and every string scrubbed. */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  if (typeof value === "string") return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = SECRET_FIELD.test(key) ? REDACTED : redactValue(v, secrets);
    return out;
  }
  return value;
}

/** A stored body is capped (a long branch with its chunks can be large); the cut is said, not hidden. */
export const MAX_BODY_CHARS = 64_000;

export function capBody(text: string): string {
  return text.length <= MAX_BODY_CHARS ? text : `${text.slice(0, MAX_BODY_CHARS)}\n… [cut: ${text.length - MAX_BODY_CHARS} more characters]`;
}
