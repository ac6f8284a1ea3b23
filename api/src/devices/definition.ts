/**
 * Device definitions — a device MODEL is described by data (a JSON file under top-level
 * `devices/models/`), never by code: which values can be read (register, SunSpec point, MQTT topic
 * or OPC UA node), how they are scaled, in which unit they arrive and which series/quantity they
 * feed; which setpoints can be written (address, type, scale, unit, limits, revert-timeout point);
 * and default connection options per protocol.
 *
 * A DEVICE (instance, see `deviceConfigSchema`) names a model, a site, its connection (host, unit
 * id, broker, endpoint …) and the prefix of its series keys.
 *
 * Units: `unit` is the unit of the value AFTER scaling (scale factor / multiplier), written as
 * parseUnit (ingest/normalise.units.ts) understands it (W, kW, Wh, kWh, %, °C, V, A, Hz, var …);
 * the driver converts to the canonical unit of `quantity` (ingest/model.ts QUANTITIES).
 * Series keys: `<device.seriesPrefix>/<point.series ?? point.quantity>`; e.g. device prefix
 * 'pv1' + quantity 'active_power' → 'pv1/active_power'.
 *
 * STABLE CONTRACT: other modules (OPC UA driver in ./opcua/, the site simulator) build on these
 * types; change additively only.
 */
import { z } from 'zod';
import { QUANTITIES, SEMANTICS, type Quantity } from '../ingest/model.js';
import { parseUnit } from '../ingest/normalise.js';

export const PROTOCOLS = ['modbus', 'sunspec', 'mqtt', 'opcua'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Register data types (SunSpec names; `float64`, `bool` for plain Modbus). */
export const DATA_TYPES = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'acc16',
  'acc32',
  'acc64',
  'enum16',
  'enum32',
  'bitfield16',
  'bitfield32',
  'sunssf',
  'count',
  'pad',
  'string',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

const QUANTITY_NAMES = Object.keys(QUANTITIES) as [Quantity, ...Quantity[]];

const unit = z.string().superRefine((u, ctx) => {
  if (!parseUnit(u)) ctx.addIssue({ code: 'custom', message: `unknown unit "${u}"` });
});

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-", "." (starting with a letter)')
  .max(64);

// ---- addresses per protocol ----------------------------------------------------------------------

/** A plain Modbus register (0-based protocol address, as sent on the wire). */
export const modbusAddressSchema = z.strictObject({
  /** 'holding' (FC 3 read, FC 6/16 write) or 'input' (FC 4, read only) */
  table: z.enum(['holding', 'input']).default('holding'),
  address: z.number().int().min(0).max(65535),
  type: z.enum(DATA_TYPES).default('uint16'),
  /** word order of 32/64-bit values: 'big' = high word first (Modbus/SunSpec convention) */
  wordOrder: z.enum(['big', 'little']).default('big'),
  /** registers of a string */
  size: z.number().int().min(1).max(125).optional(),
  /** multiply the raw value by this (e.g. 0.1); applied before `scaleFactor` */
  scale: z.number().finite().optional(),
  /** power-of-ten exponent: a literal (-2) or the address of an int16 register holding it (SunSpec style) */
  scaleFactor: z.union([z.number().int().min(-10).max(10), z.strictObject({ address: z.number().int().min(0).max(65535) })]).optional(),
  /** raw values meaning "not available" besides the type's default not-implemented marker */
  notImplemented: z.array(z.number()).optional(),
});
export type ModbusAddress = z.infer<typeof modbusAddressSchema>;

/** A SunSpec point, located by discovery: model id, point name, optional repeating-group index. */
export const sunspecAddressSchema = z.strictObject({
  model: z.number().int().min(1).max(65534),
  point: z.string().min(1),
  /** repeating group and index, e.g. { name: 'module', index: 0 } for model 160 */
  group: z.strictObject({ name: z.string().min(1), index: z.number().int().min(0) }).optional(),
  /** which instance when a model appears more than once (0 = first) */
  instance: z.number().int().min(0).default(0),
  /** extra multiplier after the SunSpec scale factor (e.g. -1 to flip a sign convention) */
  scale: z.number().finite().optional(),
});
export type SunSpecAddress = z.infer<typeof sunspecAddressSchema>;

/** An MQTT topic: a plain number payload or a JSON path inside it. */
export const mqttAddressSchema = z.strictObject({
  /** topic relative to the device's `topicPrefix` (`{prefix}` may appear; without it the prefix is prepended with '/') */
  topic: z.string().min(1),
  format: z.enum(['number', 'json']).default('number'),
  /** dot path in a JSON payload ('ENERGY.Power', 'emeters.0.power') */
  path: z.string().min(1).optional(),
  /** dot path of a timestamp in the JSON payload (epoch s/ms or ISO with offset); default receive time */
  timestampPath: z.string().min(1).optional(),
  scale: z.number().finite().optional(),
});
export type MqttAddress = z.infer<typeof mqttAddressSchema>;

/** An OPC UA node (filled in by the OPC UA driver, ./opcua/). */
export const opcuaAddressSchema = z.strictObject({
  /** 'ns=2;s=Battery.Power', 'ns=3;i=1001', or a browse path resolved at start */
  nodeId: z.string().min(1),
  /** OPC UA built-in type to write with (Double, Float, Int16, …); read values are taken as they come */
  dataType: z.string().min(1).optional(),
  scale: z.number().finite().optional(),
  /** sampling interval of a monitored item (ms); default the device's */
  samplingIntervalMs: z.number().int().min(0).optional(),
});
export type OpcuaAddress = z.infer<typeof opcuaAddressSchema>;

// ---- points and setpoints ------------------------------------------------------------------------

const pointBase = {
  name,
  label: z.string().optional(),
  /** what is measured; the series is created with this quantity */
  quantity: z.enum(QUANTITY_NAMES),
  /** unit of the value after scaling; converted to the quantity's canonical unit */
  unit,
  semantics: z.enum(SEMANTICS).optional(),
  /** last level(s) of the series key (default: the quantity); must be unique within the model */
  series: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/)
    .optional(),
  /** readings outside [min, max] (after conversion) are refused, not stored */
  min: z.number().optional(),
  max: z.number().optional(),
};

