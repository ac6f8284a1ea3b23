/** Formatting shared by the pages — pure. */
import type { Lang } from '../i18n';
import { zoneOrUtc } from '../series/localtime';

const LOCALES: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

/** 1234.5 → "€1,234.50" / "1.234,50 €". */
export function formatEur(eur: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency: 'EUR' }).format(eur);
}

/** Date and time in the site's zone (or UTC), e.g. "27/11/2026, 09:15:02". */
export function formatTime(ms: number, timeZone: string, lang: Lang, withSeconds = true): string {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    timeZone: zoneOrUtc(timeZone),
    dateStyle: 'short',
    timeStyle: withSeconds ? 'medium' : 'short',
  }).format(new Date(ms));
}

/** The browser's own zone, for pages without a site. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
