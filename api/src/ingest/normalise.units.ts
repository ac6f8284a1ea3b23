/**
 * Unit strings as written in German and English exports → canonical unit, factor and quantities.
 * Part of the normalisation contract in ./normalise.ts (re-exported there).
 */
import type { Quantity } from './model.js';
import type { UnitInfo } from './normalise.js';

interface BaseUnit {
  canonical: string;
  quantities: Quantity[];
  /** SI prefixes this base takes in exports (a prefix outside this list makes the unit unknown) */
  prefixes: readonly Prefix[];
}

type Prefix = 'm' | 'k' | 'M' | 'G';
const PREFIX_FACTOR: Record<Prefix, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9 };

const ENERGY: Quantity[] = ['energy_import', 'energy_export', 'energy'];

/** keyed by the lower-cased symbol; the canonical spelling is `canonical` */
const BASES: Record<string, BaseUnit> = {
  w: { canonical: 'W', quantities: ['active_power'], prefixes: ['m', 'k', 'M', 'G'] },
  wh: { canonical: 'Wh', quantities: ENERGY, prefixes: ['m', 'k', 'M', 'G'] },
  var: { canonical: 'var', quantities: ['reactive_power'], prefixes: ['m', 'k', 'M'] },
  v: { canonical: 'V', quantities: ['voltage'], prefixes: ['k'] },
  a: { canonical: 'A', quantities: ['current'], prefixes: [] },
  hz: { canonical: 'Hz', quantities: ['frequency'], prefixes: [] },
};

/** units without prefixes, keyed by the lower-cased spelling with inner spaces removed */
const FIXED: Record<string, Omit<UnitInfo, 'unit'>> = {
  '%': { canonical: '%', factor: 1, quantities: ['state_of_charge'] },
  '°c': { canonical: '°C', factor: 1, quantities: ['temperature'] },
  '℃': { canonical: '°C', factor: 1, quantities: ['temperature'] },
  degc: { canonical: '°C', factor: 1, quantities: ['temperature'] },
  'w/m²': { canonical: 'W/m²', factor: 1, quantities: ['irradiance'] },
  'w/m2': { canonical: 'W/m²', factor: 1, quantities: ['irradiance'] },
  'w/qm': { canonical: 'W/m²', factor: 1, quantities: ['irradiance'] },
  'eur/mwh': { canonical: 'EUR/MWh', factor: 1, quantities: ['price'] },
  '€/mwh': { canonical: 'EUR/MWh', factor: 1, quantities: ['price'] },
  'eur/kwh': { canonical: 'EUR/MWh', factor: 1000, quantities: ['price'] },
  '€/kwh': { canonical: 'EUR/MWh', factor: 1000, quantities: ['price'] },
  'ct/kwh': { canonical: 'EUR/MWh', factor: 10, quantities: ['price'] },
};

/** '[kWh]', '(kW)', ' kWh ' → 'kWh' */
function stripDecoration(text: string): string {
  let s = text.trim();
  for (;;) {
    const m = /^[[({](.*)[\])}]$/s.exec(s);
    if (!m) return s;
    s = (m[1] ?? '').trim();
  }
}

/**
 * Parses units as found in German and English exports: W, kW, MW, GW, Wh, kWh, MWh, GWh, var, kvar,
 * Mvar, %, °C, degC, W/m², W/m2, W/qm, V, kV, A, Hz, EUR/MWh, €/MWh, ct/kWh, EUR/kWh. Surrounding
 * brackets and spaces are tolerated ('[kWh]'). Case-tolerant except where it matters: 'MW' is
 * megawatt, 'mW' (and 'mWh', 'mvar') milli; an all-lower-case 'mw'/'mwh' cannot be told apart and
 * is unknown. A bare 'C' is not taken for °C; VA/kVA (apparent power) is not a known quantity.
 * Undefined when unknown; `unit` is the text without brackets and surrounding spaces.
 */
export function parseUnit(text: string): UnitInfo | undefined {
  const unit = stripDecoration(text);
  if (unit === '') return undefined;
  const fixed = FIXED[unit.replace(/\s+/g, '').toLowerCase()];
  if (fixed) return { unit, ...fixed, quantities: [...fixed.quantities] };

  const plain = BASES[unit.toLowerCase()];
  if (plain) return { unit, canonical: plain.canonical, factor: 1, quantities: [...plain.quantities] };

  const rest = unit.slice(1);
  const base = BASES[rest.toLowerCase()];
  const prefix = prefixOf(unit.charAt(0), rest, base);
  if (!base || !prefix || !base.prefixes.includes(prefix)) return undefined;
  return { unit, canonical: base.canonical, factor: PREFIX_FACTOR[prefix], quantities: [...base.quantities] };
}

/** 'k'/'K' kilo, 'M' mega, 'G'/'g' giga; 'm' is milli only when the base is spelled correctly ('mW', not 'mw') */
function prefixOf(letter: string, rest: string, base: BaseUnit | undefined): Prefix | undefined {
  if (letter === 'k' || letter === 'K') return 'k';
  if (letter === 'M') return 'M';
  if (letter === 'G' || letter === 'g') return 'G';
  if (letter === 'm' && base && rest === base.canonical) return 'm';
  return undefined;
}
