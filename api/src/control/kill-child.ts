/**
 * The process kill.test.ts starts, kills with SIGKILL and starts again: Luna's control service for
 * the site "demo" against a simulator in ANOTHER process — SunSpec drivers over Modbus TCP, the
 * simulator's MQTT meter, plans from the PlanStore and commands in PostgreSQL. Prints its log as
 * JSON lines on stdout. Not a product entry point.
 *
 * Environment: KILL_DB_URL, KILL_SIM_PORT, KILL_MQTT_URL, KILL_PREFIX, KILL_SIM_START_MS,
 * KILL_WALL_START_MS, KILL_SPEED (the simulator's clock: simulated = start + wall elapsed × speed).
 */
import { Registry } from 'prom-client';
import { PlanStore } from '../planning/store.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { openPostgres } from '../store/index.js';
import { ControlService } from './service.js';
import { linkSimulatedSite } from './sim-link.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};

const speed = Number(env('KILL_SPEED'));
const simStart = Number(env('KILL_SIM_START_MS'));
const wallStart = Number(env('KILL_WALL_START_MS'));
const clock = { speed, now: () => simStart + (Date.now() - wallStart) * speed };
const line = (level: string) => (o: unknown, msg?: string) =>
  process.stdout.write(`${JSON.stringify({ level, msg: msg ?? (typeof o === 'string' ? o : ''), ...(typeof o === 'object' ? o : {}) })}\n`);
const log = { info: line('info'), warn: line('warn'), error: line('error') };

const db = await openPostgres(env('KILL_DB_URL'), 2);
const link = await linkSimulatedSite({
  siteId: 'demo',
  port: Number(env('KILL_SIM_PORT')),
  now: clock.now,
  pollIntervalMs: 100,
  mqtt: { url: env('KILL_MQTT_URL'), prefix: env('KILL_PREFIX') },
});
const energy = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, control: { tickMs: 5_000, staleAfterMs: 30_000 } });
const service = new ControlService({
  db,
  log: log as never,
  devices: link.devices,
  plans: new PlanStore(db),
  registry: new Registry(),
  bus: {
    async publish(topic, message) {
      if (topic === 'live.command') line('info')({ command: message }, 'command');
    },
  },
});
await service.start([{ siteId: 'demo', energy, clock, measurements: link.tap }]);
log.info({}, 'control child: running');
process.on('SIGTERM', () => {
  void (async () => {
    await service.stop();
    await link.stop();
    await db.close();
    process.exit(0);
  })();
});