const setpointBase = {
  name,
  label: z.string().optional(),
  /** unit of the value given to write(), e.g. '%' or 'W' */
  unit: z.string().min(1),
  min: z.number(),
  max: z.number(),
  /**
   * Revert timeout: the device falls back to its own safe behaviour after this many seconds
   * without a renewal. Required for every setpoint unless `revert: 'none'` says why not.
   */
  defaultRevertTimeoutS: z.number().int().min(1).max(86_400).default(300),
  maxRevertTimeoutS: z.number().int().min(1).max(86_400).default(3_600),
};

const revertNone = z.strictObject({ none: z.string().min(10).describe('why this setpoint has no revert timeout') });

function setpointVariant<A extends z.ZodType>(address: A) {
  return z.strictObject({
    ...setpointBase,
    /** where the value goes */
    target: address,
    /** where the revert timeout (s) goes, written BEFORE the value */
    revertTimeout: z.union([address, revertNone]),
    /** written AFTER the value to enable it (e.g. WMaxLim_Ena = 1) */
    enable: z.strictObject({ target: address, value: z.number() }).optional(),
    /** extra fixed writes before the value (e.g. StorCtl_Mod bits) */
    before: z.array(z.strictObject({ target: address, value: z.number() })).optional(),
  });
}

const modbusPoint = z.strictObject({ ...pointBase, source: modbusAddressSchema });
const sunspecPoint = z.strictObject({ ...pointBase, source: sunspecAddressSchema });
const mqttPoint = z.strictObject({ ...pointBase, source: mqttAddressSchema });
const opcuaPoint = z.strictObject({ ...pointBase, source: opcuaAddressSchema });

const mqttCommand = z.strictObject({
  /** command topic, relative to topicPrefix like mqttAddressSchema.topic */
  topic: z.string().min(1),
  /** payload: the number as text, or a JSON object with the value at `path` (other fields fixed in `template`) */
  format: z.enum(['number', 'json']).default('number'),
  path: z.string().min(1).optional(),
  template: z.record(z.string(), z.unknown()).optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  /** retained commands survive a broker restart but also re-apply stale values — default false */
  retain: z.boolean().default(false),
});
export type MqttCommand = z.infer<typeof mqttCommand>;

// ---- connection options --------------------------------------------------------------------------

