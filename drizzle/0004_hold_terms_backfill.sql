-- Holds placed before holds recorded their terms (tier, key, model, prices, token bounds).
-- They belong to processes that stopped at this upgrade, so crash recovery settles them:
-- their tier and key are the payer's at upgrade time, the model and prices the flagged
-- default's; their token bounds are unknown (0), so recovery charges nothing it cannot
-- prove and gives the rest back, as before this change.
UPDATE "reservations" r
SET "billing_tier" = coalesce(a."tier", 'free'),
    "key_source" = CASE WHEN a."tier" = 'byok' THEN 'byok' ELSE 'platform' END,
    "model" = coalesce(d."model", 'unknown'),
    "input_micros_per_mtok" = coalesce(d."input_micros_per_mtok", 0),
    "output_micros_per_mtok" = coalesce(d."output_micros_per_mtok", 0),
    "bound_tokens_in" = 0,
    "bound_tokens_out" = 0
FROM "reservations" r2
LEFT JOIN "billing_accounts" a ON a."user_id" = r2."payer_id"
LEFT JOIN LATERAL (
  SELECT mp."model", mp."input_micros_per_mtok", mp."output_micros_per_mtok"
  FROM "model_prices" mp ORDER BY mp."is_default" DESC, mp."model" LIMIT 1
) d ON true
WHERE r2."id" = r."id" AND r."billing_tier" IS NULL;
