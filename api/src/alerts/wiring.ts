/** Composition helper for app.ts: builds the alert service from the configuration and registers its routes. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { EventBus } from '../bus/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { emailSender } from './delivery/email.js';
import type { DeviceInput } from './evaluate.js';
import { registerAlertRoutes } from './routes.js';
import { AlertService } from './service.js';

export interface Alerts {
  service: AlertService;
  registerRoutes(server: FastifyInstance): void;
  stop(): Promise<void>;
}

export function startAlerts(o: {
  config: Config;
  db: Database;
  bus: EventBus;
  log: Logger;
  registry: Registry;
  devices?: (siteId: string) => DeviceInput[];
  peakTargetW?: (siteId: string, nowMs: number) => Promise<number | undefined>;
}): Alerts {
  const c = o.config.alerts;
  const log = o.log.child({ component: 'alerts' });
  const service = new AlertService({
    db: o.db,
    bus: o.bus,
    log,
    registry: o.registry,
    intervalMs: c.intervalMs,
    ...(o.devices ? { devices: o.devices } : {}),
    ...(o.peakTargetW ? { peakTargetW: o.peakTargetW } : {}),
    ...(c.webhook ? { webhook: c.webhook } : {}),
    ...(c.email ? { email: emailSender(c.email) } : {}),
  });
  service.start();
  log.info(
    `alerts: rules evaluated every ${c.intervalMs / 1000} s; delivery to the dashboard${c.webhook ? ', webhook' : ''}${c.email ? `, e-mail (${c.email.to.length} recipient(s))` : ''}` +
      (c.webhook || c.email ? '' : ' only (set LUNA_ALERT_WEBHOOK_URL or LUNA_SMTP_URL for more)'),
  );
  return {
    service,
    registerRoutes: (server) => registerAlertRoutes(server, o.db, service),
    stop: () => service.stop(),
  };
}
