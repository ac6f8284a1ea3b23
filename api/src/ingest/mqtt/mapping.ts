/**
 * MQTT topic mappings — data, validated by a zod schema, and a pure decoder:
 * (mappings, topic, payload, receive time) → keyed readings in canonical units + rejections.
 *
 *   { topic: 'meter/+/power', format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } }
 *   { topic: 'sensors/+/state', format: 'json', series: [
 *       { path: 'ENERGY.Power', seriesKey: 'x/{1}/power', unit: 'W', timestampPath: 'Time' } ], timeZone: 'Europe/Berlin' }
 *   { topic: 'tele/+/SENSOR', format: 'tasmota', series: { prefix: 'tasmota/{1}' } }
 *   { topic: '+/status/+', format: 'shelly', series: { prefix: 'shelly/{1}' } }
 *   { topic: 'solar/+/+/+', format: 'opendtu', series: { prefix: 'opendtu/{1}' } }
 *
 * `{n}` in a series key is the n-th wildcard capture of the topic (see topic.ts). Units of
 * 'number' and 'json' series are checked with parseUnit when the mapping is compiled, so an
 * unknown unit is a configuration error, not a stream of rejections. Device formats know their
 * units and timestamps (see devices.ts). A message matching several mappings is decoded by each.
 */
import { z } from 'zod';
import { SEMANTICS, type Semantics } from '../model.js';
import { parseUnit, type UnitInfo } from '../normalise.js';
import { decodeOpenDtu, decodeShelly, decodeTasmota } from './devices.js';
import { fillTemplate, highestPlaceholder, matchTopic, topicFilterProblem, wildcardCount } from './topic.js';
import {
  getPath,
  MessageResult,
  numberAt,
  parseJson,
  parseNumberText,
  resolveTimestamp,
  show,
  toCanonical,
  type DecodeResult,
} from './values.js';

export type { DecodeResult, KeyedReading } from './values.js';

const topicFilter = z.string().superRefine((t, ctx) => {
  const problem = topicFilterProblem(t);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const unit = z.string().superRefine((u, ctx) => {
  if (!parseUnit(u)) ctx.addIssue({ code: 'custom', message: `unknown unit "${u}"` });
});

const timeZone = z.string().superRefine((tz, ctx) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${tz}" (use an IANA name like Europe/Berlin)` });
  }
});

const seriesKey = z.string().min(1);

/** Energy series default to 'cumulative' (meter registers: negative values refused), others to 'instantaneous'. */
const semantics = z.enum(SEMANTICS).optional();

const numberMapping = z.strictObject({
  name: z.string().optional(),
  topic: topicFilter,
  format: z.literal('number'),
  series: z.strictObject({ seriesKey, unit, semantics }),
});

const jsonMapping = z.strictObject({
  name: z.string().optional(),
  topic: topicFilter,
  format: z.literal('json'),
  series: z
    .array(
      z.strictObject({
        /** dot path; numeric segments index arrays: 'emeters.0.power' */
        path: z.string().min(1),
        seriesKey,
        unit,
        semantics,
        /** epoch s/ms number, ISO 8601 with offset, or local ISO time (needs timeZone); default: receive time */
        timestampPath: z.string().min(1).optional(),
      }),
    )
    .min(1),
  timeZone: timeZone.optional(),
});

const deviceSeries = z.strictObject({ prefix: z.string().min(1) });

const tasmotaMapping = z.strictObject({
  name: z.string().optional(),
  topic: topicFilter,
  format: z.literal('tasmota'),
  series: deviceSeries,
  /** the zone the device's clock shows; without it (and without SetOption52 offsets) receive time is used */
  timeZone: timeZone.optional(),
});

const shellyMapping = z.strictObject({
  name: z.string().optional(),
  topic: topicFilter,
  format: z.literal('shelly'),
  series: deviceSeries,
});

const openDtuMapping = z.strictObject({
  name: z.string().optional(),
  topic: topicFilter,
  format: z.literal('opendtu'),
  series: deviceSeries,
});

export const mappingSchema = z
  .discriminatedUnion('format', [numberMapping, jsonMapping, tasmotaMapping, shellyMapping, openDtuMapping])
  .superRefine((m, ctx) => {
    const captures = wildcardCount(m.topic);
    const templates: [string, (string | number)[]][] =
      m.format === 'number'
        ? [[m.series.seriesKey, ['series', 'seriesKey']]]
        : m.format === 'json'
          ? m.series.map((s, i) => [s.seriesKey, ['series', i, 'seriesKey']])
          : [[m.series.prefix, ['series', 'prefix']]];
    for (const [template, path] of templates) {
      const n = highestPlaceholder(template);
      if (n > captures)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `"${template}" refers to {${n}} but topic "${m.topic}" has ${captures} wildcard level(s)`,
        });
    }
  });

