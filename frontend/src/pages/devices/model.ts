/** Devices and overrides as the devices page shows them — pure parsing and checks. */

export interface DeviceView {
  id: string;
  name: string;
  model: string;
  protocol: string;
  state: string;
  sinceMs: number | null;
  lastValueMs: number | null;
  reads: number;
  /** error counts by kind, only the non-zero ones */
  errors: Array<{ kind: string; count: number }>;
  lastError: { kind: string; message: string; atMs: number } | null;
}

export interface SetpointSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  defaultRevertTimeoutS: number;
  maxRevertTimeoutS: number;
}

export interface OverrideView {
  assetId: string;
  setpointW: number;
  expiresAtMs: number;
  createdAtMs: number;
  userName: string | null;
  reason: string | null;
  releasedAtMs: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function parseDevices(body: unknown): DeviceView[] {
  if (!Array.isArray(body)) return [];
  return body.filter(isRecord).flatMap((d) => {
    const cfg = isRecord(d.config) ? d.config : {};
    const h = isRecord(d.health) ? d.health : {};
    const id = str(cfg.id) || str(h.deviceId);
    if (!id) return [];
    const errors = isRecord(h.errors)
      ? Object.entries(h.errors)
          .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
          .map(([kind, count]) => ({ kind, count }))
      : [];
    const le = isRecord(h.lastError) ? h.lastError : null;
    return [
      {
        id,
        name: str(cfg.name) || id,
        model: str(cfg.model) || str(h.model),
        protocol: str(cfg.protocol) || str(h.protocol),
        state: str(h.state) || 'unknown',
        sinceMs: numOrNull(h.sinceMs),
        lastValueMs: numOrNull(h.lastValueMs),
        reads: numOrNull(h.reads) ?? 0,
        errors,
        lastError: le ? { kind: str(le.kind), message: str(le.message), atMs: numOrNull(le.atMs) ?? 0 } : null,
      },
    ];
  });
}

/** Setpoints per model id from GET /device-models. */
export function parseModelSetpoints(body: unknown): Map<string, SetpointSpec[]> {
  const out = new Map<string, SetpointSpec[]>();
  if (!Array.isArray(body)) return out;
  for (const m of body.filter(isRecord)) {
    const sps = Array.isArray(m.setpoints) ? m.setpoints.filter(isRecord) : [];
    out.set(
      str(m.id),
      sps.map((sp) => ({
        name: str(sp.name),
        unit: str(sp.unit),
        min: numOrNull(sp.min) ?? -Infinity,
        max: numOrNull(sp.max) ?? Infinity,
        defaultRevertTimeoutS: numOrNull(sp.defaultRevertTimeoutS) ?? 60,
        maxRevertTimeoutS: numOrNull(sp.maxRevertTimeoutS) ?? 3600,
      })),
    );
  }
  return out;
}

function parseOverride(v: unknown): OverrideView | null {
  if (!isRecord(v) || typeof v.assetId !== 'string' || typeof v.setpointW !== 'number') return null;
  return {
    assetId: v.assetId,
    setpointW: v.setpointW,
    expiresAtMs: numOrNull(v.expiresAtMs) ?? 0,
    createdAtMs: numOrNull(v.createdAtMs) ?? 0,
    userName: typeof v.userName === 'string' ? v.userName : null,
    reason: typeof v.reason === 'string' ? v.reason : null,
    releasedAtMs: numOrNull(v.releasedAtMs),
  };
}

export function parseOverrides(body: unknown): { active: OverrideView[]; recent: OverrideView[] } {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(parseOverride).filter((o): o is OverrideView => o !== null) : []);
  return isRecord(body) ? { active: list(body.active), recent: list(body.recent) } : { active: [], recent: [] };
}

export interface AssetOption {
  id: string;
  kind: 'battery' | 'pv' | 'flexible';
  /** physical range of the setpoint, W */
  minW: number;
  maxW: number;
}

/** The assets an override can target, from the site energy configuration (or its { config } wrapper). */
export function assetsFromEnergy(body: unknown): AssetOption[] {
  const cfg = isRecord(body) && isRecord(body.grid) ? body : isRecord(body) && isRecord(body.config) ? body.config : null;
  if (!cfg) return [];
  const arr = (v: unknown) => (Array.isArray(v) ? v.filter(isRecord) : []);
  return [
    ...arr(cfg.batteries).map((b) => ({
      id: str(b.id),
      kind: 'battery' as const,
      minW: -(numOrNull(b.maxChargeW) ?? 0),
      maxW: numOrNull(b.maxDischargeW) ?? 0,
    })),
    ...arr(cfg.pv).map((p) => ({ id: str(p.id), kind: 'pv' as const, minW: 0, maxW: numOrNull(p.ratedW) ?? 0 })),
    ...arr(cfg.flexibleLoads).map((f) => ({
      id: str(f.id),
      kind: 'flexible' as const,
      minW: numOrNull(f.minPowerW) ?? 0,
      maxW: numOrNull(f.maxPowerW) ?? 0,
    })),
  ].filter((a) => a.id);
}

export type OverrideProblem = 'value' | 'range' | 'expiry';

/** Checks the form before sending (the service checks again): a number inside the range, expiry 1 min … 24 h. */
export function checkOverride(valueText: string, expiryMin: string, range: { minW: number; maxW: number }): OverrideProblem | null {
  const v = Number(valueText.replace(',', '.'));
  if (valueText.trim() === '' || !Number.isFinite(v)) return 'value';
  if (v < range.minW || v > range.maxW) return 'range';
  const m = Number(expiryMin);
  if (!Number.isInteger(m) || m < 1 || m > 1440) return 'expiry';
  return null;
}
