import Link from "next/link";
import { ForgotPasswordForm } from "@/components/auth/forms";

export const metadata = { title: "Reset your password · Arbor" };

export default function ForgotPasswordPage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Reset your password</h1>
        <p className="mt-1 text-sm text-zinc-600">We will email you a link to choose a new one.</p>
      </div>
      <ForgotPasswordForm />
      <Link href="/sign-in" className="block text-center text-sm text-emerald-800 hover:underline">
        Back to sign in
      </Link>
    </div>
  );
}
