/**
 * Alert rules as data: one zod schema per kind (threshold, anomaly, device offline, peak at risk),
 * validation with a field path for every problem, and the built-in default rules a site gets until
 * an operator saves a rule set of its own.
 */
import { z } from 'zod';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_CHANNELS = ['dashboard', 'webhook', 'email'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export const THRESHOLD_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

const seconds = (max: number) => z.number().int().min(0).max(max);

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'lower-case letters, digits, "_", "." or "-", at most 63 characters'),
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  severity: z.enum(ALERT_SEVERITIES),
  /** channels to notify; the dashboard (live bus) always sees every alert */
  channels: z.array(z.enum(ALERT_CHANNELS)).default(['dashboard', 'webhook', 'email']),
  /** while firing and not acknowledged, notify again every renotifyS seconds (0 = once) */
  renotifyS: seconds(7 * 86_400).default(0),
};

export const thresholdRuleSchema = z.object({
  ...common,
  kind: z.literal('threshold'),
  /** series key of the site, e.g. grid/power */
  seriesKey: z.string().min(1).max(200),
  op: z.enum(THRESHOLD_OPS),
  /** in the series' canonical unit (W, %, …) */
  value: z.number().finite(),
  /** the condition must hold for every reading over this long before the alert fires */
  forS: seconds(86_400).default(0),
  /** readings older than this count as no data: the condition does not hold */
  maxAgeS: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(900),
});

export const anomalyRuleSchema = z.object({
  ...common,
  kind: z.literal('anomaly'),
  /** event kind prefixes (e.g. anomaly., anomaly.gap, prices.missing); empty = every kind */
  eventKinds: z.array(z.string().min(1).max(64)).default(['anomaly.']),
  /** events of this severity and above */
  minSeverity: z.enum(ALERT_SEVERITIES).default('critical'),
  /** an event counts while it is unacknowledged and its range ended less than this long ago */
  activeForS: seconds(7 * 86_400).default(3_600),
});

export const deviceOfflineRuleSchema = z.object({
  ...common,
  kind: z.literal('device-offline'),
  /** device ids; empty = every device of the site */
  deviceIds: z.array(z.string().min(1).max(100)).default([]),
  /** connection states that count as offline */
  states: z
    .array(z.enum(['connecting', 'online', 'degraded', 'offline', 'stopped']))
    .min(1)
    .default(['offline']),
  /** the device must be in one of the states for longer than this */
  afterS: seconds(86_400).default(120),
});

export const peakAtRiskRuleSchema = z.object({
  ...common,
  kind: z.literal('peak-at-risk'),
  /** series key of the grid meter (W, + import) */
  seriesKey: z.string().min(1).max(200).default('grid/power'),
  /** fire when the projected quarter-hour average exceeds the target minus this share of it (%) */
  marginPct: z.number().min(0).max(50).default(0),
  /** no projection in the first seconds of a quarter hour (too few readings) */
  minElapsedS: seconds(899).default(60),
});

export const alertRuleSchema = z.discriminatedUnion('kind', [
  thresholdRuleSchema,
  anomalyRuleSchema,
  deviceOfflineRuleSchema,
  peakAtRiskRuleSchema,
]);
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type AnomalyRule = z.infer<typeof anomalyRuleSchema>;
export type DeviceOfflineRule = z.infer<typeof deviceOfflineRuleSchema>;
export type PeakAtRiskRule = z.infer<typeof peakAtRiskRuleSchema>;
export type AlertRuleKind = AlertRule['kind'];
export const ALERT_RULE_KINDS: readonly AlertRuleKind[] = ['threshold', 'anomaly', 'device-offline', 'peak-at-risk'];

/**
 * Validates a rule set. Every problem names its field (`[2].value: …`); the valid rules are
 * returned beside the errors, but a rule set is only saved when there are none.
 */
export function parseRuleSet(input: unknown): { rules: AlertRule[]; errors: string[] } {
  if (!Array.isArray(input)) return { rules: [], errors: ['(root): expected an array of rules'] };
  const rules: AlertRule[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  input.forEach((raw, i) => {
    const r = alertRuleSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) errors.push(`[${i}]${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
      return;
    }
    if (seen.has(r.data.id)) {
      errors.push(`[${i}].id: duplicate rule id "${r.data.id}"`);
      return;
    }
    seen.add(r.data.id);
    rules.push(r.data);
  });
  return { rules, errors };
}

/** What a site watches until its operator saves a rule set: device offline, peak at risk, critical anomalies. */
export function defaultRules(): AlertRule[] {
  return parseRuleSet([
    { id: 'device-offline', kind: 'device-offline', name: 'Device offline for more than 2 minutes', severity: 'warning', afterS: 120 },
    {
      id: 'peak-at-risk',
      kind: 'peak-at-risk',
      name: 'Quarter-hour import projected above the billing-period peak target',
      severity: 'critical',
      seriesKey: 'grid/power',
      renotifyS: 300,
    },
    {
      id: 'anomaly-critical',
      kind: 'anomaly',
      name: 'Critical anomaly on a measured series',
      severity: 'critical',
      eventKinds: ['anomaly.'],
      minSeverity: 'critical',
    },
  ]).rules;
}
