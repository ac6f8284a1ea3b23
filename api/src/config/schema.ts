/**
 * The one configuration of Luna-IEMS: every setting, its environment variable, its default and
 * what is allowed. Pure data plus validation — no I/O here (see load.ts for reading env and file).
 *
 * Convention: each adapter is chosen by `LUNA_<ADAPTER>`; when that is not set, it is derived from
 * whether the server's URL is set (`DATABASE_URL` → postgres, `REDIS_URL` → redis, …), so the
 * embedded default needs no configuration at all.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Every environment variable the service reads, with a one-line description (docs and compose test use this). */
export const ENV_VARS = {
  LUNA_CONFIG_FILE: 'optional JSON file with the same keys as these variables; environment wins',
  LUNA_HOST: 'address the HTTP service binds to (default 127.0.0.1)',
  LUNA_PORT: 'HTTP port (default 8080)',
  LUNA_LOG_LEVEL: 'fatal|error|warn|info|debug|trace (default info)',
  LUNA_DATA_DIR: 'directory for embedded data: PGlite database, objects, buffers (default ./data)',
  LUNA_SITE_TIMEZONE: 'default IANA time zone for new sites (default Europe/Berlin)',
  LUNA_SHUTDOWN_TIMEOUT_MS: 'grace period for a clean shutdown (default 10000)',
  LUNA_DATABASE: 'pglite|postgres (default: postgres when DATABASE_URL is set, else pglite)',
  DATABASE_URL: 'PostgreSQL/TimescaleDB connection URL (postgres://user:pass@host:port/db)',
  LUNA_DATABASE_POOL_SIZE: 'PostgreSQL connection pool size (default 10)',
  LUNA_MQTT: 'embedded|external|off (default: external when MQTT_URL is set, else embedded)',
  MQTT_URL: 'external MQTT broker URL (mqtt://host:1883 or mqtts://…)',
  MQTT_USERNAME: 'external MQTT broker user name',
  MQTT_PASSWORD: 'external MQTT broker password',
  LUNA_MQTT_EMBEDDED_HOST: 'address the embedded broker binds to (default 127.0.0.1)',
  LUNA_MQTT_EMBEDDED_PORT: 'port of the embedded MQTT broker (default 1883)',
  LUNA_QUEUE: 'inprocess|redis (default: redis when REDIS_URL is set, else inprocess)',
  REDIS_URL: 'Redis URL for jobs and cache (redis://host:6379)',
  LUNA_OBJECT_STORE: 'local|s3 (default: s3 when S3_ENDPOINT is set, else local)',
  S3_ENDPOINT: 'S3/MinIO endpoint URL (http://host:9000)',
  S3_BUCKET: 'S3 bucket (default luna)',
  S3_REGION: 'S3 region (default us-east-1)',
  S3_ACCESS_KEY_ID: 'S3 access key id',
  S3_SECRET_ACCESS_KEY: 'S3 secret access key',
  LUNA_EXTRACTOR: 'builtin|tika (default: tika when TIKA_URL is set, else builtin)',
  TIKA_URL: 'Apache Tika server URL (http://host:9998)',
  LUNA_LLM: 'none|ollama|openai (default: ollama when OLLAMA_URL is set, openai when OPENAI_BASE_URL is set, else none)',
  OLLAMA_URL: 'Ollama URL (http://host:11434)',
  OPENAI_BASE_URL: 'OpenAI-compatible endpoint (https://host/v1)',
  OPENAI_API_KEY: 'API key for the OpenAI-compatible endpoint',
  LUNA_EMBED_MODEL: 'embedding model (default nomic-embed-text)',
  LUNA_CHAT_MODEL: 'chat model for answers (default llama3.1:8b)',
  LUNA_VECTOR_INDEX: 'none|pgvector|qdrant (default: qdrant when QDRANT_URL is set, pgvector when an LLM/embedder is set, else none)',
  QDRANT_URL: 'Qdrant URL (http://host:6333)',
  QDRANT_API_KEY: 'Qdrant API key',
  LUNA_EVENT_BUS: 'inprocess|kafka (default: kafka when KAFKA_BROKERS is set, else inprocess)',
  KAFKA_BROKERS: 'comma-separated Kafka/Redpanda bootstrap servers (host:9092,host2:9092)',
  KAFKA_CLIENT_ID: 'Kafka client id (default luna-iems)',
  LUNA_READY_TIMEOUT_MS: 'timeout of each dependency check in /ready (default 2000)',
  LUNA_ADMIN_USER: 'user name of the first administrator created from LUNA_ADMIN_PASSWORD (default admin)',
  LUNA_ADMIN_PASSWORD: 'unattended install: creates the first administrator on first start (ignored once users exist)',
  LUNA_ACCESS_TOKEN_TTL_S: 'lifetime of an access token in seconds (default 900)',
  LUNA_REFRESH_TOKEN_TTL_S: 'lifetime of a refresh token in seconds (default 604800 = 7 days)',
  LUNA_LOGIN_RATE_LIMIT: 'login/setup/refresh requests per minute per client address (default 10)',
  LUNA_CORS_ORIGINS: 'comma-separated origins allowed to call the API from a browser (default none: CORS off)',
  LUNA_TLS_CERT: 'PEM certificate file: serve HTTPS (needs LUNA_TLS_KEY)',
  LUNA_TLS_KEY: 'PEM private key file for LUNA_TLS_CERT',
  LUNA_BUFFER_MAX_MB: 'size limit of the on-disk store-and-forward buffer used while the database is unreachable (default 1024)',
  LUNA_INGEST_RATE_LIMIT: 'POST /ingest/readings requests per minute per client address (default 600)',
  LUNA_RETENTION_RAW_DAYS: 'TimescaleDB only: drop raw readings older than this many days (rollups stay); default: keep everything',
  LUNA_MQTT_MAPPINGS: 'JSON file of MQTT topic mappings per site ({"sites":[{"siteId":…,"mappings":[…]}]}); unset: no MQTT ingest',
  LUNA_DEMO:
    'simulator|replay|off (on = simulator): the demo site "Musterwerk (Demo)" on the site simulator (devices over Modbus/SunSpec and MQTT) or as a plain replay of the real data (default: simulator with the embedded database, off with DATABASE_URL)',
  LUNA_DEMO_INTERVAL_S: 'seconds between live readings of the demo site (default 5)',
  LUNA_PRICE_SOURCE:
    'none|entsoe|awattar|csv: where day-ahead prices come from (default none; the demo site replays real 2023 prices anyway)',
  LUNA_PRICE_AREA: 'bidding zone of the installation, e.g. DE-LU, AT, CH, NL, or a 16-character EIC code (default DE-LU)',
  LUNA_ENTSOE_TOKEN: 'ENTSO-E Transparency Platform security token (required when LUNA_PRICE_SOURCE=entsoe)',
  LUNA_ENTSOE_URL: 'ENTSO-E API base URL (default https://web-api.tp.entsoe.eu/api)',
  LUNA_AWATTAR_URL: 'aWATTar API base URL (default https://api.awattar.de; https://api.awattar.at for AT)',
  LUNA_PRICE_CSV: 'price CSV file (timestamp_utc,timestamp_local,price_eur_mwh or timestamp;price) when LUNA_PRICE_SOURCE=csv',
  LUNA_WEATHER_SOURCE: 'none|openmeteo: weather forecast and history per site with coordinates (default none)',
  LUNA_OPENMETEO_URL: 'Open-Meteo forecast API base URL (default https://api.open-meteo.com)',
  LUNA_OPENMETEO_ARCHIVE_URL: 'Open-Meteo archive (history) API base URL (default https://archive-api.open-meteo.com)',
  LUNA_FORECASTS: 'on|off: issue load/PV/price forecasts per site every hour and store them with their issue time (default on)',
  LUNA_ANOMALY_SCAN: 'on|off: scan power series for anomalies every 15 min and store them as events (default on)',
  LUNA_PLANNING:
    'on|off: MPC planning for every site with an energy configuration (PUT /sites/:siteId/energy) — on a schedule and on new prices, forecasts, deviations (default on)',
  LUNA_PLAN_INTERVAL_MIN: 'planning: minutes between scheduled re-plans, aligned to the hour (default 15)',
  LUNA_PLAN_DEVIATION_PCT:
    'planning: re-plan when the measured grid power of the current 15-minute step deviates from the plan by more than this % of the import limit (default 20)',
  LUNA_PLAN_RETENTION_DAYS: 'planning: days the plan history is kept (default 30)',
  LUNA_CONTROL:
    'on|off: control agents for every site with an energy configuration — follow the plan, peak shaving, overrides, grid signals, all through the safety envelope (default on; sites.automation_enabled still gates automatic control)',
  LUNA_CONTROL_TICK_MS: "control: agent tick in ms for every site (default: each site's energy configuration control.tickMs, 5000)",
  LUNA_CONTROL_RETENTION_DAYS: 'control: days the command history (control_commands) is kept (default 30)',
  LUNA_SIM_SPEED: 'demo simulator: simulated seconds per wall-clock second (default 1; above 1 the readings run ahead of the real time)',
  LUNA_SIM_MODBUS_PORT:
    'demo simulator: Modbus TCP port of its simulated inverters on 127.0.0.1 (default 0 = any free port; e.g. 1502 to poll them from outside)',
  LUNA_LIVE_JOURNAL_SIZE: 'live WebSocket API: messages kept per site for catch-up after a reconnect (default 10000)',
  LUNA_LIVE_JOURNAL_MINUTES: 'live WebSocket API: minutes a message is kept for catch-up (default 15)',
  LUNA_LIVE_MAX_BUFFER_KB: 'live WebSocket API: close a client (1013) with more than this many KiB queued unsent (default 1024)',
  LUNA_LIVE_HEARTBEAT_S: 'live WebSocket API: seconds between pings/heartbeats; no pong by the next one closes the socket (default 30)',
  LUNA_LIVE_RECHECK_S: "live WebSocket API: seconds between re-checks of a socket's session/API key and role (default 60)",
  LUNA_DOC_MAX_BYTES: 'largest document POST /ingest/doc accepts, in bytes (default 52428800 = 50 MiB)',
  LUNA_KNOWLEDGE_PRELOAD:
    'on|off: index the shipped German energy laws (knowledge/) in the background on start (default on; off under the test runner)',
  LUNA_CONTROL_BOXES:
    'JSON file of grid operator control boxes polled over Modbus TCP for §14a/redispatch signals ({"boxes":[{"siteId":…,"connection":{"host":…}}]}, docs/grid-signals.md); unset: none',
  LUNA_ALERT_INTERVAL_S:
    "alerts: how often every site's alert rules are evaluated, seconds (default 30; also soon after events, device changes, readings)",
  LUNA_ALERT_WEBHOOK_URL: 'alerts: POST every alert notification as JSON to this URL (http/https; off when unset)',
  LUNA_ALERT_WEBHOOK_SECRET: 'alerts: HMAC-SHA256 secret for the X-Luna-Signature header of webhook posts',
  LUNA_SMTP_URL: 'alerts: SMTP server for alert e-mails (smtp://user:pass@host:587, smtps://… for implicit TLS; off when unset)',
  LUNA_ALERT_EMAIL_FROM: 'alerts: sender address of alert e-mails (default luna-iems@localhost)',
  LUNA_ALERT_EMAIL_TO: 'alerts: comma-separated recipients of alert e-mails (required with LUNA_SMTP_URL)',
  LUNA_OTLP_URL: 'OpenTelemetry: OTLP/HTTP endpoint base for traces (e.g. http://collector:4318 → /v1/traces); tracing is off when unset',
} as const;

