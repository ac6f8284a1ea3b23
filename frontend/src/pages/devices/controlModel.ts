/** The control layer as the devices page shows it: agents per asset and recent commands — pure. */

export interface AgentView {
  assetId: string;
  kind: string;
  mode: string;
  reason: string | null;
  lastWrittenW: number | null;
  lastResult: string | null;
  lastError: string | null;
  measurementAgeMs: number | null;
  watchdog: string;
}

export interface ControlState {
  running: boolean;
  overdue: boolean;
  lastTickAtMs: number | null;
  peakLineW: number | null;
  projectedAverageW: number | null;
  agents: AgentView[];
}

export interface CommandView {
  id: number;
  atMs: number;
  assetId: string;
  source: string;
  requestedW: number;
  writtenW: number;
  clampedBy: string[];
  result: string;
  error: string | null;
  userName: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function parseControl(body: unknown): ControlState | null {
  if (!isRecord(body) || !Array.isArray(body.agents)) return null;
  const peak = isRecord(body.peak) ? body.peak : {};
  return {
    running: body.running === true,
    overdue: body.overdue === true,
    lastTickAtMs: num(body.lastTickAtMs),
    peakLineW: num(peak.lineW) ?? num(peak.targetW),
    projectedAverageW: num(peak.projectedAverageW),
    agents: body.agents.filter(isRecord).map((a) => ({
      assetId: String(a.assetId ?? ''),
      kind: String(a.kind ?? ''),
      mode: String(a.mode ?? ''),
      reason: strOrNull(a.reason),
      lastWrittenW: num(a.lastWrittenW),
      lastResult: strOrNull(a.lastResult),
      lastError: strOrNull(a.lastError),
      measurementAgeMs: num(a.measurementAgeMs),
      watchdog: String(a.watchdog ?? ''),
    })),
  };
}

export function parseCommands(body: unknown): CommandView[] {
  const list = isRecord(body) && Array.isArray(body.commands) ? body.commands : [];
  return list.filter(isRecord).flatMap((c) => {
    const id = num(c.id);
    const atMs = num(c.atMs);
    if (id === null || atMs === null) return [];
    return [
      {
        id,
        atMs,
        assetId: String(c.assetId ?? ''),
        source: String(c.source ?? ''),
        requestedW: num(c.requestedW) ?? 0,
        writtenW: num(c.writtenW) ?? 0,
        clampedBy: Array.isArray(c.clampedBy) ? c.clampedBy.map(String) : [],
        result: String(c.result ?? ''),
        error: strOrNull(c.error),
        userName: strOrNull(c.userName),
      },
    ];
  });
}

export interface SignalView {
  id: string;
  kind: string;
  fromMs: number;
  toMs: number;
  /** the limit or target it sets, W, by field name (maxPvPowerW, targetGridW …) */
  limits: Array<{ field: string; w: number }>;
  reference: string | null;
  cancelledAtMs: number | null;
}

const SIGNAL_LIMITS = ['maxControllablePowerW', 'maxPvPowerW', 'maxExportPowerW', 'targetGridW'] as const;

/** Grid-operator signals (GET /sites/:id/grid-signals); active at nowMs first. */
export function parseSignals(body: unknown, nowMs: number): { active: SignalView[]; other: SignalView[] } {
  const list = Array.isArray(body) ? body.filter(isRecord) : [];
  const all = list.flatMap((g) => {
    const fromMs = num(g.fromMs);
    const toMs = num(g.toMs);
    if (typeof g.id !== 'string' || fromMs === null || toMs === null) return [];
    return [
      {
        id: g.id,
        kind: String(g.kind ?? ''),
        fromMs,
        toMs,
        limits: SIGNAL_LIMITS.flatMap((f) => (num(g[f]) !== null ? [{ field: f, w: g[f] as number }] : [])),
        reference: strOrNull(g.reference),
        cancelledAtMs: num(g.cancelledAtMs),
      },
    ];
  });
  const isActive = (g: SignalView) => g.cancelledAtMs === null && g.fromMs <= nowMs && nowMs < g.toMs;
  return { active: all.filter(isActive), other: all.filter((g) => !isActive(g)) };
}
