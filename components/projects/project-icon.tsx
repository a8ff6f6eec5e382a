"use client";

import { useSyncExternalStore } from "react";

/**
 * A project's emoji, or — on a machine with no font that draws it (a Linux
 * box without an emoji font shows an empty box, "tofu") — the title's first
 * letter on a tile. Whether the emoji draws is measured once per emoji in the
 * browser: it is drawn on a canvas beside a code point no font has (which
 * always comes out as the missing-glyph box); identical pixels mean this
 * machine would show a box. The server renders the emoji; a browser that
 * cannot draw it swaps in the letter right after hydration.
 * @see docs/interface.md ("Project icons without an emoji font")
 */
export function ProjectIcon({ icon, title, className = "" }: { icon: string; title: string; className?: string }) {
  const drawable = useSyncExternalStore(subscribe, () => emojiDrawable(icon), () => true);
  if (!icon.trim()) return null;
  if (drawable)
    return (
      <span aria-hidden className={`font-emoji ${className}`}>
        {icon}
      </span>
    );
  const letter = Array.from(title.trim())[0]?.toUpperCase() ?? "?";
  return (
    <span
      aria-hidden
      data-testid="project-icon-fallback"
      className={`inline-flex h-[1.3em] w-[1.3em] items-center justify-center rounded bg-emerald-100 align-[-0.2em] text-[0.75em] font-semibold text-emerald-800 ${className}`}
    >
      {letter}
    </span>
  );
}

const subscribe = () => () => {};
const known = new Map<string, boolean>();

/** A code point in a private-use plane: no font draws it, so every browser shows its missing-glyph box. */
const NO_GLYPH = "\u{10FFFD}";
const INVISIBLE = /[\u200d\ufe0e\ufe0f]/u;

function emojiDrawable(icon: string): boolean {
  const cached = known.get(icon);
  if (cached !== undefined) return cached;
  let result = true;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (context) {
      const draw = (text: string) => {
        context.clearRect(0, 0, 32, 32);
        context.textBaseline = "top";
        context.font = `24px ${getComputedStyle(document.body).getPropertyValue("--font-emoji") || "sans-serif"}`;
        context.fillText(text, 0, 0);
        return context.getImageData(0, 0, 32, 32).data;
      };
      // A sequence the machine cannot draw comes out as one box per code point (joiners and variation selectors draw nothing).
      const boxes = Array.from(icon).filter((c) => !INVISIBLE.test(c)).length;
      const missing = draw(NO_GLYPH.repeat(Math.max(1, boxes)));
      const drawn = draw(icon);
      result = drawn.some((value, i) => value !== missing[i]);
    }
  } catch {
    // No canvas (a locked-down browser): show the emoji, as every browser with an emoji font would.
    result = true;
  }
  known.set(icon, result);
  return result;
}