export type EnvVarName = keyof typeof ENV_VARS;
export type RawConfig = Partial<Record<EnvVarName, string>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0–65535')
  .max(65535, 'must be 0–65535');

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Berlin' },
);

const positiveInt = (max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be ≥ 1').max(max, `must be ≤ ${max}`);

/** Validated configuration as the rest of the code sees it. */
export interface Config {
  http: { host: string; port: number };
  logLevel: (typeof LOG_LEVELS)[number];
  dataDir: string;
  defaultTimeZone: string;
  shutdownTimeoutMs: number;
  readyTimeoutMs: number;
  database: { adapter: 'pglite'; dataDir: string } | { adapter: 'postgres'; url: string; poolSize: number };
  mqtt:
    | { adapter: 'embedded'; host: string; port: number }
    | { adapter: 'external'; url: string; username?: string; password?: string }
    | { adapter: 'off' };
  queue: { adapter: 'inprocess' } | { adapter: 'redis'; url: string };
  objectStore:
    | { adapter: 'local'; dir: string }
    | { adapter: 's3'; endpoint: string; bucket: string; region: string; accessKeyId?: string; secretAccessKey?: string };
  extractor: { adapter: 'builtin' } | { adapter: 'tika'; url: string };
  llm:
    | { adapter: 'none' }
    | { adapter: 'ollama'; url: string; embedModel: string; chatModel: string }
    | { adapter: 'openai'; baseUrl: string; apiKey?: string; embedModel: string; chatModel: string };
  vectorIndex: { adapter: 'none' } | { adapter: 'pgvector' } | { adapter: 'qdrant'; url: string; apiKey?: string };
  eventBus: { adapter: 'inprocess' } | { adapter: 'kafka'; brokers: string[]; clientId: string };
  auth: { adminUser: string; adminPassword?: string; accessTtlS: number; refreshTtlS: number; loginRateLimitPerMin: number };
  corsOrigins: string[];
  tls?: { certFile: string; keyFile: string };
  ingest: { bufferDir: string; bufferMaxBytes: number; rateLimitPerMin: number; retentionRawDays?: number };
  /** MQTT topic mappings file (LUNA_MQTT_MAPPINGS); validated at startup by the ingest */
  mqttIngest?: { mappingsFile: string };
  /** grid operator control boxes polled over Modbus (LUNA_CONTROL_BOXES); validated at startup by control/inputs */
  controlBoxes?: { file: string };
  /** day-ahead prices: source and bidding zone (LUNA_PRICE_*) */
  markets: {
    source: 'none' | 'entsoe' | 'awattar' | 'csv';
    area: string;
    entsoe?: { token: string; url: string };
    awattarUrl: string;
    csvFile?: string;
  };
  /** weather per site (LUNA_WEATHER_SOURCE, LUNA_OPENMETEO_*) */
  weather: { source: 'none' } | { source: 'openmeteo'; forecastUrl: string; archiveUrl: string };
  /** scheduled forecasts (LUNA_FORECASTS) and anomaly scans (LUNA_ANOMALY_SCAN) */
  intelligence: { forecasts: boolean; anomalyScan: boolean };
  /** MPC planning (LUNA_PLANNING, LUNA_PLAN_*) */
  planning: { enabled: boolean; intervalMin: number; deviationPct: number; retentionDays: number };
  /** control agents (LUNA_CONTROL, LUNA_CONTROL_*); tickMs undefined = each site's own */
  control: { enabled: boolean; tickMs?: number; retentionDays: number };
  /** the demo site (LUNA_DEMO): on the simulator or a plain replay; dataFile is the shipped demo/musterwerk-2023.csv */
  demo: {
    enabled: boolean;
    mode: 'simulator' | 'replay' | 'off';
    intervalS: number;
    dataFile: string;
    /** the in-process site simulator (mode 'simulator') */
    sim: { speed: number; modbusPort: number };
  };
  /** knowledge layer: upload size limit (LUNA_DOC_MAX_BYTES) and preloading of the shipped corpus */
  knowledge: { docMaxBytes: number; preload: boolean };
  /** live WebSocket API (LUNA_LIVE_*): journal bounds, slow-client limit, heartbeat and auth re-check intervals */
  live: { journalSize: number; journalMaxAgeMs: number; maxBufferedBytes: number; heartbeatMs: number; recheckMs: number };
  /** alert evaluation and delivery (LUNA_ALERT_*, LUNA_SMTP_URL) */
  alerts: {
    intervalMs: number;
    webhook?: { url: string; secret?: string };
    email?: { smtpUrl: string; from: string; to: string[] };
  };
  /** OpenTelemetry traces (LUNA_OTLP_URL); off when otlpUrl is unset */
  telemetry: { otlpUrl?: string };
}

/** The shipped demo data (repository root demo/; the same depth from api/src/config and api/dist/config). */
export const DEMO_DATA_FILE: string = fileURLToPath(new URL('../../../demo/musterwerk-2023.csv', import.meta.url));

/** One problem with one variable, phrased so that a person can fix it. */
export interface ConfigIssue {
  variable: EnvVarName;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const oneOf = <const T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { message: `must be one of ${values.join(', ')}` });

/** Validate raw string settings (environment merged over file) into a Config, or throw ConfigError listing every problem. */
export function parseConfig(raw: RawConfig): Config {
  const issues: ConfigIssue[] = [];
  const env = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== '')) as RawConfig;

  function read<T>(variable: EnvVarName, schema: z.ZodType<T>, fallback: T): T {
    const value = env[variable];
    if (value === undefined) return fallback;
    const result = schema.safeParse(value.trim());
    if (result.success) return result.data;
    const first = result.error.issues[0];
    issues.push({ variable, message: `${first?.message ?? 'is invalid'} (got "${value}")` });
    return fallback;
  }
  function need(variable: EnvVarName, because: string): string {
    const value = env[variable];
    if (value === undefined) {
      issues.push({ variable, message: `is required when ${because}` });
      return '';
    }
    return value.trim();
  }
  function optional(variable: EnvVarName): string | undefined {
    return env[variable]?.trim();
  }

  const dataDir = read('LUNA_DATA_DIR', z.string(), './data');

  const dbAdapter = read('LUNA_DATABASE', oneOf(['pglite', 'postgres']), env.DATABASE_URL ? 'postgres' : 'pglite');
  let database: Config['database'];
  if (dbAdapter === 'postgres') {
    need('DATABASE_URL', 'LUNA_DATABASE=postgres');
    database = {
      adapter: 'postgres',
      url: read('DATABASE_URL', url(['postgres', 'postgresql']), ''),
      poolSize: read('LUNA_DATABASE_POOL_SIZE', positiveInt(200), 10),
    };
  } else {
    database = { adapter: 'pglite', dataDir: `${dataDir.replace(/\/+$/, '')}/pglite` };
  }

  const mqttAdapter = read('LUNA_MQTT', oneOf(['embedded', 'external', 'off']), env.MQTT_URL ? 'external' : 'embedded');
  let mqtt: Config['mqtt'];
  if (mqttAdapter === 'external') {
    need('MQTT_URL', 'LUNA_MQTT=external');
    mqtt = { adapter: 'external', url: read('MQTT_URL', url(['mqtt', 'mqtts', 'ws', 'wss', 'tcp']), '') };
    const username = optional('MQTT_USERNAME');
    const password = optional('MQTT_PASSWORD');
    if (username !== undefined) mqtt.username = username;
    if (password !== undefined) mqtt.password = password;
  } else if (mqttAdapter === 'embedded') {
    mqtt = {
      adapter: 'embedded',
      host: read('LUNA_MQTT_EMBEDDED_HOST', z.string(), '127.0.0.1'),
      port: read('LUNA_MQTT_EMBEDDED_PORT', port, 1883),
    };
  } else {
    mqtt = { adapter: 'off' };
  }

  const queueAdapter = read('LUNA_QUEUE', oneOf(['inprocess', 'redis']), env.REDIS_URL ? 'redis' : 'inprocess');
  const queue: Config['queue'] =
    queueAdapter === 'redis'
      ? (need('REDIS_URL', 'LUNA_QUEUE=redis'), { adapter: 'redis', url: read('REDIS_URL', url(['redis', 'rediss']), '') })
      : { adapter: 'inprocess' };

  const objAdapter = read('LUNA_OBJECT_STORE', oneOf(['local', 's3']), env.S3_ENDPOINT ? 's3' : 'local');
  let objectStore: Config['objectStore'];
  if (objAdapter === 's3') {
    need('S3_ENDPOINT', 'LUNA_OBJECT_STORE=s3');
    objectStore = {
      adapter: 's3',
      endpoint: read('S3_ENDPOINT', url(['http', 'https']), ''),
      bucket: read(
        'S3_BUCKET',
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)'),
        'luna',
      ),
      region: read('S3_REGION', z.string(), 'us-east-1'),
    };
    const id = optional('S3_ACCESS_KEY_ID');
    const secret = optional('S3_SECRET_ACCESS_KEY');
    if (id !== undefined) objectStore.accessKeyId = id;
    if (secret !== undefined) objectStore.secretAccessKey = secret;
  } else {
    objectStore = { adapter: 'local', dir: `${dataDir.replace(/\/+$/, '')}/objects` };
  }

  const extractorAdapter = read('LUNA_EXTRACTOR', oneOf(['builtin', 'tika']), env.TIKA_URL ? 'tika' : 'builtin');
  const extractor: Config['extractor'] =
    extractorAdapter === 'tika'
      ? (need('TIKA_URL', 'LUNA_EXTRACTOR=tika'), { adapter: 'tika', url: read('TIKA_URL', url(['http', 'https']), '') })
      : { adapter: 'builtin' };

  const llmDefault = env.OLLAMA_URL ? 'ollama' : env.OPENAI_BASE_URL ? 'openai' : 'none';
  const llmAdapter = read('LUNA_LLM', oneOf(['none', 'ollama', 'openai']), llmDefault);
  const embedModel = read('LUNA_EMBED_MODEL', z.string(), 'nomic-embed-text');
  const chatModel = read('LUNA_CHAT_MODEL', z.string(), 'llama3.1:8b');
  let llm: Config['llm'];
  if (llmAdapter === 'ollama') {
    need('OLLAMA_URL', 'LUNA_LLM=ollama');
    llm = { adapter: 'ollama', url: read('OLLAMA_URL', url(['http', 'https']), ''), embedModel, chatModel };
  } else if (llmAdapter === 'openai') {
    need('OPENAI_BASE_URL', 'LUNA_LLM=openai');
    llm = { adapter: 'openai', baseUrl: read('OPENAI_BASE_URL', url(['http', 'https']), ''), embedModel, chatModel };
    const key = optional('OPENAI_API_KEY');
    if (key !== undefined) llm.apiKey = key;
  } else {
    llm = { adapter: 'none' };
  }

  const vectorDefault: 'none' | 'pgvector' | 'qdrant' = env.QDRANT_URL ? 'qdrant' : llm.adapter !== 'none' ? 'pgvector' : 'none';
  const vectorAdapter = read('LUNA_VECTOR_INDEX', oneOf(['none', 'pgvector', 'qdrant']), vectorDefault);
  let vectorIndex: Config['vectorIndex'];
  if (vectorAdapter === 'qdrant') {
    need('QDRANT_URL', 'LUNA_VECTOR_INDEX=qdrant');
    vectorIndex = { adapter: 'qdrant', url: read('QDRANT_URL', url(['http', 'https']), '') };
    const key = optional('QDRANT_API_KEY');
    if (key !== undefined) vectorIndex.apiKey = key;
  } else {
    vectorIndex = { adapter: vectorAdapter };
  }

  const busAdapter = read('LUNA_EVENT_BUS', oneOf(['inprocess', 'kafka']), env.KAFKA_BROKERS ? 'kafka' : 'inprocess');
  let eventBus: Config['eventBus'];
  if (busAdapter === 'kafka') {
    const brokers = need('KAFKA_BROKERS', 'LUNA_EVENT_BUS=kafka')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    const bad = brokers.filter((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
    if (env.KAFKA_BROKERS !== undefined && (brokers.length === 0 || bad.length > 0)) {
      issues.push({ variable: 'KAFKA_BROKERS', message: `must be host:port[,host:port…] (got "${env.KAFKA_BROKERS}")` });
    }
    eventBus = { adapter: 'kafka', brokers, clientId: read('KAFKA_CLIENT_ID', z.string(), 'luna-iems') };
  } else {
    eventBus = { adapter: 'inprocess' };
  }

  const adminPassword = optional('LUNA_ADMIN_PASSWORD');
  const auth: Config['auth'] = {
    adminUser: read(
      'LUNA_ADMIN_USER',
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/, 'must be 2–64 letters, digits, . _ @ -'),
      'admin',
    ),
    accessTtlS: read('LUNA_ACCESS_TOKEN_TTL_S', positiveInt(86_400), 900),
    refreshTtlS: read('LUNA_REFRESH_TOKEN_TTL_S', positiveInt(90 * 86_400), 604_800),
    loginRateLimitPerMin: read('LUNA_LOGIN_RATE_LIMIT', positiveInt(10_000), 10),
  };
  if (adminPassword !== undefined) auth.adminPassword = adminPassword;
  const corsOrigins = (optional('LUNA_CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      issues.push({ variable: 'LUNA_CORS_ORIGINS', message: `must be origins like https://ems.example.org (got "${origin}")` });
  }
  const certFile = optional('LUNA_TLS_CERT');
  const keyFile = optional('LUNA_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    issues.push({
      variable: certFile === undefined ? 'LUNA_TLS_CERT' : 'LUNA_TLS_KEY',
      message: 'is required when the other of LUNA_TLS_CERT/LUNA_TLS_KEY is set',
    });
  }

  const priceSource = read('LUNA_PRICE_SOURCE', oneOf(['none', 'entsoe', 'awattar', 'csv']), 'none');
  const markets: Config['markets'] = {
    source: priceSource,
    area: read(
      'LUNA_PRICE_AREA',
      z.string().regex(/^([A-Z]{2}(-[A-Z0-9]{1,4})?|10Y[0-9A-Z-]{13})$/, 'must be a bidding zone such as DE-LU or an EIC code'),
      'DE-LU',
    ),
    awattarUrl: read('LUNA_AWATTAR_URL', url(['http', 'https']), 'https://api.awattar.de'),
  };
  if (priceSource === 'entsoe')
    markets.entsoe = {
      token: need('LUNA_ENTSOE_TOKEN', 'LUNA_PRICE_SOURCE=entsoe'),
      url: read('LUNA_ENTSOE_URL', url(['http', 'https']), 'https://web-api.tp.entsoe.eu/api'),
    };
  if (priceSource === 'csv') markets.csvFile = need('LUNA_PRICE_CSV', 'LUNA_PRICE_SOURCE=csv');
  const weatherSource = read('LUNA_WEATHER_SOURCE', oneOf(['none', 'openmeteo']), 'none');
  const weather: Config['weather'] =
    weatherSource === 'openmeteo'
      ? {
          source: 'openmeteo',
          forecastUrl: read('LUNA_OPENMETEO_URL', url(['http', 'https']), 'https://api.open-meteo.com'),
          archiveUrl: read('LUNA_OPENMETEO_ARCHIVE_URL', url(['http', 'https']), 'https://archive-api.open-meteo.com'),
        }
      : { source: 'none' };
  const intelligence: Config['intelligence'] = {
    forecasts: read('LUNA_FORECASTS', oneOf(['on', 'off']), 'on') === 'on',
    anomalyScan: read('LUNA_ANOMALY_SCAN', oneOf(['on', 'off']), 'on') === 'on',
  };
  const planning: Config['planning'] = {
    enabled: read('LUNA_PLANNING', oneOf(['on', 'off']), 'on') === 'on',
    intervalMin: read('LUNA_PLAN_INTERVAL_MIN', positiveInt(1_440), 15),
    deviationPct: read('LUNA_PLAN_DEVIATION_PCT', positiveInt(1_000), 20),
    retentionDays: read('LUNA_PLAN_RETENTION_DAYS', positiveInt(36_500), 30),
  };
  const control: Config['control'] = {
    enabled: read('LUNA_CONTROL', oneOf(['on', 'off']), 'on') === 'on',
    ...(env.LUNA_CONTROL_TICK_MS !== undefined
      ? {
          tickMs: read(
            'LUNA_CONTROL_TICK_MS',
            z.coerce
              .number({ message: 'must be a number' })
              .int('must be an integer')
              .min(200, 'must be ≥ 200')
              .max(60_000, 'must be ≤ 60000'),
            5_000,
          ),
        }
      : {}),
    retentionDays: read('LUNA_CONTROL_RETENTION_DAYS', positiveInt(36_500), 30),
  };

  const config: Config = {
    http: { host: read('LUNA_HOST', z.string().min(1), '127.0.0.1'), port: read('LUNA_PORT', port, 8080) },
    logLevel: read('LUNA_LOG_LEVEL', oneOf(LOG_LEVELS), 'info'),
    dataDir,
    defaultTimeZone: read('LUNA_SITE_TIMEZONE', timeZone, 'Europe/Berlin'),
    shutdownTimeoutMs: read('LUNA_SHUTDOWN_TIMEOUT_MS', positiveInt(600_000), 10_000),
    readyTimeoutMs: read('LUNA_READY_TIMEOUT_MS', positiveInt(60_000), 2_000),
    database,
    mqtt,
    queue,
    objectStore,
    extractor,
    llm,
    vectorIndex,
    eventBus,
    auth,
    corsOrigins,
    markets,
    weather,
    intelligence,
    planning,
    control,
    ingest: {
      bufferDir: `${dataDir.replace(/\/+$/, '')}/buffer`,
      bufferMaxBytes: read('LUNA_BUFFER_MAX_MB', positiveInt(1_000_000), 1024) * 1024 * 1024,
      rateLimitPerMin: read('LUNA_INGEST_RATE_LIMIT', positiveInt(1_000_000), 600),
      ...(env.LUNA_RETENTION_RAW_DAYS !== undefined ? { retentionRawDays: read('LUNA_RETENTION_RAW_DAYS', positiveInt(36_500), 0) } : {}),
    },
    demo: demoConfig(read('LUNA_DEMO', oneOf(['simulator', 'replay', 'on', 'off']), database.adapter === 'pglite' ? 'simulator' : 'off'), {
      intervalS: read('LUNA_DEMO_INTERVAL_S', positiveInt(3_600), 5),
      dataFile: DEMO_DATA_FILE,
      sim: {
        speed: read(
          'LUNA_SIM_SPEED',
          z.coerce.number({ message: 'must be a number' }).gt(0, 'must be > 0').max(86_400, 'must be ≤ 86400'),
          1,
        ),
        modbusPort: read('LUNA_SIM_MODBUS_PORT', port, 0),
      },
    }),
    knowledge: {
      docMaxBytes: read('LUNA_DOC_MAX_BYTES', positiveInt(1024 * 1024 * 1024), 50 * 1024 * 1024),
      // vitest sets VITEST: suites that start the service do not each index the 3.9 MB corpus
      preload: read('LUNA_KNOWLEDGE_PRELOAD', oneOf(['on', 'off']), process.env.VITEST ? 'off' : 'on') === 'on',
    },
    live: {
      journalSize: read('LUNA_LIVE_JOURNAL_SIZE', positiveInt(1_000_000), 10_000),
      journalMaxAgeMs: read('LUNA_LIVE_JOURNAL_MINUTES', positiveInt(24 * 60), 15) * 60_000,
      maxBufferedBytes: read('LUNA_LIVE_MAX_BUFFER_KB', positiveInt(1024 * 1024), 1024) * 1024,
      heartbeatMs: read('LUNA_LIVE_HEARTBEAT_S', positiveInt(3_600), 30) * 1000,
      recheckMs: read('LUNA_LIVE_RECHECK_S', positiveInt(86_400), 60) * 1000,
    },
    alerts: alertsConfig(read, optional, need),
    telemetry: optional('LUNA_OTLP_URL') !== undefined ? { otlpUrl: read('LUNA_OTLP_URL', url(['http', 'https']), '') } : {},
    ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile, keyFile } } : {}),
    ...(optional('LUNA_MQTT_MAPPINGS') ? { mqttIngest: { mappingsFile: optional('LUNA_MQTT_MAPPINGS')! } } : {}),
    ...(optional('LUNA_CONTROL_BOXES') ? { controlBoxes: { file: optional('LUNA_CONTROL_BOXES')! } } : {}),
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** LUNA_ALERT_*, LUNA_SMTP_URL: evaluation period, webhook and e-mail delivery. */
function alertsConfig(
  read: <T>(variable: EnvVarName, schema: z.ZodType<T>, fallback: T) => T,
  optional: (variable: EnvVarName) => string | undefined,
  need: (variable: EnvVarName, because: string) => string,
): Config['alerts'] {
  const webhookUrl = optional('LUNA_ALERT_WEBHOOK_URL');
  const secret = optional('LUNA_ALERT_WEBHOOK_SECRET');
  const smtpUrl = optional('LUNA_SMTP_URL');
  return {
    intervalMs: read('LUNA_ALERT_INTERVAL_S', positiveInt(86_400), 30) * 1000,
    ...(webhookUrl !== undefined
      ? {
          webhook: { url: read('LUNA_ALERT_WEBHOOK_URL', url(['http', 'https']), webhookUrl), ...(secret !== undefined ? { secret } : {}) },
        }
      : {}),
    ...(smtpUrl !== undefined
      ? {
          email: {
            smtpUrl: read('LUNA_SMTP_URL', url(['smtp', 'smtps']), smtpUrl),
            from: read(
              'LUNA_ALERT_EMAIL_FROM',
              z.string().min(3).includes('@', { message: 'must be an e-mail address' }),
              'luna-iems@localhost',
            ),
            to: need('LUNA_ALERT_EMAIL_TO', 'LUNA_SMTP_URL is set')
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          },
        }
      : {}),
  };
}

/** LUNA_DEMO: `on` is the default mode (the simulator). */
function demoConfig(value: 'simulator' | 'replay' | 'on' | 'off', rest: Omit<Config['demo'], 'enabled' | 'mode'>): Config['demo'] {
  const mode = value === 'on' ? 'simulator' : value;
  return { enabled: mode !== 'off', mode, ...rest };
}

/** Remove the password from a URL so it can be logged. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return value;
  }
}
