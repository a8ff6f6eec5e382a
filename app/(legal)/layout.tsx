import Link from "next/link";
import { ArborMark } from "@/components/ui/arbor-mark";

/** Public pages anyone can read before signing up. */
export default function LegalLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-zinc-200 bg-white">
        <div className="mx-auto flex h-14 max-w-3xl items-center px-4">
          <Link href="/" className="flex items-center gap-2 font-semibold text-zinc-900">
            <ArborMark /> Arbor
          </Link>
        </div>
      </header>
      <main className="prose-sm mx-auto max-w-3xl space-y-4 px-4 py-8 text-sm leading-6 text-zinc-800">{children}</main>
    </div>
  );
}
