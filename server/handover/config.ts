import "server-only";
/**
 * The handover incentive (docs/collaboration.md#collaboration-and-handover): a person who takes over a
 * project pays a discounted first year of the managed plan. Both figures are
 * recorded on the handover when it starts, so a later change here never alters
 * an offer already mailed. Billing applies the first-year price at Checkout
 * from `billing_accounts.pending_coupon_price_micros`.
 */
export const HANDOVER_FIRST_YEAR_PRICE_MICROS = 96_000_000n; // $96 for the first year
export const HANDOVER_REGULAR_PRICE_MICROS = 120_000_000n; // $120 per year afterwards

/** How long a handover link stays valid. */
export const HANDOVER_TTL_MS = 7 * 24 * 3_600_000;

