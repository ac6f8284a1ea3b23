/** Built-in rule sets, as data (validated like any user rule set). */
import { parseRuleSet, type RuleSet } from './schema.js';

/**
 * Grid-friendly (netzdienlich): feed-in capped at 60 % of the PV peak power (the midday peak goes
 * into the battery or is curtailed, not into the grid), import held below a peak cap, and half
 * the battery kept in reserve on weekdays 15:00–18:00 for the evening peak of the grid.
 * The import cap has the highest priority: it may use the reserve.
 */
export function gridFriendly(params: { pvPeakW: number; importCapW: number; timeZone?: string }): RuleSet {
  return parseRuleSet({
    id: 'grid-friendly',
    name: 'Grid-friendly (netzdienlich)',
    version: 1,
    timeZone: params.timeZone ?? 'Europe/Berlin',
    rules: [
      {
        id: 'evening-reserve',
        type: 'socReserve',
        priority: 100,
        minSocPercent: 50,
        window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '15:00', to: '18:00' },
      },
      { id: 'feed-in-cap', type: 'exportLimit', priority: 200, maxExportW: Math.round(0.6 * params.pvPeakW) },
      { id: 'import-cap', type: 'importLimit', priority: 300, maxImportW: params.importCapW },
    ],
  });
}

/** Self-consumption: never charge from the grid; keep 10 % for outages and the night. */
export function selfConsumptionRules(params: { timeZone?: string } = {}): RuleSet {
  return parseRuleSet({
    id: 'self-consumption',
    name: 'Self-consumption',
    version: 1,
    timeZone: params.timeZone ?? 'Europe/Berlin',
    rules: [
      { id: 'no-grid-charge', type: 'noGridCharge', priority: 200 },
      { id: 'base-reserve', type: 'socReserve', priority: 100, minSocPercent: 10 },
    ],
  });
}
