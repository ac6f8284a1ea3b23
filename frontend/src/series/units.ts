/**
 * Formatting of readings in a readable unit — pure, no I/O. Values arrive in the canonical unit
 * (W, Wh, %, …); power and energy are scaled to k/M/G so that at most four digits precede the comma.
 */
import type { Lang } from '../i18n';

const LOCALES: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

/** A number with a fixed number of decimals in the language's notation (de: decimal comma). */
export function formatNumber(value: number, decimals: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

export interface DisplayUnit {
  /** What the canonical value is divided by. */
  factor: number;
  unit: string;
}

const PREFIXES = [
  { factor: 1e9, prefix: 'G' },
  { factor: 1e6, prefix: 'M' },
  { factor: 1e3, prefix: 'k' },
] as const;

/** Units that take k/M/G prefixes; others (%, °C, Hz, EUR/MWh …) are shown as they are. */
const SCALABLE = new Set(['W', 'Wh', 'var', 'VA']);

/** The display unit for values of this magnitude: 1 234 W → kW, 5 600 000 Wh → MWh; 950 W stays W. */
export function displayUnit(unit: string, magnitude: number): DisplayUnit {
  if (!SCALABLE.has(unit)) return { factor: 1, unit };
  const m = Math.abs(magnitude);
  for (const p of PREFIXES) if (m >= p.factor) return { factor: p.factor, unit: `${p.prefix}${unit}` };
  return { factor: 1, unit };
}

/** Decimals for a scaled value: 2 below 10, otherwise 1; whole base units (W, Wh) without decimals. */
function decimalsFor(scaled: number, factor: number): number {
  if (factor === 1) return Math.abs(scaled) < 10 && !Number.isInteger(scaled) ? 1 : 0;
  return Math.abs(scaled) < 10 ? 2 : 1;
}

function formatScaled(value: number, unit: string, lang: Lang): string {
  if (!Number.isFinite(value)) return '–';
  const d = displayUnit(unit, value);
  const scaled = value / d.factor;
  return `${formatNumber(scaled, decimalsFor(scaled, d.factor), lang)} ${d.unit}`;
}

/** Power in W → "950 W", "12.3 kW", "1.25 MW". */
export function formatPower(watts: number, lang: Lang = 'en'): string {
  return formatScaled(watts, 'W', lang);
}

/** Energy in Wh → "800 Wh", "4.20 kWh", "12.5 MWh". */
export function formatEnergy(wattHours: number, lang: Lang = 'en'): string {
  return formatScaled(wattHours, 'Wh', lang);
}

/** Any reading in its canonical unit: power/energy scaled, % and the rest with up to two decimals. */
export function formatValue(value: number, unit: string, lang: Lang = 'en'): string {
  if (!Number.isFinite(value)) return '–';
  if (SCALABLE.has(unit)) return formatScaled(value, unit, lang);
  const decimals = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  const sep = unit === '%' && lang === 'en' ? '' : ' ';
  return unit ? `${formatNumber(value, decimals, lang)}${sep}${unit}` : formatNumber(value, decimals, lang);
}

/** A short age, e.g. 12 → "12 s", 200 → "3 min", 7300 → "2 h", 200000 → "2 d". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}
