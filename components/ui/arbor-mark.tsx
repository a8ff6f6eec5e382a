/**
 * Arbor's mark: a trunk that forks, like a conversation. An inline SVG, not
 * the 🌳 emoji, which shows as an empty box where no emoji font is installed.
 */
export function ArborMark({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" aria-hidden className={className} fill="none" strokeLinecap="round" strokeLinejoin="round">
      <path d="M10 18V9M10 12 5.5 7.5M10 10l4.5-4.5" stroke="#047857" strokeWidth={1.8} />
      <circle cx="10" cy="5.5" r="2.5" fill="#10b981" />
      <circle cx="4.5" cy="6.5" r="2" fill="#34d399" />
      <circle cx="15.5" cy="4.5" r="2" fill="#059669" />
    </svg>
  );
}
