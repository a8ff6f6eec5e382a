import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import { TestCheckoutBanner } from "@/components/ui/test-checkout-banner";
import { testCheckoutAnnounced } from "@/server/billing/checkout-mode";
import "./globals.css";

export const metadata: Metadata = {
  title: "Arbor",
  description: "A branching AI workspace: think with AI in conversations that branch like a tree.",
  applicationName: "Arbor",
  // public/: the SVG for browsers that take it, the .ico (16, 32, 48 px) for the rest, a home-screen icon, a manifest.
  icons: {
    icon: [
      { url: "/favicon.svg", type: "image/svg+xml" },
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
    ],
    apple: { url: "/apple-touch-icon.png", sizes: "180x180" },
  },
  manifest: "/manifest.webmanifest",
};

export const viewport: Viewport = { themeColor: "#047857" };

/**
 * Every page renders per request: its scripts carry the request's CSP nonce
 * (proxy.ts), which a page prerendered at build time could not have, and the
 * test-checkout banner reads ARBOR_TEST_CHECKOUT on the running server.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">
        {testCheckoutAnnounced() ? <TestCheckoutBanner /> : null}
        {children}
      </body>
    </html>
  );
}
