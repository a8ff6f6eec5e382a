/**
 * Small inline icons for the board. SVG rather than emoji: emoji fonts are
 * missing on many Linux machines (and in our test browser), where they show as boxes.
 */
type IconProps = { className?: string; label?: string };

function Svg({ className = "h-3 w-3", label, children }: IconProps & { children: React.ReactNode }) {
  return (
    <svg
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    >
      {children}
    </svg>
  );
}

export const PersonIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="8" cy="5" r="2.75" />
    <path d="M2.5 14c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5" />
  </Svg>
);
export const SparkIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8 1.5v3M8 11.5v3M1.5 8h3M11.5 8h3M3.4 3.4l2.1 2.1M10.5 10.5l2.1 2.1M3.4 12.6l2.1-2.1M10.5 5.5l2.1-2.1" />
  </Svg>
);
export const CommentIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" />
  </Svg>
);
export const LockIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="3" y="7" width="10" height="7" rx="1.2" />
    <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
  </Svg>
);
export const DocumentIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4 1.5h5l3 3v10H4z" />
    <path d="M9 1.5v3h3M6 8h4M6 10.5h4" />
  </Svg>
);
export const NoteIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M2.5 2.5h11v7l-4 4h-7z" />
    <path d="M9.5 13.5v-4h4" />
  </Svg>
);
export const ForkIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="4.5" cy="3" r="1.5" />
    <circle cx="11.5" cy="3" r="1.5" />
    <circle cx="8" cy="13" r="1.5" />
    <path d="M4.5 4.5v1.5c0 1.5 3.5 2.5 3.5 5.5M11.5 4.5v1.5c0 1.5-3.5 2.5-3.5 5.5" />
  </Svg>
);
export const ChatIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M2 3h8v5.5H5.5L3 10.5V8.5H2z" />
    <path d="M12 6h2v5.5h-1v2l-2.5-2H6.5V10" />
  </Svg>
);

/** Four corners: "fit the whole board on screen". */
export const FitIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" />
  </Svg>
);
