import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { userPreferences, users } from "@/db/schema";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeUser } from "@/testing/fixtures";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("profile and display preferences", () => {
  it("renames the caller only, trimmed to one line; a blank or overlong name changes nothing", async () => {
    const me = await makeUser(database.db, { name: "Old Name" });
    const other = await makeUser(database.db, { name: "Other" });
    const api = createCaller(contextFor(database.db, me));
    expect(await api.account.rename({ name: "  Ana \n  Lima\u0007 " })).toEqual({ name: "Ana Lima" });
    expect((await api.account.profile()).name).toBe("Ana Lima");
    await expect(api.account.rename({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Enter a name." });
    await expect(api.account.rename({ name: "x".repeat(81) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const [mine] = await database.db.select({ name: users.name }).from(users).where(eq(users.id, me.id));
    expect(mine?.name).toBe("Ana Lima");
    const [theirs] = await database.db.select({ name: users.name }).from(users).where(eq(users.id, other.id));
    expect(theirs?.name).toBe("Other");
    await expect(createCaller(contextFor(database.db, null)).account.rename({ name: "x" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("stores theme and a real time zone; an unknown zone is refused and the stored one kept", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    expect(await api.account.preferences()).toMatchObject({ theme: "system", timezone: "UTC" });
    await api.account.updatePreferences({ theme: "dark", timezone: "Europe/Berlin" });
    expect(await api.account.preferences()).toMatchObject({ theme: "dark", timezone: "Europe/Berlin" });
    await expect(api.account.updatePreferences({ timezone: "Mars/Olympus" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error: not a theme
    await expect(api.account.updatePreferences({ theme: "sepia" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const [row] = await database.db.select().from(userPreferences).where(eq(userPreferences.userId, me.id));
    expect(row).toMatchObject({ theme: "dark", timezone: "Europe/Berlin" });
  });
});
