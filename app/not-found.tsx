import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-zinc-600">The page you asked for does not exist or is not yours to see.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-emerald-800 hover:underline">
        Go home
      </Link>
    </main>
  );
}
