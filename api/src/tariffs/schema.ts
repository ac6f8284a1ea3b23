// Tariffs as data: the zod schema every file in /tariffs is validated against.
// Units are in the field names: ct/kWh for energy prices, EUR/kW/a for the demand charge,
// EUR/a for fixed annual amounts, percent for VAT and §14a Modul 2.
import { z } from 'zod';
import { WEEKDAYS, isValidTimeZone, parseHhMm } from './local-time.js';

const hhmm = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'local time "HH:MM" from 00:00 to 24:00')
  .describe('local wall-clock time HH:MM in the tariff time zone (24:00 = end of day)');
const weekday = z.enum(WEEKDAYS);
const ctPerKWh = z.number().describe('ct/kWh');

/** A weekly recurring window [from, to) in local time; `to` must be after `from` (use two windows to cross midnight). */
const windowShape = {
  days: z
    .array(weekday)
    .min(1)
    .default([...WEEKDAYS])
    .describe('local weekdays the window applies to; default all'),
  months: z
    .array(z.number().int().min(1).max(12))
    .min(1)
    .optional()
    .describe('local calendar months (1–12) the window applies to; default all'),
  from: hhmm,
  to: hhmm,
};

export const FixedEnergySchema = z.strictObject({
  type: z.literal('fixed'),
  priceCtPerKWh: ctPerKWh,
});

export const TimeOfUseEnergySchema = z.strictObject({
  type: z.literal('timeOfUse'),
  defaultPriceCtPerKWh: ctPerKWh.describe('price outside every period, ct/kWh'),
  periods: z
    .array(z.strictObject({ name: z.string().min(1), ...windowShape, priceCtPerKWh: ctPerKWh }))
    .min(1)
    .describe('first matching period wins'),
});

export const DynamicEnergySchema = z.strictObject({
  type: z.literal('dynamic'),
  surcharges: z
    .array(z.strictObject({ name: z.string().min(1), priceCtPerKWh: ctPerKWh }))
    .default([])
    .describe('fixed surcharges added to the day-ahead spot price of each interval, ct/kWh'),
});

export const EnergySchema = z.discriminatedUnion('type', [FixedEnergySchema, TimeOfUseEnergySchema, DynamicEnergySchema]);

export const FeedInSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fixed'), priceCtPerKWh: ctPerKWh }),
  z.strictObject({
    type: z.literal('spotMinusMargin'),
    marginCtPerKWh: z.number().min(0).describe('direct-marketing margin subtracted from the spot price, ct/kWh'),
  }),
]);

export const DemandChargeSchema = z.strictObject({
  priceEurPerKwPerYear: z.number().min(0),
  billingPeriod: z
    .enum(['year', 'month'])
    .describe('the period whose highest 15-min average import is charged; monthly: annual price pro-rated by hours'),
});

export const GridSchema = z.strictObject({
  energyChargeCtPerKWh: ctPerKWh.min(0).default(0).describe('grid energy charge (Arbeitspreis), ct/kWh'),
  demandCharge: DemandChargeSchema.optional().describe('Leistungspreis'),
  standingChargeEurPerYear: z.number().min(0).default(0).describe('Grundpreis / Messstellenbetrieb, EUR/a'),
});

export const Section14aSchema = z.strictObject({
  module1: z
    .strictObject({ reductionEurPerYear: z.number().min(0) })
    .optional()
    .describe('§14a Modul 1: flat annual reduction of the grid fee'),
  module2: z
    .strictObject({ energyChargeReductionPercent: z.number().min(0).max(100) })
    .optional()
    .describe('§14a Modul 2: percentage reduction of the grid energy charge for the separately metered device'),
  module3: z
    .strictObject({
      energyChargeCtPerKWh: z.strictObject({ low: ctPerKWh.min(0), standard: ctPerKWh.min(0), high: ctPerKWh.min(0) }),
      windows: z
        .array(z.strictObject({ level: z.enum(['low', 'high']), ...windowShape }))
        .min(1)
        .describe('low/high windows in local time; standard elsewhere; first match wins'),
    })
    .optional()
    .describe('§14a Modul 3: time-variable grid energy charge (only together with Modul 1)'),
});

export const TariffSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case id, equal to the file name without .json'),
    name: z.string().min(1),
    description: z.string().optional(),
    example: z.boolean().default(false).describe('true: illustrative numbers, not a published tariff'),
    currency: z.literal('EUR').default('EUR'),
    timeZone: z.string().refine(isValidTimeZone, 'unknown IANA time zone').default('Europe/Berlin'),
    energy: EnergySchema,
    vat: z
      .strictObject({
        percent: z.number().min(0).max(100),
        reclaimed: z.boolean().describe('true for a business that reclaims input VAT: VAT is not part of its cost'),
      })
      .optional(),
    feedIn: FeedInSchema.optional(),
    grid: GridSchema,
    section14a: Section14aSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const windows: { from: string; to: string; path: (string | number)[] }[] = [];
    if (t.energy.type === 'timeOfUse') t.energy.periods.forEach((p, i) => windows.push({ ...p, path: ['energy', 'periods', i] }));
    t.section14a?.module3?.windows.forEach((w, i) => windows.push({ ...w, path: ['section14a', 'module3', 'windows', i] }));
    for (const w of windows) {
      if (parseHhMm(w.from) >= parseHhMm(w.to)) {
        ctx.addIssue({ code: 'custom', path: w.path, message: '"from" must be before "to" (split a window that crosses midnight)' });
      }
    }
    const s = t.section14a;
    if (s?.module1 && s.module2) ctx.addIssue({ code: 'custom', path: ['section14a'], message: 'Modul 1 and Modul 2 are alternatives' });
    if (s?.module3 && !s.module1)
      ctx.addIssue({ code: 'custom', path: ['section14a'], message: 'Modul 3 is only available together with Modul 1' });
    if (s?.module3 && s.module3.energyChargeCtPerKWh.standard !== t.grid.energyChargeCtPerKWh) {
      ctx.addIssue({
        code: 'custom',
        path: ['section14a', 'module3', 'energyChargeCtPerKWh', 'standard'],
        message: 'the Modul 3 standard level must equal grid.energyChargeCtPerKWh',
      });
    }
  });

/** A validated tariff (defaults filled in). */
export type Tariff = z.infer<typeof TariffSchema>;
/** A tariff as written in a data file (defaults may be omitted). */
export type TariffInput = z.input<typeof TariffSchema>;

export function parseTariff(input: unknown): Tariff {
  return TariffSchema.parse(input);
}

/** JSON Schema of a tariff data file (what an editor validates against). */
export function tariffJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TariffSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
