import Link from "next/link";
import { DeviceList } from "@/components/devices/device-list";
import { buttonClass } from "@/components/ui/button";

export const metadata = { title: "Devices · Arbor" };

/** Your own machines as a project's local tier (docs/devices.md). */
export default function DevicesPage() {
  return (
    <main className="mx-auto max-w-5xl space-y-6 px-4 py-8">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Devices</h1>
        <Link href="/devices/pair" className={buttonClass("primary")}>
          Pair a device
        </Link>
      </div>
      <DeviceList />
    </main>
  );
}