export const modbusConnectionSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  unitId: z.number().int().min(0).max(255).default(1),
  /** per request */
  timeoutMs: z.number().int().min(10).max(60_000).default(2_000),
  pollIntervalMs: z.number().int().min(50).max(3_600_000).default(5_000),
  /** registers per read request (protocol maximum 125); some devices need less */
  maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
  /** reconnect backoff */
  reconnectMinMs: z.number().int().min(10).default(500),
  reconnectMaxMs: z.number().int().min(10).default(30_000),
  /** SunSpec only: where the "SunS" marker is (default: probe 40000, 50000, 0 and their 1-based variants) */
  sunspecBase: z.number().int().min(0).max(65535).optional(),
});
export type ModbusConnection = z.infer<typeof modbusConnectionSchema>;

export const mqttConnectionSchema = z.strictObject({
  /** broker URL; default the service's MQTT_URL */
  url: z.string().min(1).optional(),
  /** replaces {prefix} in point/command topics, e.g. 'site1/battery' */
  topicPrefix: z.string().default(''),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  /** a device that sends nothing for this long is 'offline' (default 3 × 60 s) */
  staleAfterMs: z.number().int().min(100).default(180_000),
  username: z.string().optional(),
  password: z.string().optional(),
});
export type MqttConnection = z.infer<typeof mqttConnectionSchema>;

export const opcuaConnectionSchema = z.strictObject({
  endpointUrl: z.string().min(1),
  securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
  securityPolicy: z.string().default('None'),
  /** anonymous unless given */
  userName: z.string().optional(),
  password: z.string().optional(),
  /** client certificate and key files (PEM) for X.509 user identity or secure channels */
  certificateFile: z.string().optional(),
  privateKeyFile: z.string().optional(),
  samplingIntervalMs: z.number().int().min(0).default(1_000),
  publishingIntervalMs: z.number().int().min(10).default(1_000),
  timeoutMs: z.number().int().min(100).default(10_000),
  reconnectMinMs: z.number().int().min(10).default(500),
  reconnectMaxMs: z.number().int().min(10).default(30_000),
});
export type OpcuaConnection = z.infer<typeof opcuaConnectionSchema>;

// ---- the model definition ------------------------------------------------------------------------

const modelBase = {
  /** file name without .json, e.g. 'sunspec-inverter', 'janitza-umg604' */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_", "-"'),
  name: z.string().min(1),
  manufacturer: z.string().min(1),
  description: z.string().optional(),
  /** where the register map / topics came from (datasheet, URL, version) */
  source: z.string().optional(),
};

export const modbusModelSchema = z.strictObject({
  ...modelBase,
  protocol: z.literal('modbus'),
  points: z.array(modbusPoint).min(1),
  setpoints: z.array(setpointVariant(modbusAddressSchema)).default([]),
  connection: modbusConnectionSchema.partial().optional(),
});

export const sunspecModelSchema = z.strictObject({
  ...modelBase,
  protocol: z.literal('sunspec'),
  /** SunSpec models the device must have (discovery fails clearly without them) */
  requiredModels: z.array(z.number().int()).default([1]),
  points: z.array(sunspecPoint).min(1),
  setpoints: z.array(setpointVariant(sunspecAddressSchema)).default([]),
  connection: modbusConnectionSchema.partial().optional(),
});

export const mqttModelSchema = z.strictObject({
  ...modelBase,
  protocol: z.literal('mqtt'),
  points: z.array(mqttPoint).min(1),
  setpoints: z.array(setpointVariant(mqttCommand)).default([]),
  connection: mqttConnectionSchema.partial().optional(),
});

export const opcuaModelSchema = z.strictObject({
  ...modelBase,
  protocol: z.literal('opcua'),
  points: z.array(opcuaPoint).min(1),
  setpoints: z.array(setpointVariant(opcuaAddressSchema)).default([]),
  connection: opcuaConnectionSchema.partial().optional(),
});

