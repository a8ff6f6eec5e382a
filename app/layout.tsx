import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import { TimeZoneProvider } from "@/components/providers/display";
import { TestCheckoutBanner } from "@/components/ui/test-checkout-banner";
import { THEME_SCRIPT } from "@/lib/theme";
import { getDisplay } from "@/server/account/display";
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
 * The theme: an explicit light or dark is rendered as the class straight
 * away; the inline script (with the nonce) resolves "system" before the first
 * paint, so no page flashes the wrong colours. suppressHydrationWarning: that
 * script changes <html>'s class before React hydrates.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  const display = await getDisplay();
  return (
    <html lang="en" data-theme-choice={display.theme} className={display.theme === "dark" ? "dark" : undefined} suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script (lib/theme.ts), no user input, nonce-bound */}
        <script nonce={display.nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen">
        <TimeZoneProvider zone={display.zone}>
          {testCheckoutAnnounced() ? <TestCheckoutBanner /> : null}
          {children}
        </TimeZoneProvider>
      </body>
    </html>
  );
}
