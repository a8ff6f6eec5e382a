"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { ShareLinkList } from "./share-link-list";

/** The Members tab's list: the owner sees every open share link of the project; an editor their own. */
export function ProjectShareLinks({ projectId, isOwner }: { projectId: string; isOwner: boolean }) {
  const trpc = useTRPC();
  const links = useQuery(trpc.share.list.queryOptions({ projectId }));
  if (links.error) return <p className="text-sm text-red-700">{links.error.message}</p>;
  if (!links.data) return null;
  return (
    <div className="mt-8 rounded-lg border border-zinc-200 bg-white p-4">
      <ShareLinkList projectId={projectId} links={links.data} heading={isOwner ? "Open share links" : "Your open share links"} />
    </div>
  );
}
