/**
 * Rules as data: a versioned rule set of declarative rules, validated by zod. A rule only limits
 * or adjusts the intent of a control tick (battery power, PV cap); it never sees devices.
 */
import { z } from 'zod';

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'local time "HH:MM"');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** A daily local-time window [from, to) on some weekdays (default every day). */
export const WindowSchema = z
  .strictObject({
    days: z.array(weekday).min(1).optional(),
    from: hhmm,
    to: hhmm,
  })
  .refine((w) => w.from < w.to, { message: '"from" must be before "to" (split a window that crosses midnight)' });

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case id'),
  description: z.string().optional(),
  /** higher wins: rules are applied in ascending priority, so the highest has the last word */
  priority: z.number().int().min(0).max(1000),
  enabled: z.boolean().default(true),
  window: WindowSchema.optional().describe('local time window in which the rule applies; default always'),
};

export const RuleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('socReserve'),
    /** do not discharge below this share of the usable capacity inside the window */
    minSocPercent: z.number().min(0).max(100),
  }),
  z.strictObject({
    ...base,
    type: z.literal('exportLimit'),
    /** grid export at most this, W: charge the battery first, then curtail PV */
    maxExportW: z.number().min(0),
  }),
  z.strictObject({
    ...base,
    type: z.literal('importLimit'),
    /** grid import at most this, W: discharge the battery to hold it (if it can) */
    maxImportW: z.number().min(0),
  }),
  z.strictObject({
    ...base,
    type: z.literal('gridChargeBelowPrice'),
    /** charge from the grid only while the day-ahead price is below this, EUR/MWh */
    maxPriceEurPerMWh: z.number(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('noGridCharge'),
  }),
]);

export const RuleSetSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    name: z.string().min(1),
    /** bumped on every change; a dry run and a control tick report the version they used */
    version: z.number().int().min(1),
    timeZone: z.string().default('Europe/Berlin'),
    rules: z.array(RuleSchema),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id "${r.id}" is used twice` });
      seen.add(r.id);
    });
  });

export type Rule = z.infer<typeof RuleSchema>;
export type RuleSet = z.infer<typeof RuleSetSchema>;
export type RuleSetInput = z.input<typeof RuleSetSchema>;

export class RuleSetError extends Error {
  override readonly name = 'RuleSetError';
  readonly retryable = false;
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/** Validates a rule set; throws RuleSetError listing every issue with its path. */
export function parseRuleSet(input: unknown): RuleSet {
  const r = RuleSetSchema.safeParse(input);
  if (!r.success) throw new RuleSetError(r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
  return r.data;
}
