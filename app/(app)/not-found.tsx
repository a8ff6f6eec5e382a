import Link from "next/link";

export default function AppNotFound() {
  return (
    <main className="mx-auto max-w-lg px-4 py-16 text-center">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-600">This page does not exist, or it belongs to a project you are not a member of. Ask the project owner for an invite link.</p>
      <Link href="/dashboard" className="mt-6 inline-block text-sm font-medium text-emerald-800 hover:underline">
        Back to your projects
      </Link>
    </main>
  );
}
