/**
 * The Content-Security-Policy every page is sent with (proxy.ts makes a fresh
 * nonce per request; Next.js reads it from the request's CSP header and puts
 * it on its own scripts). Scripts run only with the nonce — `'strict-dynamic'`
 * lets those load the app's chunks — so injected markup can never execute;
 * `frame-ancestors 'none'` stops another site framing Accept or Pay under a
 * decoy (clickjacking); images come only from Arbor itself, so no answer can
 * load a tracking pixel even if the renderer let one through.
 * Styles allow 'unsafe-inline': React renders `style` attributes (React Flow
 * positions every node with one), which a style nonce cannot cover.
 * @see https://nextjs.org/docs/app/guides/content-security-policy
 */
export function contentSecurityPolicy({ nonce, dev, https }: { nonce: string; dev: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    // React in development rebuilds server error stacks with eval; production never uses it.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // Fast Refresh talks over a WebSocket in development.
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    // Forms post to Arbor; Auth.js and Stripe Checkout then redirect to the provider's own pages.
    "form-action 'self' https://github.com https://accounts.google.com https://checkout.stripe.com https://billing.stripe.com",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** A nonce: 128 random bits, base64 (Web Crypto, so it runs wherever the proxy does). */
export function makeNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
