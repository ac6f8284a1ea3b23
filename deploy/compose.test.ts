/**
 * The deploy/ files, tested by reading them: no Docker engine runs on the build machines, so the
 * compose files are parsed and checked for the mistakes that otherwise only show up at
 * `docker compose up` (or never): services without a healthcheck, volumes declared but unused,
 * dependencies that are not health-gated, configuration variables the API reads but compose never
 * sets, URLs pointing at services that do not exist, default passwords, missing bind-mounted files,
 * and Prometheus/Grafana configuration that references metrics the service does not export.
 */
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_VARS } from '../api/src/config/schema.js';
import { createMetrics } from '../api/src/ops/metrics.js';

const DEPLOY = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(DEPLOY, '..');
const PROMTOOL = '/usr/bin/promtool';

// ---- minimal compose model -------------------------------------------------------------------

type Scalar = string | number | boolean | null;
interface Healthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, Scalar> | string[];
  healthcheck?: Healthcheck;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  networks?: string[] | Record<string, unknown>;
  ports?: (string | number | Record<string, unknown>)[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean } | null>;
}

const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.dev.yml'] as const;
type ComposeFile = (typeof COMPOSE_FILES)[number];

function readText(relToDeploy: string): string {
  return readFileSync(join(DEPLOY, relToDeploy), 'utf8');
}

// `merge: true` resolves YAML merge keys (`<<: *anchor`), as docker compose does.
const composes = Object.fromEntries(COMPOSE_FILES.map((f) => [f, parse(readText(f), { merge: true }) as Compose])) as Record<
  ComposeFile,
  Compose
>;

/** One row per (file, service) for table-driven tests. */
const serviceRows = COMPOSE_FILES.flatMap((file) =>
  Object.entries(composes[file].services ?? {}).map(([name, service]) => ({ file, name, service })),
);

/** The main API service of each file. */
const API_SERVICE: Record<ComposeFile, string> = { 'docker-compose.yml': 'api', 'docker-compose.dev.yml': 'api-dev' };

