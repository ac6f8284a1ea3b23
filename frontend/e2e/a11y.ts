/**
 * The label checks of the browser tests (a small offline stand-in for axe-core's "label",
 * "button-name" and "link-name" rules): every visible input, select, textarea, button and link
 * must have an accessible name.
 */
import type { Page } from 'playwright-core';

export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const nameOf = (el: Element): string => {
      const aria = el.getAttribute('aria-label');
      if (aria?.trim()) return aria;
      const by = el.getAttribute('aria-labelledby');
      if (by)
        return by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim();
      if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
        const labels = Array.from(el.labels ?? [])
          .map((l) => l.textContent ?? '')
          .join(' ')
          .trim();
        if (labels) return labels;
        return el.getAttribute('title') ?? '';
      }
      return (el.textContent ?? '').trim() || (el.getAttribute('title') ?? '');
    };
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input, select, textarea, button, a[href]'))) {
      if (!visible(el) || (el as HTMLInputElement).type === 'hidden') continue;
      if (!nameOf(el)) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
}
