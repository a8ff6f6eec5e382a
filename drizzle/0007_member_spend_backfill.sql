-- Spend moves from the membership row to member_spend, which outlives the membership.
INSERT INTO "member_spend" ("project_id", "user_id", "spent_micros", "reserved_micros")
SELECT "project_id", "user_id", "spent_micros", "reserved_micros" FROM "project_members"
ON CONFLICT ("project_id", "user_id") DO NOTHING;
