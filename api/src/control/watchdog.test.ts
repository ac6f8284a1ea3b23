/**
 * Self-healing: a loop whose tick hangs (a device write that never answers) is reported by the
 * watchdog — an error log line, luna_control_tick_overdue = 1, the agents' watchdog 'overdue' — and
 * recovers when the tick completes. The database is a fake answering the few queries the service makes.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import type { MeasurementSource } from './measurements.js';
import { ControlService } from './service.js';
import type { DeviceView } from './tick.js';

const fakeDb = {
  async query(sql: string) {
    if (sql.includes('automation_enabled')) return { rows: [{ automation_enabled: true }] };
    return { rows: [] };
  },
} as unknown as Database;

describe('control watchdog', () => {
  it('reports a stalled loop (tick overdue by more than three ticks) and its recovery', async () => {
    const energy = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, control: { tickMs: 200, staleAfterMs: 60_000 } });
    const measurements: MeasurementSource = {
      async latest(_s, keys) {
        const values: Record<string, number> = { 'grid/power': 100_000, 'battery/power': 0, 'battery/soc': 50, 'pv/power': 0 };
        return Object.fromEntries(keys.map((k) => [k, { tsMs: Date.now(), value: values[k] ?? 0 }]));
      },
      async samples() {
        return [];
      },
    };
    let release: () => void = () => undefined;
    let hang = false;
    const view: DeviceView = { writable: true, state: 'online', setpoints: [{ name: 'power', unit: 'W', min: -500_000, max: 500_000 }] };
    const logs: { level: string; msg: string }[] = [];
    const at = (level: string) => (_o: unknown, msg?: string) => void logs.push({ level, msg: String(msg) });
    const registry = new Registry();
    const service = new ControlService({
      db: fakeDb,
      log: { info: at('info'), warn: at('warn'), error: at('error') } as never,
      registry,
      devices: {
        view: () => view,
        write: () => (hang ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
      },
    });
    await service.start([{ siteId: 'demo', energy, measurements }]);
    try {
      await new Promise((r) => setTimeout(r, 600));
      expect(service.status('demo')!.overdue).toBe(false);
      hang = true;
      await new Promise((r) => setTimeout(r, 3_500));
      const st = service.status('demo')!;
      expect(st.overdue).toBe(true);
      expect(st.agents.every((a) => a.watchdog === 'overdue')).toBe(true);
      expect(logs.some((l) => l.level === 'error' && l.msg.includes('the loop of site demo is stalled'))).toBe(true);
      expect(await registry.getSingleMetricAsString('luna_control_tick_overdue')).toContain('luna_control_tick_overdue{site="demo"} 1');
      hang = false;
      release();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(service.status('demo')!.overdue).toBe(false);
      expect(logs.some((l) => l.msg.includes('the loop of site demo runs again'))).toBe(true);
      expect(await registry.getSingleMetricAsString('luna_control_ticks_total')).toMatch(/luna_control_ticks_total\{site="demo"\} \d+/);
    } finally {
      hang = false;
      release();
      await service.stop();
    }
  }, 20_000);
});
