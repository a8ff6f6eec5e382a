import Link from "next/link";
import { ResetPasswordForm } from "@/components/auth/forms";
import { Alert } from "@/components/ui/alert";

export const metadata = { title: "Choose a new password · Arbor" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <Alert tone="error">
          This page needs the link from your reset mail. <Link href="/forgot-password" className="underline">Request a new one</Link>.
        </Alert>
      )}
    </div>
  );
}
