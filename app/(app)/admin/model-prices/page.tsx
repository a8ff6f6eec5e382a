import { ModelPricesEditor } from "@/components/model-providers/model-prices-editor";
import { Card } from "@/components/ui/card";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Model prices · Arbor" };

/** Operators only: the procedure answers NOT_FOUND to anyone else, so the page is a 404 for them. */
export default async function ModelPricesPage() {
  const api = await getServerCaller();
  const rows = await loadOrNotFound(() => api.admin.modelPrices());
  return (
    <div className="mx-auto max-w-4xl px-4 py-8">
      <Card>
        <h1 className="mb-1 text-lg font-semibold">Model prices</h1>
        <p className="mb-4 text-sm text-zinc-600">
          What Arbor charges per million tokens for each cloud model, before the plan's markup or fee. A change applies to new answers only: an answer already running keeps the
          price its hold was placed at. A retired model leaves the picker and can no longer be asked.
        </p>
        <ModelPricesEditor rows={rows} />
      </Card>
    </div>
  );
}