export const mappingsSchema = z.array(mappingSchema);

export type MappingDefinition = z.infer<typeof mappingSchema>;
export type MqttFormat = MappingDefinition['format'];

/** A validated mapping with its units resolved. */
export interface CompiledMapping {
  readonly definition: MappingDefinition;
  readonly units: readonly UnitInfo[];
  readonly semantics: readonly Semantics[];
}

export type CompileResult = { ok: true; mappings: CompiledMapping[] } | { ok: false; errors: string[] };

/** Validates mapping definitions (from a config file or the API) and resolves their units. */
export function compileMappings(input: unknown): CompileResult {
  const parsed = mappingsSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    };
  return { ok: true, mappings: parsed.data.map(compileOne) };
}

function compileOne(definition: MappingDefinition): CompiledMapping {
  const entries = definition.format === 'number' ? [definition.series] : definition.format === 'json' ? definition.series : [];
  const units = entries.map((s) => parseUnit(s.unit)!);
  const sem = entries.map((s, i): Semantics => s.semantics ?? (units[i]!.quantities.includes('energy') ? 'cumulative' : 'instantaneous'));
  return { definition, units, semantics: sem };
}

/** Distinct topic filters to subscribe to. */
export function subscriptionTopics(mappings: readonly CompiledMapping[]): string[] {
  return [...new Set(mappings.map((m) => m.definition.topic))];
}

/** Decodes one message with every mapping whose topic filter matches it. `matched` is false when none does. */
export function decodeMessage(
  mappings: readonly CompiledMapping[],
  topic: string,
  payload: Uint8Array | string,
  receivedMs: number,
): DecodeResult & { matched: boolean } {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  const result = new MessageResult(topic, text);
  let matched = false;
  for (const m of mappings) {
    const captures = matchTopic(m.definition.topic, topic);
    if (!captures) continue;
    matched = true;
    decodeWith(m, captures, topic, text, receivedMs, result);
  }
  return { readings: result.readings, rejections: result.rejections, matched };
}

function decodeWith(m: CompiledMapping, captures: string[], topic: string, text: string, receivedMs: number, result: MessageResult): void {
  const d = m.definition;
  switch (d.format) {
    case 'number': {
      const n = parseNumberText(text);
      if (!n.ok) return result.reject(`payload ${n.reason}`);
      emit(
        result,
        fillTemplate(d.series.seriesKey, captures),
        n.value.value,
        n.value.unit,
        m.units[0]!,
        m.semantics[0]!,
        'payload',
        receivedMs,
      );
      return;
    }
    case 'json': {
      const json = parseJson(text);
      if (!json.ok) return result.reject(json.reason);
      d.series.forEach((s, i) => {
        const v = getPath(json.value, s.path);
        if (!v.found) return result.reject(`${s.path} missing in payload`);
        const n = numberAt(v.value, s.path);
        if (!n.ok) return result.reject(n.reason);
        let tsMs = receivedMs;
        if (s.timestampPath !== undefined) {
          const t = getPath(json.value, s.timestampPath);
          if (!t.found) return result.reject(`${s.timestampPath} missing in payload (timestamp of ${s.path})`);
          const ts = resolveTimestamp(t.value, s.timestampPath, { receivedMs, timeZone: d.timeZone });
          if (!ts.ok) return result.reject(ts.reason);
          tsMs = ts.value;
        }
        emit(result, fillTemplate(s.seriesKey, captures), n.value.value, n.value.unit, m.units[i]!, m.semantics[i]!, s.path, tsMs);
      });
      return;
    }
    case 'tasmota':
    case 'shelly':
    case 'opendtu': {
      const ctx = {
        result,
        topic,
        prefix: fillTemplate(d.series.prefix, captures).replace(/\/+$/, ''),
        payload: text,
        receivedMs,
        timeZone: d.format === 'tasmota' ? d.timeZone : undefined,
      };
      if (d.format === 'tasmota') decodeTasmota(ctx);
      else if (d.format === 'shelly') decodeShelly(ctx);
      else decodeOpenDtu(ctx);
      return;
    }
  }
}

function emit(
  result: MessageResult,
  key: string,
  value: number,
  unitWritten: string | undefined,
  unit: UnitInfo,
  sem: Semantics,
  where: string,
  tsMs: number,
): void {
  const v = toCanonical(value, unitWritten, unit);
  if (!v.ok) return result.reject(`${where}: ${v.reason}`);
  if (sem === 'cumulative' && v.value < 0)
    return result.reject(
      `${where} is ${show(value)}${unitWritten ? ` ${unitWritten}` : ` ${unit.unit}`}: a cumulative counter cannot be negative`,
    );
  result.add(key, tsMs, v.value);
}
