/**
 * Composition root: turns a validated Config into a running service — opens the store, applies
 * migrations, starts the adapters, registers routes — and shuts it all down in reverse order.
 * Capabilities (ingest, devices, forecasts, …) plug in here as they are built.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import { createEventBus, type EventBus } from './bus/index.js';
import { buildServer } from './http/server.js';
import { createExtractor, createLlm, createVectorIndex } from './knowledge/index.js';
import { createMqttBroker, type MqttBroker } from './mqtt/index.js';
import { createObjectStore, type ObjectStore } from './objects/index.js';
import { createLogger, createMetrics, registerOpsRoutes, type Dependency, type Logger, type Metrics } from './ops/index.js';
import { createQueue } from './queue/index.js';
import { enableExtensions, migrate, openDatabase, type Database, type Extensions } from './store/index.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export interface App {
  config: Config;
  log: Logger;
  metrics: Metrics;
  db: Database;
  bus: EventBus;
  mqtt: MqttBroker;
  objects: ObjectStore;
  server: FastifyInstance;
  dependencies: readonly Dependency[];
  /** Listens on the configured host/port; resolves to the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests, finish in-flight ones, flush, close adapters, close the store. */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  const metrics = createMetrics();

  const db = await openDatabase(config.database);
  const closers: Array<() => Promise<void>> = [() => db.close()];
  const fail = async (err: unknown): Promise<never> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  };

  let extensions: Extensions = { timescaledb: false, vector: false };
  try {
    extensions = await enableExtensions(db, (msg) => log.warn(msg));
    const report = await migrate(db);
    log.info(
      { migrationsApplied: report.applied, migrationsAlreadyApplied: report.alreadyApplied },
      report.applied.length ? `applied ${report.applied.length} migration(s)` : 'schema up to date',
    );
  } catch (err) {
    return fail(err);
  }

  const dbDependency: Dependency = {
    name: 'database',
    adapter: db.adapter,
    target: db.target,
    async check() {
      await db.query('select 1');
      return { state: 'up', detail: `timescaledb ${extensions.timescaledb ? 'on' : 'off'}, vector ${extensions.vector ? 'on' : 'off'}` };
    },
  };
  const bus = createEventBus(config.eventBus);
  const mqtt = createMqttBroker(config.mqtt);
  const objects = createObjectStore(config.objectStore);
  const dependencies: Dependency[] = [
    dbDependency,
    mqtt,
    createQueue(config.queue),
    objects,
    createExtractor(config.extractor),
    createLlm(config.llm),
    createVectorIndex(config.vectorIndex, () => extensions),
    bus,
  ];

  try {
    await mqtt.start();
  } catch (err) {
    return fail(err);
  }
  for (const dep of dependencies.slice(1)) if (dep.close) closers.push(() => dep.close!());

  for (const dep of dependencies) {
    log.info(
      { adapter: dep.name, active: dep.adapter, target: dep.target, ...(dep.note ? { note: dep.note } : {}) },
      `${dep.name}: ${dep.adapter}${dep.target !== '-' ? ` at ${dep.target}` : ''}${dep.note ? ` (${dep.note})` : ''}`,
    );
  }
  log.info(
    { extensions },
    `database extensions: timescaledb ${extensions.timescaledb ? 'on' : 'off'}, vector ${extensions.vector ? 'on' : 'off'}`,
  );

  const server = await buildServer({ logger: log, metrics, version: VERSION });
  registerOpsRoutes(server, {
    dependencies: () => dependencies,
    extensions: () => extensions,
    metrics,
    readyTimeoutMs: config.readyTimeoutMs,
    version: VERSION,
    startedAt,
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    log,
    metrics,
    db,
    bus,
    mqtt,
    objects,
    server,
    dependencies,
    async listen() {
      await server.listen({ host: config.http.host, port: config.http.port });
      const address = server.server.address();
      const port = address && typeof address === 'object' ? address.port : config.http.port;
      const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    stop() {
      stopping ??= (async () => {
        await server.close();
        for (const close of closers.reverse()) {
          await close().catch((err: Error) => log.warn({ err }, 'error while closing an adapter'));
        }
      })();
      return stopping;
    },
  };
}
