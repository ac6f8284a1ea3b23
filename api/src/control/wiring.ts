/**
 * Wires the control agents into the service (app.ts): one loop per site with an energy
 * configuration (table site_energy); the demo site on the simulator runs on the simulator's clock,
 * reads its ReadingsTap and writes through the demo's own drivers.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { DemoReplay, SimulatedDemo } from '../demo/index.js';
import type { DeviceService } from '../devices/service.js';
import type { Logger } from '../ops/logger.js';
import type { RuleSet } from '../rules/index.js';
import { getSiteEnergy, listSiteEnergy } from '../site-energy/index.js';
import type { Database } from '../store/index.js';
import { controlDevices } from './devices.js';
import { DbMeasurements, newestOf } from './measurements.js';
import type { ControlInputs, PlanSource } from './model.js';
import { ControlService, type SiteControlSpec } from './service.js';

export interface ControlHandle {
  /** undefined when LUNA_CONTROL=off */
  service: ControlService | undefined;
  /** the site's energy configuration changed: restart its loop (or start/stop it) */
  reload(siteId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startControl(o: {
  config: Config['control'];
  db: Database;
  log: Logger;
  bus: { publish(topic: string, message: unknown): Promise<void> };
  registry: Registry;
  devices: DeviceService;
  demo: DemoReplay | undefined;
  plans: PlanSource;
  inputs: ControlInputs;
  rules: { active(siteId: string): Promise<RuleSet | null | undefined> };
}): Promise<ControlHandle> {
  if (!o.config.enabled) {
    o.log.info('control: off (LUNA_CONTROL=off); no agent writes setpoints');
    return { service: undefined, reload: async () => undefined, stop: async () => undefined };
  }
  const sim = o.demo && 'simulator' in o.demo ? (o.demo as SimulatedDemo) : undefined;
  const db = new DbMeasurements(o.db);
  const service = new ControlService({
    db: o.db,
    log: o.log,
    bus: o.bus,
    registry: o.registry,
    devices: controlDevices(o.devices, () => sim?.drivers ?? []),
    plans: o.plans,
    inputs: o.inputs,
    rules: o.rules,
    retentionDays: o.config.retentionDays,
    ...(o.config.tickMs !== undefined ? { tickMs: o.config.tickMs } : {}),
  });
  const specOf = (siteId: string, energy: SiteControlSpec['energy']): SiteControlSpec => {
    if (sim && siteId === sim.siteId) {
      // at speed 1 the inverters are the device layer's (their readings reach the database, not the tap)
      const speed = sim.simulator.clock.speed;
      return { siteId, energy, clock: sim.simulator.clock, measurements: speed === 1 ? newestOf(sim.measurements, db) : sim.measurements };
    }
    return { siteId, energy, measurements: db };
  };
  const { sites, invalid } = await listSiteEnergy(o.db);
  for (const i of invalid) o.log.error({ site: i.siteId, err: i.error }, `control: site ${i.siteId} not controlled: ${i.error}`);
  await service.start(sites.map((s) => specOf(s.siteId, s.config)));
  o.log.info(
    { sites: sites.map((s) => s.siteId) },
    sites.length
      ? `control: agents for ${sites.map((s) => s.siteId).join(', ')} (automation per site: PUT /sites/:siteId/automation)`
      : 'control: no site has an energy configuration yet (PUT /sites/:siteId/energy); no agent runs',
  );
  return {
    service,
    async reload(siteId) {
      const s = await getSiteEnergy(o.db, siteId);
      if (s) await service.addSite(specOf(siteId, s.config));
      else await service.removeSite(siteId);
    },
    stop: () => service.stop(),
  };
}
