/**
 * What a series key produced by the mappings measures — pure: (mappings, key) → quantity and
 * semantics, so a sink can create a series the first time a key is seen.
 *  - 'number'/'json': the series template the key fits; quantity from its unit (the key's last
 *    level when it names one of the unit's quantities, e.g. kWh → energy_export, else the first).
 *  - device formats: the key's last level is the decoder's suffix (active_power, energy_import,
 *    voltage …; OpenDTU's energy_today is an energy counter too).
 * Energy counters are 'cumulative', everything else 'instantaneous' (unless the mapping says).
 */
import { QUANTITIES, type Quantity, type Semantics } from '../model.js';
import type { CompiledMapping } from './mapping.js';

export interface SeriesDescription {
  quantity: Quantity;
  semantics: Semantics;
}

const DEVICE_SUFFIX: Readonly<Record<string, Quantity>> = {
  ...(Object.fromEntries(Object.keys(QUANTITIES).map((q) => [q, q])) as Record<string, Quantity>),
  energy_today: 'energy',
};

/** `meter/{1}/power` → /^meter\/(.+)\/power$/ (a capture may span levels: '#'). */
function templatePattern(template: string, tail = ''): RegExp {
  const parts = template.split(/\{\d+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}${tail}$`);
}

export function describeSeries(mappings: readonly CompiledMapping[], key: string): SeriesDescription | undefined {
  const last = key.split('/').at(-1) ?? '';
  for (const m of mappings) {
    const d = m.definition;
    if (d.format === 'number' || d.format === 'json') {
      const templates = d.format === 'number' ? [d.series.seriesKey] : d.series.map((s) => s.seriesKey);
      const i = templates.findIndex((t) => templatePattern(t).test(key));
      if (i < 0) continue;
      const quantities = m.units[i]!.quantities;
      const quantity = quantities.includes(last as Quantity) ? (last as Quantity) : quantities[0];
      if (!quantity) continue;
      return { quantity, semantics: m.semantics[i]! };
    }
    const quantity = DEVICE_SUFFIX[last];
    if (!quantity || !templatePattern(d.series.prefix.replace(/\/+$/, ''), '/.+').test(key)) continue;
    return { quantity, semantics: quantity.startsWith('energy') ? 'cumulative' : 'instantaneous' };
  }
  return undefined;
}