function envOf(service: Service): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}` (not nested). */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^{}]*))?\}/g;

interface Interpolation {
  text: string;
  variable: string;
  kind: 'plain' | 'default' | 'required';
  argument: string;
}

function interpolations(value: string): Interpolation[] {
  return [...value.replace(/\$\$/g, '').matchAll(INTERPOLATION)].map((m) => ({
    text: m[0],
    variable: m[1] ?? '',
    kind: m[3] === '-' ? 'default' : m[3] === '?' ? 'required' : 'plain',
    argument: m[4] ?? '',
  }));
}

/** What compose would produce with an empty .env: defaults applied, required secrets as a placeholder. */
function resolveDefaults(value: string): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(INTERPOLATION, (_all, _name: string, _colon: string, op: string | undefined, arg: string | undefined) =>
        op === '-' ? (arg ?? '') : op === '?' ? 'required-secret' : '',
      ),
    )
    .join('$');
}

function dependsOn(service: Service): Record<string, { condition?: string }> {
  const d = service.depends_on;
  if (d === undefined) return {};
  return Array.isArray(d) ? Object.fromEntries(d.map((name) => [name, {}])) : d;
}

function networksOf(service: Service): string[] {
  const n = service.networks;
  if (n === undefined) return ['default'];
  return Array.isArray(n) ? n : Object.keys(n);
}

interface Mount {
  kind: 'volume' | 'bind';
  source: string;
  target: string;
}

function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      const bind = /^[./~]/.test(source) || source.includes('/');
      return { kind: bind ? 'bind' : 'volume', source, target };
    }
    return { kind: v.type === 'bind' ? 'bind' : 'volume', source: v.source ?? '', target: v.target ?? '' };
  });
}

const SECRET_KEY = /PASSWORD|SECRET|TOKEN|KEY/i;
/** Names that contain a secret-ish word but hold no secret: token lifetimes (LUNA_ACCESS_TOKEN_TTL_S). */
const NOT_SECRET = /_TTL(_[A-Z]+)?$/;

/** Problems with one environment entry, if its key names a secret or its value embeds URL credentials. */
function secretProblems(key: string, value: string): string[] {
  const problems: string[] = [];
  if (SECRET_KEY.test(key) && !NOT_SECRET.test(key)) {
    const found = interpolations(value);
    const literal = found.reduce((rest, i) => rest.replace(i.text, ''), value.replace(/\$\$/g, '$'));
    if (literal.trim() !== '') problems.push(`${key} has the literal value "${literal}"; take it from deploy/.env with \${VAR:?…}`);
    for (const i of found) {
      if (i.kind === 'default' && i.argument !== '') {
        problems.push(`${key} has a default (${i.text}); secrets must not have defaults, use \${${i.variable}:?…}`);
      }
    }
  }
  for (const m of value.matchAll(/:\/\/[^\s/:@]+:([^\s@]+)@/g)) {
    const password = m[1] ?? '';
    if (!/^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^{}]*\}$/.test(password)) {
      problems.push(`${key} embeds the URL password "${password}"; use \${VAR:?…}`);
    }
  }
  return problems;
}

// ---- compose: every service ------------------------------------------------------------------

describe('compose files', () => {
  it.each(COMPOSE_FILES)('%s parses and has services', (file) => {
    expect(Object.keys(composes[file].services ?? {}), file).not.toHaveLength(0);
  });

  it.each(serviceRows)('$file: service $name has a complete healthcheck', ({ file, name, service }) => {
    const hc = service.healthcheck;
    expect(hc, `${file}: ${name} has no healthcheck`).toBeDefined();
    expect(hc?.disable, `${file}: ${name} disables its healthcheck`).not.toBe(true);
    const test = hc?.test;
    const where = `${file}: ${name} healthcheck.test`;
    expect(test, `${where} is missing`).toBeDefined();
    if (Array.isArray(test)) {
      expect(['CMD', 'CMD-SHELL'], `${where} must start with CMD or CMD-SHELL (got ${test[0]})`).toContain(test[0]);
      expect(test.length, `${where} has no command`).toBeGreaterThan(1);
      expect(test.slice(1).join(' ').trim(), `${where} is empty`).not.toBe('');
    } else {
      expect((test ?? '').trim(), `${where} is empty`).not.toBe('');
    }
    for (const field of ['interval', 'timeout', 'retries', 'start_period'] as const) {
      expect(hc?.[field], `${file}: ${name} healthcheck.${field} is missing`).toBeDefined();
    }
  });

  it.each(serviceRows)('$file: service $name restarts unless stopped', ({ file, name, service }) => {
    expect(service.restart, `${file}: ${name}`).toBe('unless-stopped');
  });

  it.each(COMPOSE_FILES)('%s: every named volume used is declared and every declared volume is used', (file) => {
    const compose = composes[file];
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const used = new Set<string>();
    const undeclared: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const m of mountsOf(service)) {
        if (m.kind !== 'volume') continue;
        used.add(m.source);
        if (!declared.has(m.source)) undeclared.push(`${name} uses ${m.source}`);
      }
    }
    const unused = [...declared].filter((v) => !used.has(v));
    expect(undeclared, `${file}: named volumes used but not declared`).toEqual([]);
    expect(unused, `${file}: volumes declared but not used`).toEqual([]);
  });

  it.each(serviceRows)('$file: service $name depends only on existing, healthy-gated services', ({ file, name, service }) => {
    const services = composes[file].services;
    for (const [target, spec] of Object.entries(dependsOn(service))) {
      expect(services[target], `${file}: ${name} depends on missing service ${target}`).toBeDefined();
      expect(spec.condition, `${file}: ${name} → ${target} must use condition: service_healthy`).toBe('service_healthy');
    }
  });

  it.each(serviceRows)('$file: service $name has no literal passwords in its environment', ({ file, name, service }) => {
    const problems = Object.entries(envOf(service)).flatMap(([k, v]) => secretProblems(k, v));
    expect(problems, `${file}: ${name}`).toEqual([]);
  });

  it.each(serviceRows)('$file: files bind-mounted by $name exist', ({ file, name, service }) => {
    const missing = mountsOf(service)
      .filter((m) => m.kind === 'bind')
      .map((m) => m.source)
      .filter((source) => !existsSync(resolve(DEPLOY, source)));
    expect(missing, `${file}: ${name} bind-mounts files that do not exist relative to deploy/`).toEqual([]);
  });

  it.each(serviceRows)('$file: service $name builds from files that exist', ({ file, name, service }) => {
    if (service.build === undefined) {
      expect(service.image, `${file}: ${name} has neither build nor image`).toBeTruthy();
      return;
    }
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const context = resolve(DEPLOY, build.context ?? '.');
    expect(existsSync(context), `${file}: ${name} build context ${context}`).toBe(true);
    expect(existsSync(join(context, build.dockerfile ?? 'Dockerfile')), `${file}: ${name} dockerfile`).toBe(true);
  });

  it.each(COMPOSE_FILES)('%s: every required secret (${VAR:?…}) is listed, empty, in .env.example', (file) => {
    const example = Object.fromEntries(
      readText('.env.example')
        .split('\n')
        .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
    );
    const required = new Set(
      Object.values(composes[file].services).flatMap((s) =>
        Object.values(envOf(s)).flatMap((v) =>
          interpolations(v)
            .filter((i) => i.kind === 'required')
            .map((i) => i.variable),
        ),
      ),
    );
    expect(required.size, `${file} requires no secret at all`).toBeGreaterThan(0);
    const missing = [...required].filter((v) => !(v in example));
    const filled = [...required].filter((v) => v in example && example[v] !== '');
    expect(missing, `${file}: required variables missing from .env.example`).toEqual([]);
    expect(filled, `${file}: .env.example must not ship secret values`).toEqual([]);
  });
});

// ---- compose: the API service ----------------------------------------------------------------

const URL_VARS = ['DATABASE_URL', 'MQTT_URL', 'REDIS_URL', 'S3_ENDPOINT', 'TIKA_URL', 'OLLAMA_URL', 'QDRANT_URL'] as const;

/** Compose service names an API environment points at, per variable. */
function hostsOf(env: Record<string, string>): { variable: string; host: string }[] {
  const hosts: { variable: string; host: string }[] = [];
  for (const variable of URL_VARS) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = resolveDefaults(raw);
    let host = `(not a URL: ${value})`;
    try {
      host = new URL(value).hostname;
    } catch {
      // reported through the host name below
    }
    hosts.push({ variable, host });
  }
  const brokers = env.KAFKA_BROKERS;
  if (brokers !== undefined && brokers !== '') {
    for (const broker of resolveDefaults(brokers).split(',')) {
      hosts.push({ variable: 'KAFKA_BROKERS', host: broker.trim().replace(/:\d+$/, '') });
    }
  }
  return hosts;
}

describe('compose api service', () => {
  it('docker-compose.yml: api wires every variable in ENV_VARS', () => {
    const env = envOf(composes['docker-compose.yml'].services.api ?? {});
    const missing = Object.keys(ENV_VARS).filter((k) => !(k in env));
    expect(missing, `docker-compose.yml: api environment is missing ${missing.join(', ')}`).toEqual([]);
  });

  it('docker-compose.yml: api binds to all interfaces on port 8080 and publishes it', () => {
    const api = composes['docker-compose.yml'].services.api ?? {};
    const env = envOf(api);
    expect(resolveDefaults(env.LUNA_HOST ?? ''), 'LUNA_HOST').toBe('0.0.0.0');
    expect(resolveDefaults(env.LUNA_PORT ?? ''), 'LUNA_PORT').toBe('8080');
    expect(
      (api.ports ?? []).map(String).some((p) => p.endsWith(':8080')),
      'api publishes container port 8080',
    ).toBe(true);
  });

  it.each(COMPOSE_FILES)('%s: api sets no LUNA_* variable the service does not read', (file) => {
    const env = envOf(composes[file].services[API_SERVICE[file]] ?? {});
    const unknown = Object.keys(env).filter((k) => k.startsWith('LUNA_') && !(k in ENV_VARS));
    expect(unknown, `${file}: ${API_SERVICE[file]} sets unknown variables (typos?)`).toEqual([]);
  });

  it('docker-compose.yml: api sets every server URL', () => {
    const env = envOf(composes['docker-compose.yml'].services.api ?? {});
    const unset = [...URL_VARS, 'KAFKA_BROKERS'].filter((k) => resolveDefaults(env[k] ?? '') === '');
    expect(unset, 'docker-compose.yml: api server URLs without a value').toEqual([]);
  });

  it.each(COMPOSE_FILES)('%s: every server the api points at is a service of the same file, and gated in depends_on', (file) => {
    const name = API_SERVICE[file];
    const api = composes[file].services[name] ?? {};
    const services = composes[file].services;
    const gated = dependsOn(api);
    const hosts = hostsOf(envOf(api));
    expect(hosts.length, `${file}: ${name} points at no server`).toBeGreaterThan(0);
    const unknown = hosts.filter((h) => services[h.host] === undefined).map((h) => `${h.variable} → ${h.host}`);
    const ungated = hosts
      .filter((h) => services[h.host] !== undefined && gated[h.host] === undefined)
      .map((h) => `${h.variable} → ${h.host}`);
    expect(unknown, `${file}: ${name} points at hosts that are not services in ${file}`).toEqual([]);
    expect(ungated, `${file}: ${name} does not wait (depends_on) for`).toEqual([]);
  });
});

// ---- compose: networks (production file) -----------------------------------------------------

describe('docker-compose.yml networks', () => {
  const compose = composes['docker-compose.yml'];
  const PUBLIC = new Set(['api', 'grafana']);

  it('declares an internal backend network and a front network', () => {
    expect(compose.networks?.internal?.internal, 'networks.internal.internal').toBe(true);
    expect(compose.networks && 'front' in compose.networks, 'networks.front').toBe(true);
  });

  it.each(serviceRows.filter((r) => r.file === 'docker-compose.yml'))(
    '$name: network membership and published ports',
    ({ name, service }) => {
      const networks = networksOf(service);
      for (const n of networks) expect(compose.networks?.[n], `${name} uses undeclared network ${n}`).toBeDefined();
      if (PUBLIC.has(name)) {
        expect(networks, `${name} must be on front and internal`).toEqual(expect.arrayContaining(['front', 'internal']));
      } else {
        expect(networks, `${name} is a backend: internal network only`).toEqual(['internal']);
        expect(service.ports ?? [], `${name} is a backend: no published ports`).toEqual([]);
      }
    },
  );
});

// ---- Dockerfile ------------------------------------------------------------------------------

describe('Dockerfile', () => {
  const dockerfile = readText('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('is multi-stage on node:20-bookworm-slim, builds with npm ci + npm run build and prunes dev dependencies', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(instructions.filter((l) => /^FROM /i.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('runs as a non-root user with the data volume, a health check and the API entry point', () => {
    const users = instructions.filter((l) => /^USER /i.test(l));
    expect(users.at(-1), 'last USER').toMatch(/^USER (?!root\b|0\b)\S+/);
    expect(dockerfile).toMatch(/LUNA_DATA_DIR=\/var\/lib\/luna/);
    expect(dockerfile).toMatch(/^VOLUME \["\/var\/lib\/luna"\]$/m);
    expect(
      instructions.some((l) => /^HEALTHCHECK .*fetch\(.*\/health/.test(l)),
      'HEALTHCHECK with fetch /health',
    ).toBe(true);
    expect(instructions.at(-1)).toBe('CMD ["node", "api/dist/main.js"]');
  });

  it('copies everything the API reads at run time (package.json, dist, frontend/dist, migrations, data folders)', () => {
    for (const path of ['/app/api/package.json', '/app/api/dist', '/app/frontend/dist', '/app/migrations', '/app/node_modules']) {
      expect(dockerfile, `runtime stage copies ${path}`).toContain(`--from=build --chown=root:root ${path}`);
    }
    // data folders read at run time (tariffs, device models, law corpus, demo data)
    for (const dir of ['tariffs', 'devices', 'knowledge', 'demo']) {
      expect(dockerfile, `runtime stage copies ${dir}/`).toMatch(new RegExp(`^COPY (--chown=\\S+ )?${dir} ${dir}$`, 'm'));
      expect(existsSync(join(REPO, dir)), `${dir}/ exists in the repository`).toBe(true);
    }
    for (const path of ['migrations', 'api/src/main.ts', 'frontend/index.html', 'package-lock.json']) {
      expect(existsSync(join(REPO, path)), `${path} exists in the repository`).toBe(true);
    }
  });
});

// ---- Mosquitto -------------------------------------------------------------------------------

describe('mosquitto.conf', () => {
  const conf = readText('mosquitto/mosquitto.conf')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('has a listener on 1883, persistence, and no limit on queued QoS 1/2 messages', () => {
    expect(conf).toContain('listener 1883 0.0.0.0');
    expect(conf).toContain('persistence true');
    expect(conf).toContain('persistence_location /mosquitto/data/');
    // The default of 1000 silently drops QoS 1 messages for a slow or restarting subscriber.
    expect(conf).toContain('max_queued_messages 0');
  });
});

// ---- Prometheus ------------------------------------------------------------------------------

/** Series names the service exports (histograms also as _bucket/_sum/_count). */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  return new Set(
    metrics.flatMap((m) =>
      String(m.type) === 'histogram'
        ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
        : String(m.type) === 'summary'
          ? [m.name, `${m.name}_sum`, `${m.name}_count`]
          : [m.name],
    ),
  );
}

function lunaMetricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bluna_[a-z0-9_]+/g)].map((m) => m[0]);
}

interface PromConfig {
  rule_files?: string[];
  scrape_configs?: { job_name: string; metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
}
interface RuleFile {
  groups?: { name: string; rules?: { alert?: string; record?: string; expr?: string; for?: string }[] }[];
}

describe('prometheus', () => {
  const config = parse(readText('prometheus/prometheus.yml')) as PromConfig;
  const rules = parse(readText('prometheus/alerts.yml')) as RuleFile;
  const prometheus = composes['docker-compose.yml'].services.prometheus ?? {};

  it('prometheus.yml has a scrape job for api:8080 /metrics, and api is a compose service', () => {
    const jobs = (config.scrape_configs ?? []).filter((j) => (j.static_configs ?? []).some((s) => (s.targets ?? []).includes('api:8080')));
    expect(
      jobs.map((j) => j.job_name),
      'jobs scraping api:8080',
    ).toHaveLength(1);
    expect(jobs[0]?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(composes['docker-compose.yml'].services.api).toBeDefined();
  });

  it('every rule file exists next to prometheus.yml and is mounted next to it in the container', () => {
    const mounts = mountsOf(prometheus);
    const configMount = mounts.find((m) => m.source === './prometheus/prometheus.yml');
    expect(configMount, 'prometheus.yml is bind-mounted').toBeDefined();
    expect(config.rule_files ?? [], 'rule_files').not.toHaveLength(0);
    for (const ruleFile of config.rule_files ?? []) {
      expect(posix.isAbsolute(ruleFile), `${ruleFile} must be relative to prometheus.yml`).toBe(false);
      expect(existsSync(join(DEPLOY, 'prometheus', ruleFile)), `deploy/prometheus/${ruleFile}`).toBe(true);
      const target = posix.join(posix.dirname(configMount?.target ?? ''), ruleFile);
      expect(
        mounts.some((m) => m.target === target && resolve(DEPLOY, m.source) === join(DEPLOY, 'prometheus', ruleFile)),
        `deploy/prometheus/${ruleFile} is mounted at ${target}`,
      ).toBe(true);
    }
  });

  it('alerts.yml has rule groups whose rules are complete', () => {
    expect(rules.groups ?? [], 'groups').not.toHaveLength(0);
    for (const group of rules.groups ?? []) {
      expect(group.rules ?? [], `group ${group.name}`).not.toHaveLength(0);
      for (const rule of group.rules ?? []) {
        expect(rule.alert ?? rule.record, `a rule in ${group.name} has no name`).toBeTruthy();
        expect(rule.expr?.trim(), `${rule.alert ?? rule.record} has no expr`).toBeTruthy();
      }
    }
  });

  it('alerts cover the api being down, a dependency down for 2m, and a high 5xx rate', () => {
    const all = (rules.groups ?? []).flatMap((g) => g.rules ?? []);
    const exprs = all.map((r) => r.expr ?? '');
    expect(
      exprs.some((e) => /up\{[^}]*job="luna-api"[^}]*\}\s*==\s*0/.test(e)),
      'up{job="luna-api"} == 0',
    ).toBe(true);
    expect(
      all.some((r) => /luna_dependency_up\s*==\s*0/.test(r.expr ?? '') && r.for === '2m'),
      'luna_dependency_up == 0 for 2m',
    ).toBe(true);
    expect(
      exprs.some((e) => /luna_http_requests_total\{[^}]*status=~"5\.\."/.test(e)),
      '5xx rate',
    ).toBe(true);
    const jobs = (config.scrape_configs ?? []).map((j) => j.job_name);
    expect(jobs, 'the job the alerts use').toContain('luna-api');
  });

  it('alert expressions use only metrics the service exports', async () => {
    const exported = await exportedSeries();
    const unknown = (rules.groups ?? [])
      .flatMap((g) => g.rules ?? [])
      .flatMap((r) => lunaMetricsIn(r.expr ?? '').map((m) => `${r.alert ?? r.record}: ${m}`))
      .filter((entry) => !exported.has(entry.split(': ')[1] ?? ''));
    expect(unknown, 'alerts reference metrics that api/src/ops/metrics.ts does not export').toEqual([]);
  });

  it.skipIf(!existsSync(PROMTOOL))('promtool accepts the rules and the config', () => {
    const run = (...args: string[]) => {
      try {
        return execFileSync(PROMTOOL, args, { cwd: REPO, encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    };
    expect(run('check', 'rules', 'deploy/prometheus/alerts.yml')).toMatch(/SUCCESS/);
    expect(run('check', 'config', 'deploy/prometheus/prometheus.yml')).toMatch(/SUCCESS/);
  });
});

// ---- Grafana ---------------------------------------------------------------------------------

interface Dashboard {
  title?: string;
  uid?: string;
  panels?: { title?: string; targets?: { expr?: string }[] }[];
}

describe('grafana provisioning', () => {
  const grafana = composes['docker-compose.yml'].services.grafana ?? {};

  it('provisions a Prometheus datasource pointing at the compose prometheus service', () => {
    const ds = parse(readText('grafana/provisioning/datasources/prometheus.yml')) as {
      datasources?: { type?: string; url?: string; uid?: string }[];
    };
    const prom = (ds.datasources ?? []).filter((d) => d.type === 'prometheus');
    expect(prom, 'prometheus datasources').toHaveLength(1);
    const host = new URL(prom[0]?.url ?? 'invalid:').hostname;
    expect(composes['docker-compose.yml'].services[host], `datasource host ${host} is a compose service`).toBeDefined();
  });

  it('the dashboard provider path is where the provisioning directory is mounted', () => {
    const providers = parse(readText('grafana/provisioning/dashboards/luna.yml')) as { providers?: { options?: { path?: string } }[] };
    const mount = mountsOf(grafana).find((m) => m.source === './grafana/provisioning');
    expect(mount, './grafana/provisioning is mounted').toBeDefined();
    for (const p of providers.providers ?? []) {
      const path = p.options?.path ?? '';
      expect(path.startsWith(`${mount?.target}/`), `provider path ${path} lies under ${mount?.target}`).toBe(true);
      const local = join(DEPLOY, 'grafana/provisioning', posix.relative(mount?.target ?? '', path));
      expect(existsSync(local), `${local} exists`).toBe(true);
    }
  });

  it('the "Luna-IEMS service" dashboard charts requests, p95 latency, memory and dependencies with exported metrics', async () => {
    const dashboard = JSON.parse(readText('grafana/provisioning/dashboards/luna-service.json')) as Dashboard;
    expect(dashboard.title).toBe('Luna-IEMS service');
    const exprs = (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    expect(
      exprs.some((e) => /rate\(luna_http_requests_total/.test(e)),
      'request rate',
    ).toBe(true);
    expect(
      exprs.some((e) => /histogram_quantile\(0\.95,.*luna_http_request_duration_seconds_bucket/.test(e)),
      'p95',
    ).toBe(true);
    expect(
      exprs.some((e) => e.includes('luna_process_resident_memory_bytes')),
      'memory',
    ).toBe(true);
    expect(
      exprs.some((e) => e.includes('luna_dependency_up')),
      'dependencies',
    ).toBe(true);
    const exported = await exportedSeries();
    const unknown = exprs.flatMap(lunaMetricsIn).filter((m) => !exported.has(m));
    expect(unknown, 'dashboard references metrics the service does not export').toEqual([]);
  });
});
