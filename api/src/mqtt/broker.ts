/**
 * MQTT broker access. Embedded: an aedes broker inside the service so devices can publish to the
 * edge box directly. External: any broker (Mosquitto, EMQX, HiveMQ) by MQTT_URL. Off: no MQTT.
 * Topic subscriptions and mappings are the ingest layer's job (issue #4); here only the broker.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { Config } from '../config/index.js';
import { redactUrl } from '../config/index.js';
import type { CheckResult, Dependency } from '../ops/dependency.js';

export interface MqttBroker extends Dependency {
  /** URL a client on this machine uses to reach the broker, or undefined when MQTT is off. */
  readonly clientUrl: string | undefined;
  start(): Promise<void>;
}

/** Connects, then disconnects, a throw-away client: proves the broker accepts MQTT sessions. */
async function probeBroker(url: string, timeoutMs: number, username?: string, password?: string): Promise<CheckResult> {
  try {
    const client = await mqtt.connectAsync(url, {
      connectTimeout: timeoutMs,
      reconnectPeriod: 0,
      clientId: `luna-ready-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    await client.endAsync();
    return { state: 'up', detail: 'MQTT CONNACK ok' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { state: 'down', detail: e.code ?? e.message };
  }
}

export function embeddedBroker(config: Extract<Config['mqtt'], { adapter: 'embedded' }>): MqttBroker {
  let aedes: Aedes | undefined;
  let server: Server | undefined;
  let boundPort = config.port;
  return {
    name: 'mqtt',
    adapter: 'embedded',
    get target() {
      return `mqtt://${config.host}:${boundPort}`;
    },
    get clientUrl() {
      return `mqtt://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${boundPort}`;
    },
    async start() {
      aedes = await Aedes.createBroker();
      const srv = createServer(aedes.handle);
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            new Error(
              err.code === 'EADDRINUSE'
                ? `Embedded MQTT broker cannot listen on ${config.host}:${config.port}: the port is in use — set LUNA_MQTT_EMBEDDED_PORT to a free port, LUNA_MQTT=external with MQTT_URL to use that broker, or LUNA_MQTT=off`
                : `Embedded MQTT broker cannot listen on ${config.host}:${config.port}: ${err.message}`,
            ),
          ),
        );
        srv.listen(config.port, config.host, () => resolve());
      });
      const address = srv.address();
      if (address && typeof address === 'object') boundPort = address.port;
    },
    async check(timeoutMs) {
      if (!server?.listening) return { state: 'down', detail: 'embedded broker not listening' };
      return probeBroker(this.clientUrl!, timeoutMs);
    },
    async close() {
      await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

export function externalBroker(config: Extract<Config['mqtt'], { adapter: 'external' }>): MqttBroker {
  return {
    name: 'mqtt',
    adapter: 'external',
    target: redactUrl(config.url),
    clientUrl: config.url,
    async start() {},
    check: (timeoutMs) => probeBroker(config.url, timeoutMs, config.username, config.password),
  };
}

export function noBroker(): MqttBroker {
  return {
    name: 'mqtt',
    adapter: 'off',
    target: '-',
    clientUrl: undefined,
    async start() {},
    async check() {
      return { state: 'disabled', detail: 'LUNA_MQTT=off' };
    },
  };
}

export function createMqttBroker(config: Config['mqtt']): MqttBroker {
  if (config.adapter === 'embedded') return embeddedBroker(config);
  if (config.adapter === 'external') return externalBroker(config);
  return noBroker();
}
