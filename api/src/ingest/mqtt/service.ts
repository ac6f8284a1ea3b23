/**
 * MQTT ingest as a running service: reads the mappings file (LUNA_MQTT_MAPPINGS), starts one
 * subscriber per site (clientId `luna-ingest-<siteId>`, a persistent session each) feeding a
 * writer-backed sink, and exposes their counters as `luna_mqtt_messages_total{site,outcome}`.
 *
 *   {"sites":[{"siteId":"musterwerk","mappings":[{"topic":"meter/+/power","format":"number",
 *     "series":{"seriesKey":"meter/{1}/power","unit":"kW"}}]}]}
 */
import { readFileSync } from 'node:fs';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../../ops/logger.js';
import type { Database } from '../../store/index.js';
import type { IngestBus } from '../bus.js';
import { compileMappings, subscriptionTopics, type CompiledMapping, type DecodeResult } from './mapping.js';
import { writerSink, type WriterSink } from './sink.js';
import { startMqttSubscriber, type MqttSubscriber } from './subscriber.js';

export interface SiteMappings {
  siteId: string;
  mappings: CompiledMapping[];
}

const fileSchema = z.strictObject({
  sites: z.array(z.strictObject({ siteId: z.string().min(1), mappings: z.array(z.unknown()).min(1) })).min(1),
});

/** Reads and validates the mappings file; throws ONE line naming the variable, the site and mapping index and the problem. */
export function loadMappingsFile(file: string): SiteMappings[] {
  const fail = (where: string, problem: string): never => {
    throw new Error(`LUNA_MQTT_MAPPINGS ${file}${where ? ` ${where}` : ''}: ${problem}`);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail('', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('', `is not JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return fail(i.path.length ? `at ${i.path.join('.')}` : '', `${i.message} (expected {"sites":[{"siteId":"…","mappings":[…]}]})`);
  }
  const seen = new Set<string>();
  return parsed.data.sites.map((site, s) => {
    if (seen.has(site.siteId)) fail(`site ${s} (${site.siteId})`, 'site listed twice');
    seen.add(site.siteId);
    const compiled = compileMappings(site.mappings);
    if (!compiled.ok) {
      const [index, ...rest] = compiled.errors[0]!.split('.');
      return fail(`site ${s} (${site.siteId}) mapping ${index}`, rest.join('.') || compiled.errors[0]!);
    }
    return { siteId: site.siteId, mappings: compiled.mappings };
  });
}

export interface MqttIngestOptions {
  sites: readonly SiteMappings[];
  url: string;
  username?: string;
  password?: string;
  db: Database;
  writer: Pick<IngestBus, 'enqueue'>;
  log: Logger;
  registry?: Registry;
  /** called when a wave of messages is durable (benchmarks) */
  onStored?: (siteId: string, messages: readonly DecodeResult[]) => void;
}

export interface MqttIngest {
  subscribers: ReadonlyMap<string, MqttSubscriber>;
  /** stops the subscribers (held messages stay unacknowledged) and writes the last journal rows */
  close(): Promise<void>;
}

export function startMqttIngest(o: MqttIngestOptions): MqttIngest {
  const subscribers = new Map<string, MqttSubscriber>();
  const sinks: WriterSink[] = [];
  const log = o.log.child({ component: 'mqtt-ingest' });
  for (const site of o.sites) {
    const sink = writerSink(o.db, o.writer, site.siteId, log, {
      mappings: site.mappings,
      ...(o.onStored ? { onStored: (messages) => o.onStored!(site.siteId, messages) } : {}),
    });
    sinks.push(sink);
    const sub = startMqttSubscriber({
      url: o.url,
      clientId: `luna-ingest-${site.siteId}`,
      mappings: site.mappings,
      sink,
      source: 'mqtt',
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      log: {
        info: (msg, d) => log.info({ siteId: site.siteId, ...d }, msg),
        warn: (msg, d) => log.warn({ siteId: site.siteId, ...d }, msg),
      },
    });
    subscribers.set(site.siteId, sub);
    const topics = subscriptionTopics(site.mappings);
    log.info(
      { siteId: site.siteId, mappings: site.mappings.length, topics },
      `mqtt ingest: site ${site.siteId}, ${site.mappings.length} mapping${site.mappings.length === 1 ? '' : 's'}, topics ${topics.join(', ')}`,
    );
  }
  if (o.registry) {
    new Counter({
      name: 'luna_mqtt_messages_total',
      help: 'MQTT messages received by the ingest, by site and outcome (received, ignored, readings_submitted, rejected, submit_failures)',
      labelNames: ['site', 'outcome'],
      registers: [o.registry],
      collect() {
        this.reset();
        for (const [site, sub] of subscribers) {
          const s = sub.stats;
          this.inc({ site, outcome: 'received' }, s.received);
          this.inc({ site, outcome: 'ignored' }, s.ignored);
          this.inc({ site, outcome: 'readings_submitted' }, s.submitted);
          this.inc({ site, outcome: 'rejected' }, s.rejected);
          this.inc({ site, outcome: 'submit_failures' }, s.submitFailures);
        }
      },
    });
  }
  return {
    subscribers,
    async close() {
      await Promise.all([...subscribers.values()].map((s) => s.close()));
      for (const sink of sinks) await sink.close();
    },
  };
}
