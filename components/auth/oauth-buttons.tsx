import { signIn } from "@/server/auth/config";
import { Button } from "@/components/ui/button";

/** Shown only for providers whose keys are configured. */
export function OAuthButtons({ github, google, next }: { github: boolean; google: boolean; next: string }) {
  if (!github && !google) return null;
  return (
    <div className="space-y-2">
      {github ? (
        <form
          action={async () => {
            "use server";
            await signIn("github", { redirectTo: next });
          }}
        >
          <Button type="submit" variant="secondary" className="w-full">
            Continue with GitHub
          </Button>
        </form>
      ) : null}
      {google ? (
        <form
          action={async () => {
            "use server";
            await signIn("google", { redirectTo: next });
          }}
        >
          <Button type="submit" variant="secondary" className="w-full">
            Continue with Google
          </Button>
        </form>
      ) : null}
    </div>
  );
}
