/**
 * The alert life cycle as a pure function: the open alerts of a site and the conditions that hold
 * now → transitions. firing → acknowledged (by an operator) → resolved (the condition no longer
 * holds, or its rule was removed or disabled). One open alert per rule and subject: a condition
 * that still holds is a repeat (counted), re-notified every `renotifyS` while nobody acknowledged it.
 */
import type { Condition } from './evaluate.js';
import type { AlertRule } from './rules.js';

export interface OpenAlert {
  id: string;
  ruleId: string;
  subject: string;
  state: 'firing' | 'acknowledged';
  /** when the alert was last notified (webhook/e-mail), UTC ms; null when never */
  lastNotifiedAtMs: number | null;
}

export type Transition =
  | { type: 'fire'; condition: Condition }
  | { type: 'repeat'; alertId: string; condition: Condition; renotify: boolean }
  | { type: 'resolve'; alertId: string; reason: 'cleared' | 'rule-removed' };

/**
 * @param evaluated conditions per rule id, only for rules whose inputs could be read this time:
 *   an open alert of a rule missing here (its inputs failed) stays as it is.
 */
export function reconcile(
  open: readonly OpenAlert[],
  rules: readonly AlertRule[],
  evaluated: ReadonlyMap<string, readonly Condition[]>,
  nowMs: number,
): Transition[] {
  const out: Transition[] = [];
  const resolves: Transition[] = [];
  const byKey = new Map(open.map((a) => [`${a.ruleId}\u0000${a.subject}`, a]));
  const active = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (const [ruleId, conditions] of evaluated) {
    const rule = active.get(ruleId);
    if (rule === undefined) continue;
    for (const c of conditions) {
      const key = `${ruleId}\u0000${c.subject}`;
      if (seen.has(key)) continue; // one alert per rule and subject, even if a rule reports a subject twice
      seen.add(key);
      const a = byKey.get(key);
      if (a === undefined) out.push({ type: 'fire', condition: c });
      else {
        const renotify =
          a.state === 'firing' &&
          rule.renotifyS > 0 &&
          (a.lastNotifiedAtMs === null || nowMs - a.lastNotifiedAtMs >= rule.renotifyS * 1000);
        out.push({ type: 'repeat', alertId: a.id, condition: c, renotify });
      }
    }
  }
  for (const a of open) {
    if (!active.has(a.ruleId)) resolves.push({ type: 'resolve', alertId: a.id, reason: 'rule-removed' });
    else if (evaluated.has(a.ruleId) && !seen.has(`${a.ruleId}\u0000${a.subject}`))
      resolves.push({ type: 'resolve', alertId: a.id, reason: 'cleared' });
  }
  // resolutions first: a reader never sees a new alert beside one that this round resolves
  return [...resolves, ...out];
}

/** Delay before delivery attempt `attempt` (1-based) is retried: doubling from baseMs, capped at maxMs. */
export function retryDelayMs(attempt: number, baseMs = 5_000, maxMs = 3_600_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
