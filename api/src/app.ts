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
import { createLlm, createVectorIndex } from './knowledge/index.js';
import { createTextExtractor } from './knowledge/extract/index.js';
import { KnowledgeService } from './knowledge/service.js';
import { registerKnowledgeRoutes, type PreloadStatus } from './knowledge/routes.js';
import { createModelSide } from './knowledge/vectors/index.js';
import { createMqttBroker, type MqttBroker } from './mqtt/index.js';
import { createObjectStore, type ObjectStore } from './objects/index.js';
import { createLogger, createMetrics, registerOpsRoutes, type Dependency, type Logger, type Metrics } from './ops/index.js';
import { createQueue } from './queue/index.js';
import { enableExtensions, migrate, openDatabase, type Database, type Extensions } from './store/index.js';
import { registerAuditRoutes } from './audit/routes.js';
import { installGuard } from './auth/guard.js';
import { registerAuthRoutes } from './auth/routes.js';
import { AuthService } from './auth/service.js';
import { ApiKeyService } from './auth/api-keys.js';
import { registerSettingsRoutes } from './settings/index.js';
import { registerSiteRoutes } from './sites/index.js';
import { DiskBuffer } from './ingest/buffer.js';
import { registerIngestRoutes } from './ingest/routes.js';
import { registerImportRoutes } from './ingest/import.routes.js';
import { ReadingWriter } from './ingest/writer.js';
import { loadMappingsFile, startMqttIngest, type MqttIngest } from './ingest/mqtt/service.js';
import type { DecodeResult } from './ingest/mqtt/mapping.js';
import { registerSeriesRoutes } from './timeseries/routes.js';
import { startDemo, startSimulatedDemo, type DemoReplay } from './demo/index.js';
import { DeviceService } from './devices/service.js';
import { registerDeviceRoutes } from './devices/routes.js';
import { RuleSetStore } from './rules/store.js';
import { registerRuleRoutes } from './rules/routes.js';
import { BanditStore } from './recommend/store.js';
import { registerRecommendRoutes } from './recommend/routes.js';
import { enableTimescale } from './timeseries/timescale.js';
import { startAlerts, type Alerts } from './alerts/index.js';
import { createTelemetry, observeSeconds, type Telemetry } from './telemetry/index.js';
import { registerForecastErrorGauge } from './telemetry/forecast-error.js';
import { startIntelligence } from './events/services.js';
import { registerControlInputRoutes, startControlInputs, type ControlInputsService } from './control/inputs/index.js';
import { registerPlanningRoutes, startPlanningService, type PlanningService } from './planning/index.js';
import { flexibleDemandSource, registerFlexibleRoutes } from './flexible/index.js';
import { registerControlRoutes, startControl, type ControlHandle } from './control/index.js';
import { DEMO_SITE_ENERGY, ensureSiteEnergy, registerSiteEnergyRoutes } from './site-energy/index.js';
import { SYSTEM } from './audit/index.js';
import { onEventChange } from './events/store.js';
import { LiveHub, ReadingsPublisher, deviceMessage, eventMessage, publishLive, registerLiveRoutes, LIVE_TOPICS } from './live/index.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** Reads the TLS files named in the configuration; a one-line error names the variable. */
function readTls(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${variable} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return { cert: read(files.certFile, 'LUNA_TLS_CERT'), key: read(files.keyFile, 'LUNA_TLS_KEY') };
}

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
  auth: AuthService;
  writer: ReadingWriter;
  /** MQTT ingest subscribers, when LUNA_MQTT_MAPPINGS is set and MQTT is on */
  mqttIngest: MqttIngest | undefined;
  /** the demo site (LUNA_DEMO=simulator: a SimulatedDemo; replay: the plain replay) */
  demo: DemoReplay | undefined;
  /** device drivers (devices table + attached devices), their health and setpoint writes */
  devices: DeviceService;
  /** rule sets per site: versions, and the active set the control loop applies each tick (cached) */
  rules: RuleSetStore;
  /** strategy bandits per site: recordOutcome(siteId, armId, context, rewardEur) after a realised day */
  recommend: BanditStore;
  /** manual overrides and grid-operator signals (API, MQTT luna/<siteId>/grid-signal, Modbus control boxes): ControlInputs for the agents */
  controlInputs: ControlInputsService;
  /** MPC planning: plan store (PlanSource for the agents), replan(siteId, reason), status per site */
  planning: PlanningService;
  /** control agents per site (plan, peak shaving, overrides, grid signals through the safety envelope); service undefined when LUNA_CONTROL=off */
  control: ControlHandle;
  /** the live WebSocket API's hub (journal per site, fan-out) and the publisher of accepted readings */
  live: LiveHub;
  liveReadings: ReadingsPublisher;
  /** alert rules, evaluation and delivery */
  alerts: Alerts;
  /** OpenTelemetry traces (a pass-through unless LUNA_OTLP_URL is set) */
  telemetry: Telemetry;
  /** Listens on the configured host/port; resolves to the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests, finish in-flight ones, flush, close adapters, close the store. */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** called when a wave of MQTT messages is durable (benchmarks) */
  onMqttStored?: (siteId: string, messages: readonly DecodeResult[]) => void;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  const metrics = createMetrics();
  // OpenTelemetry traces (LUNA_OTLP_URL): a pass-through when off
  const telemetry = createTelemetry({ otlpUrl: config.telemetry.otlpUrl, version: VERSION });

  const db = await openDatabase(config.database);
  const closers: Array<() => Promise<void>> = [() => telemetry.shutdown(), () => db.close()];
  const fail = async (err: unknown): Promise<never> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  };

  let extensions: Extensions = { timescaledb: false, vector: false };
  try {
    extensions = await enableExtensions(db, (msg) => log.warn(msg));
    const report = await migrate(db);
    if (extensions.timescaledb) await enableTimescale(db, log, config.ingest.retentionRawDays);
    else if (config.ingest.retentionRawDays !== undefined)
      log.warn('LUNA_RETENTION_RAW_DAYS needs TimescaleDB; without it raw readings are kept');
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
  const extractor = createTextExtractor(config.extractor, { maxBytes: config.knowledge.docMaxBytes });
  const dependencies: Dependency[] = [
    dbDependency,
    mqtt,
    createQueue(config.queue),
    objects,
    extractor,
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

  // Live API: the hub journals every live.* bus message per site; readings, device states and events are published here.
  const live = new LiveHub({
    bus,
    log: log.child({ component: 'live' }),
    registry: metrics.registry,
    journal: { maxEntries: config.live.journalSize, maxAgeMs: config.live.journalMaxAgeMs },
    maxBufferedBytes: config.live.maxBufferedBytes,
    heartbeatMs: config.live.heartbeatMs,
  });
  closers.push(async () => live.close());
  const liveReadings = new ReadingsPublisher(db, bus, log.child({ component: 'live' }));
  const stopEventFeed = onEventChange(db, (e) => publishLive(bus, LIVE_TOPICS.event, eventMessage(e)));
  closers.push(async () => stopEventFeed());

  let writer: ReadingWriter;
  try {
    const buffer = new DiskBuffer(config.ingest.bufferDir, config.ingest.bufferMaxBytes);
    writer = new ReadingWriter(
      telemetry.traceDb(db, 'writer', { transactionSpan: 'writer.flush' }),
      buffer,
      log.child({ component: 'writer' }),
      {},
      {
        onWritten: (c, ms) => {
          metrics.ingestReadings.inc({ outcome: 'inserted' }, c.inserted);
          metrics.ingestReadings.inc({ outcome: 'updated' }, c.updated);
          metrics.ingestReadings.inc({ outcome: 'unchanged' }, c.unchanged);
          metrics.writeDuration.observe(ms / 1000);
        },
        onBuffered: (n) => metrics.ingestReadings.inc({ outcome: 'buffered' }, n),
        onBufferChange: (n) => metrics.bufferReadings.set(n),
        onAccepted: (rows) => liveReadings.accepted(rows),
      },
    );
    metrics.bufferReadings.set(buffer.stats().readings);
  } catch (err) {
    return fail(err);
  }
  // The writer flushes before the database closes (closers run in reverse order).
  closers.push(() => writer.close());

  // MQTT ingest: its subscribers close before the writer (closers run in reverse order).
  let mqttIngest: MqttIngest | undefined;
  if (config.mqttIngest && mqtt.clientUrl !== undefined) {
    try {
      const sites = loadMappingsFile(config.mqttIngest.mappingsFile);
      const known = new Set((await db.query<{ id: string }>('select id from sites')).rows.map((r) => r.id));
      for (const s of sites.filter((x) => !known.has(x.siteId)))
        log.warn(
          `mqtt ingest: site ${s.siteId} from LUNA_MQTT_MAPPINGS does not exist (create it, then restart); its mappings are not used`,
        );
      const m = config.mqtt.adapter === 'external' ? config.mqtt : undefined;
      const ingest = startMqttIngest({
        sites: sites.filter((x) => known.has(x.siteId)),
        url: mqtt.clientUrl,
        ...(m?.username !== undefined ? { username: m.username } : {}),
        ...(m?.password !== undefined ? { password: m.password } : {}),
        db,
        writer,
        log,
        registry: metrics.registry,
        ...(options.onMqttStored ? { onStored: options.onMqttStored } : {}),
      });
      mqttIngest = ingest;
      closers.push(() => ingest.close());
    } catch (err) {
      return fail(err);
    }
  } else if (config.mqttIngest) log.warn('LUNA_MQTT_MAPPINGS is set but LUNA_MQTT=off: no MQTT ingest');

  // Devices: drivers poll/subscribe and write through the writer; they stop before the writer closes.
  const devices = new DeviceService({
    db,
    bus: writer,
    log: log.child({ component: 'devices' }),
    registry: metrics.registry,
    ...(mqtt.clientUrl !== undefined ? { mqttUrl: mqtt.clientUrl } : {}),
    onStateChange: (h) => publishLive(bus, LIVE_TOPICS.device, deviceMessage(h)),
  });
  closers.push(() => devices.stop());
  try {
    await devices.start();
  } catch (err) {
    return fail(err);
  }

  // Demo site: after the writer exists, before listen; it stops before the writer closes (closers run in reverse order).
  let demo: DemoReplay | undefined;
  if (config.demo.mode === 'simulator') {
    try {
      const m = config.mqtt.adapter === 'external' ? config.mqtt : undefined;
      const sim = await startSimulatedDemo({
        db,
        bus: writer,
        log: log.child({ component: 'demo' }),
        intervalS: config.demo.intervalS,
        dataFile: config.demo.dataFile,
        speed: config.demo.sim.speed,
        modbusPort: config.demo.sim.modbusPort,
        devices,
        ...(mqtt.clientUrl !== undefined
          ? {
              mqtt: {
                url: mqtt.clientUrl,
                ...(m?.username !== undefined ? { username: m.username } : {}),
                ...(m?.password !== undefined ? { password: m.password } : {}),
              },
            }
          : {}),
      });
      demo = sim;
      closers.push(() => sim.stop());
      log.info(
        {
          siteId: sim.siteId,
          intervalS: config.demo.intervalS,
          speed: config.demo.sim.speed,
          modbusPort: sim.simulator.modbus?.port,
          meterPath: sim.meterPath,
        },
        `demo site: Musterwerk 2023 on the site simulator (load 2,500 MWh/a, PV 750 kWp, battery 1,000 kWh / 500 kW, speed ${config.demo.sim.speed}×): ` +
          `inverters over Modbus/SunSpec at 127.0.0.1:${sim.simulator.modbus?.port}, meters ${sim.meterPath === 'mqtt' ? 'over MQTT' : 'straight to the ingest bus (MQTT is off)'}, every ${config.demo.intervalS} s — set LUNA_DEMO=replay or off to change`,
      );
    } catch (err) {
      // a demo must never keep the real service from starting
      log.warn({ err: (err as Error).message }, 'demo site: could not start the simulator; running without it');
    }
  } else if (config.demo.mode === 'replay') {
    try {
      const replay = await startDemo({
        db,
        bus: writer,
        log: log.child({ component: 'demo' }),
        intervalS: config.demo.intervalS,
        dataFile: config.demo.dataFile,
      });
      demo = replay;
      closers.push(() => replay.stop());
      log.info(
        { siteId: replay.siteId, intervalS: config.demo.intervalS },
        `demo site: replaying Musterwerk 2023 (load 2,500 MWh/a, PV 750 kWp) every ${config.demo.intervalS} s — set LUNA_DEMO=off to disable`,
      );
    } catch (err) {
      // a demo must never keep the real service from starting
      log.warn({ err: (err as Error).message }, 'demo site: could not start; running without it');
    }
  }

  // Prices, weather, forecasts, anomaly scans: timers only; they stop before the writer and the database.
  const intelligence = startIntelligence({ config, db, log, ...(demo ? { demoSiteId: demo.siteId } : {}) });
  closers.push(() => intelligence.stop());

  // Overrides and grid signals: loaded before the control agents start; their inputs stop before the database closes.
  let controlInputs: ControlInputsService;
  try {
    const m = config.mqtt.adapter === 'external' ? config.mqtt : undefined;
    // the demo on the simulator ticks on the simulated clock (ahead of wall time when LUNA_SIM_SPEED > 1)
    const demoClock =
      demo && 'simulator' in demo ? (demo as { simulator: { clock: { now: () => number } } }).simulator.clock.now : undefined;
    const demoSiteId = demo?.siteId;
    const inputs = await startControlInputs({
      db,
      log,
      bus,
      registry: metrics.registry,
      ...(demoClock ? { siteClock: (siteId: string) => (siteId === demoSiteId ? demoClock : undefined) } : {}),
      ...(config.controlBoxes ? { controlBoxesFile: config.controlBoxes.file } : {}),
      ...(mqtt.clientUrl !== undefined
        ? {
            mqtt: {
              url: mqtt.clientUrl,
              ...(m?.username !== undefined ? { username: m.username } : {}),
              ...(m?.password !== undefined ? { password: m.password } : {}),
            },
          }
        : {}),
    });
    controlInputs = inputs.service;
    closers.push(() => inputs.stop());
  } catch (err) {
    return fail(err);
  }

  // MPC planning (after the intelligence services, before the routes): the demo site gets its energy
  // configuration on first start; solves run in a worker thread; it stops before the database closes.
  // (only on the simulator: the plain replay has no battery or inverters to plan for)
  if (demo && config.demo.mode === 'simulator') {
    try {
      if (await ensureSiteEnergy(db, demo.siteId, DEMO_SITE_ENERGY, SYSTEM))
        log.info(`demo site: energy configuration stored (planned for)`);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'demo site: could not store its energy configuration; it is not planned for');
    }
  }
  const planning = startPlanningService({
    db,
    log: log.child({ component: 'planning' }),
    bus,
    registry: metrics.registry,
    intervalMs: config.planning.intervalMin * 60_000,
    deviationShare: config.planning.deviationPct / 100,
    retentionDays: config.planning.retentionDays,
    // in force or still to come within the horizon (signals() alone is only what is in force now)
    signals: (siteId, nowMs) => controlInputs.upcomingSignals(siteId, nowMs),
    // open flexible-load demands (EV charging sessions…) with the energy they still need
    flexibleDemands: flexibleDemandSource(db),
    // LUNA_PLANNING=off: no timers; POST /sites/:siteId/plans still plans on request
    manual: !config.planning.enabled,
  });
  closers.push(() => planning.stop());
  // a grid signal received, cancelled or ended: plan around it (debounced by the planner)
  const stopSignalReplan = controlInputs.onSignalChange((siteId) => {
    planning.replan(siteId, 'signal').catch((err: Error) => log.warn({ err, siteId }, 'planning: replan after a grid signal failed'));
  });
  closers.push(async () => stopSignalReplan());
  if (!config.planning.enabled) log.info('planning: off (LUNA_PLANNING=off); plans only on POST /sites/:siteId/plans');

  // Alerts: rules evaluated on a timer and on bus messages; delivery to the live bus, webhook, e-mail.
  // Peak at risk compares with the active plan's peak target (else the billing period's peak so far).
  const alerts = startAlerts({
    config,
    db,
    bus,
    log,
    registry: metrics.registry,
    devices: (siteId) =>
      devices.list(siteId).map((d) => ({ deviceId: d.health.deviceId, state: d.health.state, sinceMs: d.health.sinceMs })),
    peakTargetW: async (siteId, nowMs) => (await planning.store.active(siteId, nowMs))?.peakTargetW,
  });
  closers.push(() => alerts.stop());
  // luna_forecast_error: realised error of the day-ahead forecasts, computed when Prometheus scrapes (cached 10 min)
  registerForecastErrorGauge(metrics.registry, db);

  const auth = new AuthService(db, { accessTtlS: config.auth.accessTtlS, refreshTtlS: config.auth.refreshTtlS });
  let bootstrap: Awaited<ReturnType<AuthService['bootstrap']>>;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    bootstrap = await auth.bootstrap(config.auth.adminUser, config.auth.adminPassword);
    if (config.tls) tls = readTls(config.tls);
  } catch (err) {
    return fail(err);
  }
  if (bootstrap.mode === 'created-admin') log.info(`created the first administrator "${config.auth.adminUser}" from LUNA_ADMIN_PASSWORD`);

  const server = await buildServer({
    logger: log,
    metrics,
    version: VERSION,
    corsOrigins: config.corsOrigins,
    ...(tls ? { tls } : {}),
    guard: (app) => {
      telemetry.instrumentHttp(app);
      installGuard(app, () => auth);
    },
  });
  log.info(config.corsOrigins.length ? `CORS allowed for ${config.corsOrigins.join(', ')}` : 'CORS off (no LUNA_CORS_ORIGINS)');
  registerAuthRoutes(server, auth, new ApiKeyService(db), {
    secureCookies: Boolean(tls),
    rateLimitPerMin: config.auth.loginRateLimitPerMin,
  });
  registerSiteRoutes(server, db, config.defaultTimeZone);
  registerSeriesRoutes(server, db);
  registerIngestRoutes(server, db, writer, config.ingest.rateLimitPerMin);
  registerImportRoutes(server, db, objects, writer);
  registerSettingsRoutes(server, db);
  // Knowledge layer: the shipped energy laws are indexed in the background (idempotent by checksum).
  const knowledge = new KnowledgeService({
    db: telemetry.traceDb(db, 'knowledge', { statements: true }),
    objects,
    extractor,
    log: log.child({ component: 'knowledge' }),
    docMaxBytes: config.knowledge.docMaxBytes,
  });
  // Model side (LUNA_LLM, LUNA_VECTOR_INDEX): vector retriever fused with full-text search, grounded LLM answers.
  const modelSide = await createModelSide({
    llm: config.llm,
    vectorIndex: config.vectorIndex,
    db,
    extensions,
    log: log.child({ component: 'knowledge' }),
  });
  if (modelSide.retriever) knowledge.addRetriever(modelSide.retriever);
  knowledge.setGenerator(modelSide.generator);
  const preload: PreloadStatus = { state: config.knowledge.preload ? 'running' : 'off', indexed: 0, skipped: 0, total: 0 };
  registerKnowledgeRoutes(server, db, knowledge, () => preload, {
    // RAG latency (luna_rag_answer_seconds) and the rag.ask span
    ask: (run) => telemetry.span('rag.ask', {}, () => observeSeconds(metrics.ragAnswerSeconds, run)),
  });
  let stopPreload = false;
  const preloading = config.knowledge.preload
    ? knowledge
        .preloadShipped(
          () => stopPreload,
          undefined,
          (p) => Object.assign(preload, p),
        )
        .then((r) => {
          preload.state = 'done';
          log.info(
            { indexed: r.indexed, skipped: r.skipped, sections: r.pages, ms: Math.round(r.ms) },
            `knowledge: shipped corpus ready (${r.indexed} indexed, ${r.skipped} unchanged)`,
          );
        })
        .catch((err: Error) => {
          preload.state = 'failed';
          preload.error = err.message;
          if (!stopPreload)
            log.error({ err: err.message }, 'knowledge: indexing the shipped corpus failed; uploads and questions still work');
        })
    : Promise.resolve();
  closers.push(async () => {
    stopPreload = true;
    await preloading;
  });
  // After the corpus is in: new uploads are embedded as they arrive (indexer), everything else by the
  // resumable embedding step (only chunks without a vector for the model), in the background.
  const embedding = preloading.then(() => {
    if (!modelSide.retriever || stopPreload) return undefined;
    knowledge.addIndexer(modelSide.retriever);
    return modelSide.embedMissing(undefined, () => stopPreload);
  });
  closers.push(async () => {
    stopPreload = true;
    await embedding;
  });
  registerAuditRoutes(server, db);
  registerDeviceRoutes(server, db, devices);
  const rules = new RuleSetStore(db);
  registerRuleRoutes(server, db, rules);
  // Control agents (after devices, demo, planning, inputs and rules; before listen): they stop before all of those (closers run in reverse order).
  let control: ControlHandle;
  try {
    control = await startControl({
      config: config.control,
      db,
      log: log.child({ component: 'control' }),
      bus,
      registry: metrics.registry,
      devices,
      demo,
      plans: planning.store,
      inputs: controlInputs,
      rules,
    });
  } catch (err) {
    return fail(err);
  }
  closers.push(() => control.stop());
  registerControlRoutes(server, db, control.service);
  const recommendations = new BanditStore(db);
  registerRecommendRoutes(server, db, recommendations);
  registerControlInputRoutes(server, db, controlInputs);
  registerSiteEnergyRoutes(server, db, (siteId) => {
    void planning.replan(siteId, 'configuration');
    control.reload(siteId).catch((err: Error) => log.warn({ err: err.message, siteId }, 'control: could not reload the site'));
  });
  registerPlanningRoutes(server, db, planning);
  registerFlexibleRoutes(server, db, (siteId) => {
    planning.replan(siteId, 'flexible').catch((err: Error) => log.warn({ err, siteId }, 'planning: replan after a flexible demand failed'));
  });
  await registerLiveRoutes(server, db, live, () => auth, { recheckMs: config.live.recheckMs });
  intelligence.registerRoutes(server);
  alerts.registerRoutes(server);
  registerOpsRoutes(server, {
    dependencies: () => dependencies,
    extensions: () => extensions,
    metrics,
    readyTimeoutMs: config.readyTimeoutMs,
    version: VERSION,
    startedAt,
    devices: () => devices.list().map((d) => d.health),
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
    auth,
    writer,
    mqttIngest,
    demo,
    devices,
    rules,
    recommend: recommendations,
    alerts,
    telemetry,
    controlInputs,
    planning,
    control,
    live,
    liveReadings,
    async listen() {
      await server.listen({ host: config.http.host, port: config.http.port });
      const address = server.server.address();
      const port = address && typeof address === 'object' ? address.port : config.http.port;
      const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
      const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (bootstrap.mode === 'setup-token' && (await auth.setupNeeded())) {
        log.warn(
          { setupUrl: `${url}/?setup=${bootstrap.token}` },
          `No users yet. Create the first administrator within this run: open ${url}/?setup=${bootstrap.token} ` +
            `or POST ${url}/auth/setup {"token":"${bootstrap.token}","username":"admin","password":"…"} ` +
            '(or set LUNA_ADMIN_PASSWORD for unattended installs)',
        );
      }
      return url;
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
