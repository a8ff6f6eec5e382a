import { Button } from "@/components/ui/button";
import { signIn } from "@/server/auth/config";

const PROVIDERS = [
  { id: "github", label: "Continue with GitHub" },
  { id: "google", label: "Continue with Google" },
] as const;

/** Shown only for providers whose keys are configured. */
export function OAuthButtons({ github, google, next }: { github: boolean; google: boolean; next: string }) {
  const enabled = PROVIDERS.filter((p) => (p.id === "github" ? github : google));
  if (!enabled.length) return null;
  return (
    <div className="space-y-2">
      {enabled.map((provider) => (
        <form
          key={provider.id}
          action={async () => {
            "use server";
            await signIn(provider.id, { redirectTo: next });
          }}
        >
          <Button type="submit" variant="secondary" className="w-full">
            {provider.label}
          </Button>
        </form>
      ))}
    </div>
  );
}
