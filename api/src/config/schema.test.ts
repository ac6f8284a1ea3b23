import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, parseConfig, redactUrl, type RawConfig } from './schema.js';

function issuesOf(raw: RawConfig): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.variable}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('needs no configuration at all: every adapter is embedded', () => {
    const c = parseConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.database).toEqual({ adapter: 'pglite', dataDir: './data/pglite' });
    expect(c.mqtt).toEqual({ adapter: 'embedded', host: '127.0.0.1', port: 1883 });
    expect(c.queue.adapter).toBe('inprocess');
    expect(c.objectStore).toEqual({ adapter: 'local', dir: './data/objects' });
    expect(c.extractor.adapter).toBe('builtin');
    expect(c.llm.adapter).toBe('none');
    expect(c.vectorIndex.adapter).toBe('none');
    expect(c.eventBus.adapter).toBe('inprocess');
    expect(c.defaultTimeZone).toBe('Europe/Berlin');
  });

  it('chooses each server adapter from its URL', () => {
    const c = parseConfig({
      DATABASE_URL: 'postgres://luna:secret@db:5432/luna',
      MQTT_URL: 'mqtt://broker:1883',
      REDIS_URL: 'redis://redis:6379',
      S3_ENDPOINT: 'http://minio:9000',
      TIKA_URL: 'http://tika:9998',
      OLLAMA_URL: 'http://ollama:11434',
      QDRANT_URL: 'http://qdrant:6333',
      KAFKA_BROKERS: 'redpanda:9092, kafka2:9092',
    });
    expect(c.database).toMatchObject({ adapter: 'postgres', url: 'postgres://luna:secret@db:5432/luna', poolSize: 10 });
    expect(c.mqtt).toMatchObject({ adapter: 'external', url: 'mqtt://broker:1883' });
    expect(c.queue).toEqual({ adapter: 'redis', url: 'redis://redis:6379' });
    expect(c.objectStore).toMatchObject({ adapter: 's3', endpoint: 'http://minio:9000', bucket: 'luna' });
    expect(c.extractor).toEqual({ adapter: 'tika', url: 'http://tika:9998' });
    expect(c.llm).toMatchObject({ adapter: 'ollama', embedModel: 'nomic-embed-text' });
    expect(c.vectorIndex).toMatchObject({ adapter: 'qdrant' });
    expect(c.eventBus).toEqual({ adapter: 'kafka', brokers: ['redpanda:9092', 'kafka2:9092'], clientId: 'luna-iems' });
  });

  it('uses pgvector when an embedder is configured without Qdrant', () => {
    expect(parseConfig({ OPENAI_BASE_URL: 'https://api.example/v1' }).vectorIndex.adapter).toBe('pgvector');
  });

  it('an explicit adapter choice wins over the URL', () => {
    expect(parseConfig({ LUNA_MQTT: 'off', MQTT_URL: 'mqtt://x:1883' }).mqtt.adapter).toBe('off');
    expect(parseConfig({ LUNA_DATABASE: 'pglite', DATABASE_URL: 'postgres://x/y' }).database.adapter).toBe('pglite');
  });

  it.each<[string, RawConfig, string]>([
    ['a port that is not a number', { LUNA_PORT: 'eighty' }, 'LUNA_PORT: must be a number (got "eighty")'],
    ['a port out of range', { LUNA_PORT: '70000' }, 'LUNA_PORT: must be 0–65535 (got "70000")'],
    [
      'an unknown log level',
      { LUNA_LOG_LEVEL: 'verbose' },
      'LUNA_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace (got "verbose")',
    ],
    ['an unknown database adapter', { LUNA_DATABASE: 'mysql' }, 'LUNA_DATABASE: must be one of pglite, postgres (got "mysql")'],
    [
      'a database URL of the wrong kind',
      { DATABASE_URL: 'mysql://db/luna' },
      'DATABASE_URL: must be a URL starting with postgres:// or postgresql:// (got "mysql://db/luna")',
    ],
    ['postgres chosen without a URL', { LUNA_DATABASE: 'postgres' }, 'DATABASE_URL: is required when LUNA_DATABASE=postgres'],
    ['redis chosen without a URL', { LUNA_QUEUE: 'redis' }, 'REDIS_URL: is required when LUNA_QUEUE=redis'],
    [
      'a time zone that does not exist',
      { LUNA_SITE_TIMEZONE: 'Europe/Bonn' },
      'LUNA_SITE_TIMEZONE: must be an IANA time zone such as Europe/Berlin (got "Europe/Bonn")',
    ],
    ['Kafka brokers without ports', { KAFKA_BROKERS: 'redpanda' }, 'KAFKA_BROKERS: must be host:port[,host:port…] (got "redpanda")'],
    [
      'an invalid bucket name',
      { S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'Luna_Docs' },
      'S3_BUCKET: must be a valid S3 bucket name (3–63 lower-case letters, digits, dots, hyphens) (got "Luna_Docs")',
    ],
  ])('rejects %s, naming the variable and what is allowed', (_name, raw, expected) => {
    expect(issuesOf(raw)).toEqual([expected]);
  });

  it('reports every problem at once, in one line', () => {
    const err = (() => {
      try {
        parseConfig({ LUNA_PORT: '-1', LUNA_QUEUE: 'rabbit' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.map((i) => i.variable)).toEqual(['LUNA_QUEUE', 'LUNA_PORT']);
    expect(err!.message).not.toContain('\n');
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', LUNA_PORT: ' ' }).database.adapter).toBe('pglite');
  });

  it('documents every variable it reads', () => {
    for (const [name, doc] of Object.entries(ENV_VARS)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(doc.length).toBeGreaterThan(10);
    }
  });

  it('redacts passwords in URLs for logs', () => {
    expect(redactUrl('postgres://luna:secret@db:5432/luna')).toBe('postgres://luna:***@db:5432/luna');
    expect(redactUrl('redis://redis:6379')).toBe('redis://redis:6379');
  });
});

describe('demo site configuration (LUNA_DEMO)', () => {
  it.each([
    ['on with the embedded database', {}, true, 5],
    ['off when DATABASE_URL is set, so servers get no demo data', { DATABASE_URL: 'postgres://luna@db:5432/luna' }, false, 5],
    ['off when asked', { LUNA_DEMO: 'off' }, false, 5],
    ['on with PostgreSQL when asked', { DATABASE_URL: 'postgres://luna@db:5432/luna', LUNA_DEMO: 'on' }, true, 5],
    ['with its own interval', { LUNA_DEMO_INTERVAL_S: '1' }, true, 1],
  ] as Array<[string, RawConfig, boolean, number]>)('%s', (_name, raw, enabled, intervalS) => {
    const c = parseConfig(raw);
    expect(c.demo).toMatchObject({ enabled, intervalS });
    expect(c.demo.dataFile).toMatch(/\/demo\/musterwerk-2023\.csv$/);
  });

  it('names the variable of a bad value', () => {
    expect(issuesOf({ LUNA_DEMO: 'yes', LUNA_DEMO_INTERVAL_S: '0' })).toEqual([
      'LUNA_DEMO: must be one of simulator, replay, on, off (got "yes")',
      'LUNA_DEMO_INTERVAL_S: must be ≥ 1 (got "0")',
    ]);
    expect(issuesOf({ LUNA_SIM_SPEED: '0', LUNA_SIM_MODBUS_PORT: '70000' })).toEqual([
      'LUNA_SIM_SPEED: must be > 0 (got "0")',
      'LUNA_SIM_MODBUS_PORT: must be 0–65535 (got "70000")',
    ]);
  });

  it.each([
    ['the simulator by default with the embedded database', {}, 'simulator'],
    ['the simulator for "on" (the default mode)', { LUNA_DEMO: 'on' }, 'simulator'],
    ['the plain replay when asked', { LUNA_DEMO: 'replay' }, 'replay'],
    ['off with PostgreSQL', { DATABASE_URL: 'postgres://luna@db:5432/luna' }, 'off'],
  ] as Array<[string, RawConfig, string]>)('mode: %s', (_name, raw, mode) => {
    expect(parseConfig(raw).demo).toMatchObject({ mode, sim: { speed: 1, modbusPort: 0 } });
  });

  it('reads the simulator speed and Modbus port', () => {
    expect(parseConfig({ LUNA_SIM_SPEED: '60', LUNA_SIM_MODBUS_PORT: '1502' }).demo.sim).toEqual({ speed: 60, modbusPort: 1502 });
  });
});

describe('README', () => {
  it('documents every environment variable the service reads', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(ENV_VARS).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing, 'add these to the configuration table in README.md').toEqual([]);
  });
});
