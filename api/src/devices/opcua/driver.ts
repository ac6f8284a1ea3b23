/**
 * OPC UA devices from a definition (issue #5 item 4): points are variable nodes read once at
 * connect and then followed by one monitored item each (samplingInterval set per point or from the
 * connection), values scaled and converted like the other drivers (../values.ts); setpoints are
 * written to their nodes (revert timeout first, then `before`, the value, `enable`).
 *
 * Connection: endpoint URL, security mode (None/Sign/SignAndEncrypt) + policy (name or URI),
 * anonymous or user/password identity; `certificateFile`/`privateKeyFile` are the client's
 * application certificate for secure channels (X.509 USER identity is not implemented).
 *
 * Reconnect is our own (not node-opcua's): when the connection is lost the client is dropped, the
 * device goes 'offline' and a fresh connect + session + subscription is tried with backoff
 * (reconnectMinMs → reconnectMaxMs). States: connecting → online (every node read Good) /
 * degraded (some nodes Bad or a value refused; the good ones are stored) / offline / stopped.
 */
import type { ClientSubscription } from 'node-opcua-client';
import {
  AttributeIds,
  ClientMonitoredItem,
  DataType,
  MessageSecurityMode,
  NodeClass,
  OPCUAClient,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type DataValue,
  type UserIdentityInfo,
} from 'node-opcua-client';
import type { Rejection } from '../../ingest/model.js';
import type { DeviceConfig, OpcuaAddress, OpcuaConnection, OpcuaModel } from '../definition.js';
import {
  checkSetpointWrite,
  DeviceWriteError,
  type DeviceBatch,
  type DeviceDriver,
  type DeviceHealth,
  type DeviceSink,
  type DriverDeps,
  type WriteOptions,
  type WriteOutcome,
} from '../driver.js';
import { backoffMs, HealthTracker } from '../health.js';
import { pointReading } from '../values.js';

type OpcuaDevice = Extract<DeviceConfig, { protocol: 'opcua' }>;
type Point = OpcuaModel['points'][number];

export interface BrowsedNode {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
}

/** 'Basic256Sha256' → the policy URI; a URI is kept. */
export function securityPolicyUri(policy: string): string {
  return policy.startsWith('http') ? policy : `http://opcfoundation.org/UA/SecurityPolicy#${policy}`;
}

/** A node value as a number: numbers, booleans, bigint, Int64/UInt64 as [high, low]; otherwise a reason. */
export function numericValue(v: unknown): { ok: true; value: number } | { ok: false; reason: string } {
  if (typeof v === 'number') return { ok: true, value: v };
  if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 };
  if (typeof v === 'bigint') return { ok: true, value: Number(v) };
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
    const [hi, lo] = v as [number, number];
    return { ok: true, value: hi * 2 ** 32 + lo };
  }
  return { ok: false, reason: `value ${JSON.stringify(v)?.slice(0, 80) ?? String(v)} is not numeric` };
}

/** One DataValue of a point → a reading or a rejection (pure apart from the clock default). */
export function decodeDataValue(
  device: OpcuaDevice,
  point: Point,
  dv: Pick<DataValue, 'statusCode' | 'value' | 'sourceTimestamp' | 'serverTimestamp'>,
  nowMs: number,
): { ok: true; reading: ReturnType<typeof pointReading> } | { ok: false; rejection: Rejection; status: string } {
  const reject = (reason: string, status: string) => ({
    ok: false as const,
    status,
    rejection: {
      field: `${device.id}.${point.name}`,
      reason: `device ${device.id}, point ${point.name} (${point.source.nodeId}): ${reason}`,
    },
  });
  if (dv.statusCode.isNotGood()) return reject(`status ${dv.statusCode.name}`, dv.statusCode.name);
  const n = numericValue(dv.value.value);
  if (!n.ok) return reject(n.reason, 'decode');
  const tsMs = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? nowMs;
  const scaled = point.source.scale !== undefined ? n.value * point.source.scale : n.value;
  return { ok: true, reading: pointReading(device, point, scaled, tsMs, n.value) };
}

function dataTypeOf(name: string | undefined): DataType {
  const t = (DataType as unknown as Record<string, DataType | undefined>)[name ?? 'Double'];
  if (t === undefined || typeof t !== 'number') throw new DeviceWriteError(`unknown OPC UA data type "${name}"`, 'refused');
  return t;
}

