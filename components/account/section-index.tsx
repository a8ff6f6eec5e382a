"use client";

import { useEffect, useState } from "react";

export type AccountSection = { id: string; title: string };

/**
 * The account page's table of contents: a link to each card (the page keeps
 * it in view while it scrolls: a column beside the cards on wide screens, a
 * row above them on narrow ones). The card in view is marked `aria-current`, so
 * the list also says where you are.
 */
export function SectionIndex({ sections }: { sections: AccountSection[] }) {
  const [current, setCurrent] = useState<string | null>(null);
  useEffect(() => {
    const targets = sections.map((s) => document.getElementById(s.id)).filter((el): el is HTMLElement => el !== null);
    // The topmost card crossing the upper third of the viewport is "here".
    const observer = new IntersectionObserver(
      (entries) => {
        const visible = entries.filter((e) => e.isIntersecting).sort((a, b) => a.boundingClientRect.top - b.boundingClientRect.top);
        if (visible[0]) setCurrent(visible[0].target.id);
      },
      { rootMargin: "0px 0px -66% 0px" },
    );
    for (const target of targets) observer.observe(target);
    return () => observer.disconnect();
  }, [sections]);
  // On a narrow screen the index is a row that scrolls sideways: keep the current link in it.
  useEffect(() => {
    if (current) document.querySelector(`nav[aria-label="Account sections"] a[href="#${current}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [current]);
  return (
    <nav aria-label="Account sections" className="-mx-4 bg-zinc-50/95 px-4 py-2 backdrop-blur lg:mx-0 lg:bg-transparent lg:p-0 lg:backdrop-blur-none">
      <h2 className="sr-only">On this page</h2>
      <ul className="flex gap-1 overflow-x-auto text-sm lg:flex-col lg:overflow-visible">
        {sections.map((s) => (
          <li key={s.id} className="shrink-0">
            <a
              href={`#${s.id}`}
              aria-current={current === s.id ? "location" : undefined}
              className="block whitespace-nowrap rounded-md px-2 py-1 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 aria-[current=location]:bg-emerald-50 aria-[current=location]:font-medium aria-[current=location]:text-emerald-800"
            >
              {s.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
