/**
 * Headers that are the same on every response: pages get their nonce-based
 * CSP from proxy.ts, API answers a CSP that lets them render nothing at all.
 * X-Frame-Options backs up frame-ancestors for browsers that only know it.
 */
const everywhere = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Invite and handover links carry their token in the path: never tell another site where a person came from.
  { key: "Referrer-Policy", value: "same-origin" },
  // Nothing in Arbor uses these; passkeys (publickey-credentials-*) and the clipboard stay allowed.
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), browsing-topics=()" },
  { key: "X-Frame-Options", value: "DENY" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pdfjs-dist", "mammoth"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      { source: "/:path*", headers: everywhere },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