export class OpcuaDriver implements DeviceDriver {
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  private readonly tracker: HealthTracker;
  private readonly conn: OpcuaConnection;
  private readonly now: () => number;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  /** points whose last value was bad (status or refused) → degraded */
  private readonly badPoints = new Set<string>();

  constructor(
    readonly config: OpcuaDevice,
    readonly model: OpcuaModel,
    private readonly sink: DeviceSink,
    private readonly deps: DriverDeps = {},
  ) {
    this.conn = config.connection;
    this.now = deps.now ?? Date.now;
    this.tracker = new HealthTracker(config, this.now, deps.health);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.tracker.setState('connecting');
    void this.connect();
  }

  private identity(): UserIdentityInfo {
    if (this.conn.userName !== undefined)
      return { type: UserTokenType.UserName, userName: this.conn.userName, password: this.conn.password ?? '' };
    return { type: UserTokenType.Anonymous };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = OPCUAClient.create({
      applicationName: 'Luna-IEMS',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[this.conn.securityMode],
      securityPolicy: securityPolicyUri(this.conn.securityPolicy),
      connectionStrategy: { maxRetry: 0, initialDelay: this.conn.reconnectMinMs, maxDelay: this.conn.reconnectMaxMs },
      requestedSessionTimeout: 60_000,
      defaultTransactionTimeout: this.conn.timeoutMs,
      keepSessionAlive: true,
      ...(this.conn.certificateFile !== undefined ? { certificateFile: this.conn.certificateFile } : {}),
      ...(this.conn.privateKeyFile !== undefined ? { privateKeyFile: this.conn.privateKeyFile } : {}),
    });
    this.client = client;
    const lost = (why: string) => {
      if (this.client !== client || this.stopped) return;
      this.tracker.error('connection', why);
      this.tracker.setState('offline', why);
      void this.teardown().then(() => this.schedule());
    };
    client.on('connection_lost', () => lost('connection lost'));
    client.on('close', () => lost('connection closed'));
    try {
      await client.connect(this.conn.endpointUrl);
      const session = await client.createSession(this.identity());
      if (this.client !== client) {
        await session.close().catch(() => undefined);
        return;
      }
      this.session = session;
      await this.readAll(session);
      await this.subscribe(session);
      this.attempt = 0;
    } catch (err) {
      if (this.client !== client || this.stopped) return;
      this.tracker.error('connection', `${this.conn.endpointUrl}: ${(err as Error).message}`);
      this.tracker.setState('offline', (err as Error).message);
      await this.teardown();
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const ms = backoffMs(this.attempt++, this.conn.reconnectMinMs, this.conn.reconnectMaxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, ms);
    this.timer.unref();
  }

  private async teardown(): Promise<void> {
    const client = this.client;
    const session = this.session;
    const sub = this.subscription;
    this.client = undefined;
    this.session = undefined;
    this.subscription = undefined;
    await sub?.terminate().catch(() => undefined);
    await session?.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
  }

  /** One read of every point; the batch goes to the sink. */
  private async readAll(session: ClientSession): Promise<DeviceBatch> {
    const dvs = await session.read(this.model.points.map((p) => ({ nodeId: p.source.nodeId, attributeId: AttributeIds.Value })));
    return this.handle(this.model.points.map((p, i) => [p, dvs[i]!] as const));
  }

  async poll(): Promise<DeviceBatch> {
    const s = this.session;
    if (!s) throw new Error(`device ${this.config.id}: not connected`);
    return this.readAll(s);
  }

  private async subscribe(session: ClientSession): Promise<void> {
    const sub = await session.createSubscription2({
      requestedPublishingInterval: this.conn.publishingIntervalMs,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
      priority: 1,
    });
    this.subscription = sub;
    for (const p of this.model.points) {
      const item = ClientMonitoredItem.create(
        sub,
        { nodeId: p.source.nodeId, attributeId: AttributeIds.Value },
        { samplingInterval: p.source.samplingIntervalMs ?? this.conn.samplingIntervalMs, discardOldest: true, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      item.on('changed', (dv: DataValue) => void this.handle([[p, dv]]));
      item.on('err', (msg: string) => {
        this.tracker.error('protocol', `monitored item ${p.source.nodeId}: ${msg}`);
        this.badPoints.add(p.name);
        this.tracker.setState('degraded', msg);
      });
    }
  }

  private handle(values: ReadonlyArray<readonly [Point, DataValue]>): Promise<DeviceBatch> {
    const batch: DeviceBatch = { deviceId: this.config.id, siteId: this.config.siteId, readings: [], rejections: [] };
    const nowMs = this.now();
    for (const [p, dv] of values) {
      const d = decodeDataValue(this.config, p, dv, nowMs);
      if (!d.ok) {
        this.tracker.error(d.status === 'decode' ? 'decode' : 'protocol', d.rejection.reason, d.status);
        batch.rejections.push(d.rejection);
        this.badPoints.add(p.name);
      } else if (!d.reading.ok) {
        this.tracker.error('decode', d.reading.rejection.reason);
        batch.rejections.push(d.reading.rejection);
        this.badPoints.add(p.name);
      } else {
        batch.readings.push(d.reading.reading);
        this.badPoints.delete(p.name);
      }
    }
    const newest = batch.readings.reduce((m, r) => Math.max(m, r.tsMs), 0);
    this.tracker.read(batch.readings.length, newest || undefined);
    if (!this.stopped) this.tracker.setState(this.badPoints.size ? 'degraded' : 'online', batch.rejections[0]?.reason);
    const submitted = this.pending.then(() => (batch.readings.length || batch.rejections.length ? this.sink.submit(batch) : undefined));
    this.pending = submitted.catch((err: Error) =>
      this.deps.log?.warn({ device: this.config.id, err: err.message }, 'device readings not stored'),
    );
    return submitted.then(() => batch);
  }

  /** Child nodes of `nodeId` (default the Objects folder) — to help write a definition. */
  async browse(nodeId = 'ns=0;i=85'): Promise<BrowsedNode[]> {
    const s = this.session;
    if (!s) throw new Error(`device ${this.config.id}: not connected`);
    return browseChildren(s, nodeId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.tracker.setState('stopped', 'stopped');
    await this.teardown();
    await this.pending;
  }

  health(): DeviceHealth {
    const h = this.tracker.snapshot(this.model.id);
    return {
      ...h,
      detail: { ...h.detail, endpointUrl: this.conn.endpointUrl, monitoredItems: this.subscription ? this.model.points.length : 0 },
    };
  }

  async write(name: string, value: number, options: WriteOptions): Promise<WriteOutcome> {
    const { sp, revertS: revert } = checkSetpointWrite(this.config.id, this.model.setpoints, name, value, options);
    const s = this.session;
    if (!s) throw new DeviceWriteError(`device ${this.config.id}: not connected`, 'not_connected');
    const raw = sp.target.scale ? value / sp.target.scale : value;
    const writes: Array<[OpcuaAddress, number]> = [];
    if ('nodeId' in sp.revertTimeout) writes.push([sp.revertTimeout, revert]);
    for (const b of sp.before ?? []) writes.push([b.target, b.value]);
    writes.push([sp.target, raw]);
    if (sp.enable) writes.push([sp.enable.target, sp.enable.value]);
    for (const [a, v] of writes) {
      let status;
      try {
        status = await s.write({
          nodeId: a.nodeId,
          attributeId: AttributeIds.Value,
          value: { value: { dataType: dataTypeOf(a.dataType), value: v } },
        });
      } catch (err) {
        if (err instanceof DeviceWriteError) throw err;
        this.tracker.error('write', (err as Error).message);
        throw new DeviceWriteError(`device ${this.config.id}: writing ${a.nodeId} failed: ${(err as Error).message}`, 'not_connected');
      }
      if (status.isNotGood()) {
        this.tracker.error('write', `${a.nodeId}: ${status.name}`, status.name);
        throw new DeviceWriteError(`device ${this.config.id}: ${a.nodeId} refused the write: ${status.name}`, 'refused');
      }
    }
    return { setpoint: name, value, raw, revertTimeoutS: revert, atMs: this.now() };
  }
}

/** The forward hierarchical references of a node: its children. */
export async function browseChildren(session: ClientSession, nodeId: string): Promise<BrowsedNode[]> {
  const r = await session.browse(nodeId);
  if (r.statusCode.isNotGood()) throw new Error(`browse ${nodeId}: ${r.statusCode.name}`);
  return (r.references ?? []).map((ref) => ({
    nodeId: ref.nodeId.toString(),
    browseName: ref.browseName.toString(),
    displayName: ref.displayName.text ?? '',
    nodeClass: NodeClass[ref.nodeClass] ?? String(ref.nodeClass),
  }));
}
