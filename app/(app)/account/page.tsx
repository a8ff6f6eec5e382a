import { NotificationPreferences } from "@/components/notify/notification-preferences";
import { AccessTokens } from "@/components/account/access-tokens";
import { PreferencesForm } from "@/components/account/preferences-form";
import { SessionsList } from "@/components/account/sessions-list";
import { ChangeEmailForm, ChangePasswordForm } from "@/components/account/password-and-email";
import { AuthenticatorApp, Passkeys } from "@/components/account/two-factor";
import { DataExport } from "@/components/account/data-export";
import { DeleteAccount } from "@/components/account/delete-account";
import { DisplayForm } from "@/components/account/display-form";
import { ProfileForm } from "@/components/account/profile-form";
import { formatDate, knownTimeZones } from "@/lib/datetime";
import { getDisplay } from "@/server/account/display";
import { Card } from "@/components/ui/card";
import { type AccountSection, SectionIndex } from "@/components/account/section-index";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Account · Arbor" };

const EVENT_LABEL: Record<string, string> = {
  sign_up: "Account created",
  sign_in_success: "Signed in",
  sign_in_failure: "Failed sign-in",
  lockout: "Locked after failed attempts",
  sign_out: "Signed out",
  email_verified: "Email verified",
  password_reset_requested: "Password reset requested",
  password_changed: "Password changed",
  magic_link_requested: "Sign-in link requested",
  key_added: "Provider key added",
  key_removed: "Provider key removed",
  access_token_created: "Access token created",
  access_token_revoked: "Access token revoked",
  access_token_refused: "A revoked or expired access token was used",
  device_paired: "Device paired",
  device_removed: "Device removed",
  device_refused: "A device request was refused",
  session_ended: "A session was ended",
  other_sessions_ended: "All other sessions were ended",
  new_browser: "Signed in from a new browser",
  email_change_requested: "Email change requested",
  email_changed: "Email address changed",
  totp_enabled: "Authenticator app added",
  totp_disabled: "Authenticator app removed",
  second_factor_success: "Second factor accepted",
  second_factor_failure: "Wrong second-factor code",
  recovery_code_used: "Recovery code used",
  recovery_codes_regenerated: "New recovery codes made",
  passkey_added: "Passkey added",
  passkey_renamed: "Passkey renamed",
  passkey_removed: "Passkey removed",
  account_deletion_scheduled: "Account deletion scheduled",
  account_deletion_cancelled: "Account deletion cancelled by signing in",
};

const SECTIONS: AccountSection[] = [
  { id: "profile", title: "Profile" },
  { id: "display", title: "Display" },
  { id: "answers", title: "Answer preferences" },
  { id: "notifications", title: "Notifications and mails" },
  { id: "tokens", title: "Access tokens" },
  { id: "sign-in", title: "Email and password" },
  { id: "two-factor", title: "Two-factor" },
  { id: "sessions", title: "Sessions" },
  { id: "export", title: "Your data" },
  { id: "delete", title: "Delete account" },
  { id: "security", title: "Security activity" },
];