export const deviceModelSchema = z
  .discriminatedUnion('protocol', [modbusModelSchema, sunspecModelSchema, mqttModelSchema, opcuaModelSchema])
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    const keys = new Map<string, string>();
    m.points.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['points', i, 'name'], message: `point "${p.name}" defined twice` });
      seen.add(p.name);
      const key = p.series ?? p.quantity;
      const other = keys.get(key);
      if (other !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['points', i, 'series'],
          message: `series "${key}" is also fed by point "${other}"; give one of them its own "series"`,
        });
      keys.set(key, p.name);
      const u = parseUnit(p.unit);
      if (u && !u.quantities.includes(p.quantity))
        ctx.addIssue({
          code: 'custom',
          path: ['points', i, 'unit'],
          message: `unit "${p.unit}" does not measure ${p.quantity} (it measures ${u.quantities.join(', ')})`,
        });
      if (p.min !== undefined && p.max !== undefined && p.min > p.max)
        ctx.addIssue({ code: 'custom', path: ['points', i, 'min'], message: `min ${p.min} is above max ${p.max}` });
    });
    const sp = new Set<string>();
    m.setpoints.forEach((s, i) => {
      if (sp.has(s.name)) ctx.addIssue({ code: 'custom', path: ['setpoints', i, 'name'], message: `setpoint "${s.name}" defined twice` });
      sp.add(s.name);
      if (s.min > s.max) ctx.addIssue({ code: 'custom', path: ['setpoints', i, 'min'], message: `min ${s.min} is above max ${s.max}` });
      if (s.defaultRevertTimeoutS > s.maxRevertTimeoutS)
        ctx.addIssue({
          code: 'custom',
          path: ['setpoints', i, 'defaultRevertTimeoutS'],
          message: `default revert timeout ${s.defaultRevertTimeoutS} s is above the maximum ${s.maxRevertTimeoutS} s`,
        });
    });
  });

export type DeviceModel = z.infer<typeof deviceModelSchema>;
export type ModbusModel = z.infer<typeof modbusModelSchema>;
export type SunSpecModel = z.infer<typeof sunspecModelSchema>;
export type MqttModel = z.infer<typeof mqttModelSchema>;
export type OpcuaModel = z.infer<typeof opcuaModelSchema>;
export type DevicePoint = DeviceModel['points'][number];
export type DeviceSetpoint = DeviceModel['setpoints'][number];

// ---- a device (instance) -------------------------------------------------------------------------

const instanceBase = {
  /** unique per site: 'pv1', 'battery', 'main-meter' */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "_", "-" (at most 63)'),
  siteId: z.string().min(1),
  /** a model id from devices/models/*.json (or an inline model, `definition`) */
  model: z.string().min(1),
  name: z.string().optional(),
  /** series keys are `<seriesPrefix>/<quantity or series>`; default the device id */
  seriesPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/)
    .optional(),
  enabled: z.boolean().default(true),
};

export const deviceConfigSchema = z.discriminatedUnion('protocol', [
  z.strictObject({ ...instanceBase, protocol: z.literal('modbus'), connection: modbusConnectionSchema }),
  z.strictObject({ ...instanceBase, protocol: z.literal('sunspec'), connection: modbusConnectionSchema }),
  z.strictObject({ ...instanceBase, protocol: z.literal('mqtt'), connection: mqttConnectionSchema }),
  z.strictObject({ ...instanceBase, protocol: z.literal('opcua'), connection: opcuaConnectionSchema }),
]);
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;
/** Input form (defaults not yet applied), e.g. what an API client sends. */
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Validates a model definition (a parsed JSON file); errors name the field path and the reason. */
export function parseDeviceModel(input: unknown): ParseOutcome<DeviceModel> {
  const r = deviceModelSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: issues(r.error) };
}

/** Validates a device instance; with `model` also checks that the protocols agree. */
export function parseDeviceConfig(input: unknown, model?: DeviceModel): ParseOutcome<DeviceConfig> {
  const r = deviceConfigSchema.safeParse(input);
  if (!r.success) return { ok: false, errors: issues(r.error) };
  if (model && model.protocol !== r.data.protocol)
    return { ok: false, errors: [`protocol: device says "${r.data.protocol}" but model "${model.id}" is "${model.protocol}"`] };
  if (model && model.id !== r.data.model) return { ok: false, errors: [`model: "${r.data.model}" is not "${model.id}"`] };
  return { ok: true, value: r.data };
}

/** The series key of a point on a device: `<prefix>/<series ?? quantity>`. */
export function seriesKeyOf(device: Pick<DeviceConfig, 'id' | 'seriesPrefix'>, point: Pick<DevicePoint, 'quantity' | 'series'>): string {
  return `${device.seriesPrefix ?? device.id}/${point.series ?? point.quantity}`;
}
