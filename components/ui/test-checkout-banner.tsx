/** Shown on every page of a production build that kept the test checkout (ARBOR_TEST_CHECKOUT=1). */
export function TestCheckoutBanner() {
  return (
    <div role="note" aria-label="Test payments" className="border-b-2 border-dashed border-amber-400 bg-amber-50 px-4 py-1.5 text-center text-xs text-amber-900">
      <strong>This server takes no real payments.</strong> Its test checkout hands out plans and credits for free (ARBOR_TEST_CHECKOUT=1); it is for
      testing only.
    </div>
  );
}
