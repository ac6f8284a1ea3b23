/**
 * Devices API: the model catalogue, a site's devices with their health, device configuration
 * (create/replace, delete — audited) and manual setpoint writes (operator; audited; always with a
 * revert timeout).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { DeviceWriteError, DEVICE_ERROR_KINDS, CONNECTION_STATES } from './driver.js';
import { DeviceConfigError, redact, type DeviceService } from './service.js';

const Health = Type.Object({
  deviceId: Type.String(),
  siteId: Type.String(),
  protocol: Type.String(),
  model: Type.String(),
  state: Type.Union(
    CONNECTION_STATES.map((s) => Type.Literal(s)),
    { description: 'connecting, online, degraded (some reads fail), offline (retrying with backoff), stopped' },
  ),
  sinceMs: Type.Number({ description: 'when the state last changed (epoch ms)' }),
  lastValueMs: Type.Union([Type.Number(), Type.Null()], { description: 'time of the newest value accepted (epoch ms)' }),
  reads: Type.Integer(),
  errors: Type.Object(Object.fromEntries(DEVICE_ERROR_KINDS.map((k) => [k, Type.Integer()]))),
  exceptions: Type.Record(Type.String(), Type.Integer(), { description: 'Modbus exception replies by exception code' }),
  lastError: Type.Union([
    Type.Object({
      kind: Type.String(),
      message: Type.String(),
      atMs: Type.Number(),
      code: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    }),
    Type.Null(),
  ]),
  detail: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'protocol details, e.g. SunSpec base address and models' }),
  ),
});

const Config = Type.Record(Type.String(), Type.Unknown(), {
  description: 'device configuration (api/src/devices/definition.ts deviceConfigSchema); passwords shown as ***',
});
const Device = Type.Object({
  config: Config,
  stored: Type.Boolean({ description: 'false for devices attached at run time (demo site)' }),
  health: Health,
});
const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const DeviceParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), deviceId: Type.String({ maxLength: 63 }) }, strict);
const SetpointParams = Type.Object(
  { siteId: Type.String({ maxLength: 63 }), deviceId: Type.String({ maxLength: 63 }), setpoint: Type.String({ maxLength: 64 }) },
  strict,
);
const DeviceBody = Type.Object(
  {
    model: Type.String({ description: 'a model id from GET /device-models' }),
    protocol: Type.String({ description: 'modbus | sunspec | mqtt | opcua (must match the model)' }),
    connection: Type.Record(Type.String(), Type.Unknown(), {
      description: 'host/port/unitId/timeoutMs/pollIntervalMs (Modbus, SunSpec), url/topicPrefix (MQTT), endpointUrl/securityMode (OPC UA)',
    }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    seriesPrefix: Type.Optional(Type.String({ maxLength: 100 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  strict,
);
const WriteBody = Type.Object(
  {
    value: Type.Number({ description: 'in the setpoint unit (see GET /device-models)' }),
    revertTimeoutS: Type.Optional(
      Type.Integer({ minimum: 1, description: "seconds until the device reverts unless written again; default the setpoint's" }),
    ),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  strict,
);
const WriteResult = Type.Object({
  setpoint: Type.String(),
  value: Type.Number(),
  raw: Type.Number(),
  revertTimeoutS: Type.Integer(),
  atMs: Type.Number(),
});

export function registerDeviceRoutes(app: FastifyInstance, db: Database, devices: DeviceService): void {
  app.get(
    '/device-models',
    {
      schema: {
        tags: ['devices'],
        summary: 'Device models: what each can read and which setpoints it accepts',
        response: {
          200: {
            ...Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                manufacturer: Type.String(),
                protocol: Type.String(),
                points: Type.Array(Type.Object({ name: Type.String(), quantity: Type.String(), unit: Type.String() })),
                setpoints: Type.Array(
                  Type.Object({
                    name: Type.String(),
                    unit: Type.String(),
                    min: Type.Number(),
                    max: Type.Number(),
                    defaultRevertTimeoutS: Type.Integer(),
                    maxRevertTimeoutS: Type.Integer(),
                  }),
                ),
              }),
            ),
            description: 'Models from devices/models/*.json',
          },
          ...errorResponses,
        },
      },
    },
    async () =>
      [...devices.models.values()].map((m) => ({
        id: m.id,
        name: m.name,
        manufacturer: m.manufacturer,
        protocol: m.protocol,
        points: m.points.map((p) => ({ name: p.name, quantity: p.quantity, unit: p.unit })),
        setpoints: m.setpoints.map((s) => ({
          name: s.name,
          unit: s.unit,
          min: s.min,
          max: s.max,
          defaultRevertTimeoutS: s.defaultRevertTimeoutS,
          maxRevertTimeoutS: s.maxRevertTimeoutS,
        })),
      })),
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "A site's devices with connection state, last value time and error counts",
        params: SiteParams,
        response: { 200: { ...Type.Array(Device), description: 'Devices' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      return devices.list(req.params.siteId);
    },
  );

  app.put<{ Params: Static<typeof DeviceParams>; Body: Static<typeof DeviceBody> }>(
    '/sites/:siteId/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Create or replace a device and (re)start its driver',
        description: 'The configuration is validated against the model; errors name the field. Audited.',
        params: DeviceParams,
        body: DeviceBody,
        response: { 200: { ...Device, description: 'The device as configured' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const { siteId, deviceId } = req.params;
      await mustGetSite(db, siteId);
      const before = devices.get(siteId, deviceId);
      let config;
      try {
        config = await devices.put({ ...req.body, id: deviceId, siteId });
      } catch (err) {
        if (err instanceof DeviceConfigError) throw new HttpError(400, 'invalid_device', err.errors.join('; '));
        throw err;
      }
      await recordAudit(db, {
        ...contextOf(req),
        action: 'device.put',
        target: `device:${siteId}/${deviceId}`,
        siteId,
        ...(before ? { before: before.config } : {}),
        after: redact(config),
      });
      return devices.get(siteId, deviceId)!;
    },
  );

  app.delete<{ Params: Static<typeof DeviceParams> }>(
    '/sites/:siteId/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Stop and remove a device (its series and readings stay)',
        params: DeviceParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...errorResponses, ...notFound },
      },
    },
    async (req, reply) => {
      const { siteId, deviceId } = req.params;
      const before = devices.get(siteId, deviceId);
      if (!(await devices.remove(siteId, deviceId))) throw new HttpError(404, 'not_found', `No device "${deviceId}" on site ${siteId}`);
      await recordAudit(db, {
        ...contextOf(req),
        action: 'device.delete',
        target: `device:${siteId}/${deviceId}`,
        siteId,
        ...(before ? { before: before.config } : {}),
      });
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof SetpointParams>; Body: Static<typeof WriteBody> }>(
    '/sites/:siteId/devices/:deviceId/setpoints/:setpoint',
    {
      schema: {
        tags: ['devices'],
        summary: 'Write a setpoint now (operator), always with a revert timeout',
        description:
          'A manual command: the device reverts to its own behaviour after revertTimeoutS unless written again. Audited with the reason.',
        params: SetpointParams,
        body: WriteBody,
        response: {
          200: { ...WriteResult, description: 'Written' },
          ...errorResponses,
          ...notFound,
          409: { ...errorResponses[400], description: 'The device is not connected' },
          502: { ...errorResponses[400], description: 'The device refused the write' },
        },
      },
    },
    async (req) => {
      const { siteId, deviceId, setpoint } = req.params;
      if (!devices.get(siteId, deviceId)) throw new HttpError(404, 'not_found', `No device "${deviceId}" on site ${siteId}`);
      let out;
      try {
        out = await devices.write(siteId, deviceId, setpoint, req.body.value, req.body.revertTimeoutS);
      } catch (err) {
        if (!(err instanceof DeviceWriteError)) throw err;
        const status =
          err.reason === 'not_connected' ? 409 : err.reason === 'refused' ? 502 : err.reason === 'unknown_setpoint' ? 404 : 400;
        throw new HttpError(status, err.reason, err.message);
      }
      await recordAudit(db, {
        ...contextOf(req),
        action: 'command.setpoint',
        target: `device:${siteId}/${deviceId}`,
        siteId,
        after: { setpoint, value: out.value, revertTimeoutS: out.revertTimeoutS, ...(req.body.reason ? { reason: req.body.reason } : {}) },
      });
      return out;
    },
  );
}
