// Which rows of a long table to put in the document: those in or near the viewport
// (the page scrolls, not the table). Rows are one line high, so one rendered row's
// height places every other; the rest is stood in for by two spacer rows. Below
// ALL_ROWS rows every row is rendered.
import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";

export const ALL_ROWS = 200;
const OVERSCAN = 30;
const FIRST = 80;

export function useRowWindow(body: RefObject<HTMLTableSectionElement | null>, count: number): [number, number, number] {
  const [win, setWin] = useState<[number, number, number]>([0, Math.min(count, FIRST), 0]);
  useEffect(() => {
    if (count <= ALL_ROWS) {
      setWin([0, count, 0]);
      return;
    }
    let frame = 0;
    const place = () => {
      frame = 0;
      const el = body.current;
      const row = el?.querySelector<HTMLElement>("tr[aria-rowindex]");
      if (!el) return;
      if (!row) {
        // Nothing rendered yet to measure: a first batch, measured on the next frame.
        setWin([0, Math.min(count, FIRST), 0]);
        soon();
        return;
      }
      const h = row.offsetHeight || 1;
      const top = -el.getBoundingClientRect().top;
      const from = Math.max(0, Math.min(count, Math.floor(top / h) - OVERSCAN));
      const to = Math.max(from, Math.min(count, Math.ceil((top + window.innerHeight) / h) + OVERSCAN));
      setWin((w) => (w[0] === from && w[1] === to && w[2] === h ? w : [from, to, h]));
    };
    const soon = () => {
      if (!frame) frame = requestAnimationFrame(place);
    };
    place();
    window.addEventListener("scroll", soon, { passive: true });
    window.addEventListener("resize", soon);
    // Focus moved (by Tab) onto a row near the window's edge: the browser scrolls it into view.
    body.current?.addEventListener("focusin", soon);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener("scroll", soon);
      window.removeEventListener("resize", soon);
    };
  }, [count]);
  return win;
}
