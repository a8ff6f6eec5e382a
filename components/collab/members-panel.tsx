"use client";

import { Card } from "@/components/ui/card";
import { InviteForm } from "./invite-form";
import { LeaveProject } from "./leave-project";
import { MembersTable } from "./members-table";
import { OpenInvites } from "./open-invites";

/** The Members tab. Owner-only parts are hidden here and refused by the server anyway. */
export function MembersPanel({ projectId, projectTitle, isOwner, myUserId }: { projectId: string; projectTitle: string; isOwner: boolean; myUserId: string }) {
  return (
    <div className="grid max-w-5xl gap-6">
      {isOwner ? (
        <Card>
          <h2 className="mb-1 text-base font-semibold">Invite someone</h2>
          <p className="mb-4 text-sm text-zinc-600">Anyone with the link can join with the role and quota you choose, until it expires or you revoke it.</p>
          <InviteForm projectId={projectId} />
        </Card>
      ) : null}
      <Card>
        <h2 className="mb-4 text-base font-semibold">Members</h2>
        <MembersTable projectId={projectId} isOwner={isOwner} myUserId={myUserId} />
      </Card>
      {isOwner ? (
        <Card>
          <h2 className="mb-4 text-base font-semibold">Open invites</h2>
          <OpenInvites projectId={projectId} />
        </Card>
      ) : (
        <Card>
          <h2 className="mb-2 text-base font-semibold">Leave this project</h2>
          <LeaveProject projectId={projectId} title={projectTitle} />
        </Card>
      )}
    </div>
  );
}