export default async function AccountPage() {
  const api = await getServerCaller();
  const [prefs, events, projects, methods, profile, display] = await Promise.all([
    api.account.preferences(),
    api.account.securityEvents(),
    api.projects.list(),
    api.accountSecurity.signInMethods(),
    api.account.profile(),
    getDisplay(),
  ]);
  return (
    <main className="mx-auto max-w-5xl px-4 py-8">
      <h1 className="text-2xl font-semibold">Account</h1>
      <div className="mt-4 lg:grid lg:grid-cols-[12rem_minmax(0,1fr)] lg:gap-8">
        <div className="sticky top-0 z-10 lg:top-4 lg:self-start">
          <SectionIndex sections={SECTIONS} />
        </div>
        <div className="mt-4 min-w-0 space-y-6 lg:mt-0">
      <Card id="profile" labelledBy="profile-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="profile-title" className="text-base font-semibold">
          Profile
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">How other members see you.</p>
        <ProfileForm initialName={profile.name ?? ""} email={profile.email} />
      </Card>
      <Card id="display" labelledBy="display-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="display-title" className="text-base font-semibold">
          Display
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">How Arbor looks, and the zone its dates and times are shown in.</p>
        <DisplayForm theme={prefs.theme} timezone={display.zone} zones={knownTimeZones()} />
      </Card>
      <Card id="answers" labelledBy="answers-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="answers-title" className="text-base font-semibold">
          Answer preferences
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">Sent with every cloud answer, in every project.</p>
        <PreferencesForm initial={{ language: prefs.language, verbosity: prefs.verbosity, tone: prefs.tone }} />
      </Card>
      <Card id="notifications" labelledBy="notifications-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="notifications-title" className="text-base font-semibold">
          {/* links from older mails point at #mail: they land here */}
          <span id="mail" className="block scroll-mt-14 lg:scroll-mt-4" />
          Notifications and mails
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">What reaches you, and where: the bell in Arbor, the bell and your inbox, or nowhere.</p>
        <NotificationPreferences />
      </Card>
      <Card id="tokens" labelledBy="tokens-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="tokens-title" className="text-base font-semibold">
          Access tokens
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">
          For scripts and tools: a token acts as you, with your role in each project, and never more. Keep it secret; revoke it when it is no longer used.
        </p>
        <AccessTokens projects={projects.filter((p) => p.status === "active").map((p) => ({ id: p.id, title: p.title }))} />
      </Card>
      <Card id="sign-in" labelledBy="sign-in-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="sign-in-title" className="text-base font-semibold">
          Email and password
        </h2>
        <div className="mt-4 grid gap-8 sm:grid-cols-2">
          <ChangeEmailForm email={methods.email} hasPassword={methods.hasPassword} />
          <ChangePasswordForm hasPassword={methods.hasPassword} />
        </div>
      </Card>
      <Card id="two-factor" labelledBy="two-factor-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="two-factor-title" className="text-base font-semibold">
          Two-factor sign-in
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">A second step after your password or sign-in link, so a leaked password alone does not open your account.</p>
        <h3 className="mb-2 text-sm font-semibold">Authenticator app</h3>
        <AuthenticatorApp hasPassword={methods.hasPassword} />
        <h3 className="mb-2 mt-6 text-sm font-semibold">Passkeys</h3>
        <Passkeys />
      </Card>
      <Card id="sessions" labelledBy="sessions-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="sessions-title" className="text-base font-semibold">
          Where you are signed in
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">Every browser signed in to your account. End any you do not recognise, then change your password.</p>
        <SessionsList />
      </Card>
      <Card id="export" labelledBy="export-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="export-title" className="text-base font-semibold">
          Your data
        </h2>
        <p className="mb-4 mt-1 text-sm text-zinc-600">Download everything you own as one zip, built in the background.</p>
        <DataExport />
      </Card>
      <Card id="delete" labelledBy="delete-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="delete-title" className="text-base font-semibold">
          Delete your account
        </h2>
        <div className="mt-3">
          <DeleteAccount email={profile.email} />
        </div>
      </Card>
      <Card id="security" labelledBy="security-title" className="scroll-mt-14 lg:scroll-mt-4">
        <h2 id="security-title" className="mb-3 text-base font-semibold">Recent security activity</h2>
        {events.length === 0 ? (
          <p className="text-sm text-zinc-600">Nothing yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm">
            {events.map((e, i) => (
              <li key={i} className="flex justify-between py-2">
                <span>{EVENT_LABEL[e.kind] ?? e.kind}</span>
                <time className="text-zinc-500" dateTime={e.createdAt.toISOString()} title={display.zone}>
                  {formatDate(e.createdAt, display.zone)}
                </time>
              </li>
            ))}
          </ul>
        )}
      </Card>
        </div>
      </div>
    </main>
  );
}
