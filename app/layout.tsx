import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Arbor",
  description: "A branching AI workspace: think with AI in conversations that branch like a tree.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
