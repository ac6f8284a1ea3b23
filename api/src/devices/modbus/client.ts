/**
 * A Modbus TCP client — our own, ~250 lines, no dependency: FC 3/4 (read holding/input
 * registers), FC 6/16 (write single/multiple), MBAP transaction ids, a timeout per request,
 * exception replies as ModbusExceptionError with the code, malformed frames as
 * ModbusProtocolError (the connection is then closed: a TCP stream cannot be resynchronised
 * after a bad length), a dropped connection as ModbusConnectionError for every pending request.
 *
 * Why not `modbus-serial`: it pulls `serialport` with native bindings for a TCP-only need, hides
 * transaction ids and late replies, and its errors do not separate timeout / exception / framing,
 * which device health needs. Reconnecting with backoff is the driver's job (./poller.ts).
 *
 * Requests are serialised by default (many devices handle one at a time); `maxInFlight` > 1
 * pipelines them, matched by transaction id.
 */
import { Socket } from 'node:net';

export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

export class ModbusError extends Error {}
export class ModbusTimeoutError extends ModbusError {}
export class ModbusConnectionError extends ModbusError {}
export class ModbusProtocolError extends ModbusError {}
export class ModbusExceptionError extends ModbusError {
  constructor(
    readonly functionCode: number,
    readonly exceptionCode: number,
    readonly address: number,
  ) {
    super(
      `exception ${exceptionCode} (${MODBUS_EXCEPTIONS[exceptionCode] ?? 'unknown'}) for function ${functionCode} at address ${address}`,
    );
  }
}

export interface ModbusClientOptions {
  host: string;
  port: number;
  unitId: number;
  /** per request, and for connecting */
  timeoutMs: number;
  maxInFlight?: number;
}

interface Pending {
  tid: number;
  fc: number;
  address: number;
  count: number;
  resolve: (pdu: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Queued {
  fc: number;
  address: number;
  count: number;
  pdu: Buffer;
  resolve: (pdu: Buffer) => void;
  reject: (err: Error) => void;
}

export class ModbusTcpClient {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private tid = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private readonly maxInFlight: number;
  /** requests sent, replies that came after their timeout (dropped), for diagnostics */
  readonly stats = { requests: 0, lateReplies: 0 };

  constructor(readonly options: ModbusClientOptions) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && !this.socket.connecting;
  }

  /** Opens the TCP connection; rejects with ModbusConnectionError or ModbusTimeoutError. */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.close();
    const { host, port, timeoutMs } = this.options;
    return new Promise<void>((resolve, reject) => {
      const socket = new Socket();
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ModbusTimeoutError(`connecting to ${host}:${port} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(new ModbusConnectionError(`${host}:${port}: ${err.message}`));
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (this.socket === socket) this.failAll(new ModbusConnectionError(`connection to ${host}:${port} closed`));
        reject(new ModbusConnectionError(`connection to ${host}:${port} closed`));
      });
      socket.connect(port, host);
    });
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    if (s) s.destroy();
    this.failAll(new ModbusConnectionError('connection closed by the client'));
  }

  async readHoldingRegisters(address: number, count: number): Promise<Uint16Array> {
    return this.readRegisters(3, address, count);
  }

  async readInputRegisters(address: number, count: number): Promise<Uint16Array> {
    return this.readRegisters(4, address, count);
  }

  async writeSingleRegister(address: number, value: number): Promise<void> {
    checkAddress(address, 1);
    const pdu = Buffer.alloc(5);
    pdu.writeUInt8(6, 0);
    pdu.writeUInt16BE(address, 1);
    pdu.writeUInt16BE(value & 0xffff, 3);
    const reply = await this.request(6, address, 1, pdu);
    if (reply.length !== 5 || reply.readUInt16BE(1) !== address || reply.readUInt16BE(3) !== (value & 0xffff))
      throw this.protocolError(`write single register reply does not echo address ${address} / value ${value}`);
  }

  async writeMultipleRegisters(address: number, values: ArrayLike<number>): Promise<void> {
    const count = values.length;
    if (count < 1 || count > 123) throw new RangeError(`write multiple: 1–123 registers, not ${count}`);
    checkAddress(address, count);
    const pdu = Buffer.alloc(6 + 2 * count);
    pdu.writeUInt8(16, 0);
    pdu.writeUInt16BE(address, 1);
    pdu.writeUInt16BE(count, 3);
    pdu.writeUInt8(2 * count, 5);
    for (let i = 0; i < count; i++) pdu.writeUInt16BE(values[i]! & 0xffff, 6 + 2 * i);
    const reply = await this.request(16, address, count, pdu);
    if (reply.length !== 5 || reply.readUInt16BE(1) !== address || reply.readUInt16BE(3) !== count)
      throw this.protocolError(`write multiple registers reply does not echo address ${address} / count ${count}`);
  }

  private async readRegisters(fc: 3 | 4, address: number, count: number): Promise<Uint16Array> {
    if (count < 1 || count > 125) throw new RangeError(`read registers: 1–125 registers, not ${count}`);
    checkAddress(address, count);
    const pdu = Buffer.alloc(5);
    pdu.writeUInt8(fc, 0);
    pdu.writeUInt16BE(address, 1);
    pdu.writeUInt16BE(count, 3);
    const reply = await this.request(fc, address, count, pdu);
    const bytes = reply.readUInt8(1);
    if (bytes !== 2 * count || reply.length !== 2 + bytes)
      throw this.protocolError(`read of ${count} registers at ${address}: reply carries ${bytes} byte(s) in a ${reply.length}-byte PDU`);
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = reply.readUInt16BE(2 + 2 * i);
    return out;
  }

  private request(fc: number, address: number, count: number, pdu: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ fc, address, count, pdu, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.size < this.maxInFlight && this.queue.length > 0) {
      const q = this.queue.shift()!;
      const socket = this.socket;
      if (!socket || socket.destroyed) {
        q.reject(new ModbusConnectionError('not connected'));
        continue;
      }
      this.tid = (this.tid + 1) & 0xffff;
      const tid = this.tid;
      const frame = Buffer.alloc(7 + q.pdu.length);
      frame.writeUInt16BE(tid, 0);
      frame.writeUInt16BE(0, 2);
      frame.writeUInt16BE(q.pdu.length + 1, 4);
      frame.writeUInt8(this.options.unitId, 6);
      q.pdu.copy(frame, 7);
      const timer = setTimeout(() => {
        if (!this.pending.delete(tid)) return;
        // a partial frame left in the buffer would shift every later reply: start afresh
        if (this.buffer.length > 0) this.failStream(`incomplete reply (${this.buffer.length} byte(s)) when the request timed out`);
        q.reject(
          new ModbusTimeoutError(
            `no reply within ${this.options.timeoutMs} ms (function ${q.fc} at address ${q.address}, ${q.count} register(s))`,
          ),
        );
        this.pump();
      }, this.options.timeoutMs);
      this.pending.set(tid, { tid, fc: q.fc, address: q.address, count: q.count, resolve: q.resolve, reject: q.reject, timer });
      this.stats.requests++;
      socket.write(frame);
    }
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 7) {
      const tid = this.buffer.readUInt16BE(0);
      const protocol = this.buffer.readUInt16BE(2);
      const length = this.buffer.readUInt16BE(4);
      if (protocol !== 0 || length < 2 || length > 254) {
        this.failStream(`malformed MBAP header (protocol ${protocol}, length ${length})`);
        return;
      }
      if (this.buffer.length < 6 + length) return; // wait for the rest
      const pdu = this.buffer.subarray(7, 6 + length);
      this.buffer = this.buffer.subarray(6 + length);
      const p = this.pending.get(tid);
      if (!p) {
        this.stats.lateReplies++;
        continue;
      }
      this.pending.delete(tid);
      clearTimeout(p.timer);
      const fc = pdu.readUInt8(0);
      if (fc === (p.fc | 0x80)) {
        p.reject(new ModbusExceptionError(p.fc, pdu.length > 1 ? pdu.readUInt8(1) : 0, p.address));
      } else if (fc !== p.fc) {
        p.reject(new ModbusProtocolError(`reply has function ${fc}, request had ${p.fc}`));
      } else if (pdu.length < 2) {
        p.reject(new ModbusProtocolError(`reply to function ${fc} is too short (${pdu.length} byte(s))`));
      } else {
        p.resolve(Buffer.from(pdu));
      }
    }
    this.pump();
  }

  private protocolError(message: string): ModbusProtocolError {
    return new ModbusProtocolError(message);
  }

  /** A framing error: everything pending fails and the connection is closed. */
  private failStream(reason: string): void {
    const err = new ModbusProtocolError(`${reason}; connection closed`);
    const s = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    s?.destroy();
    this.failAll(err);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const q of this.queue.splice(0)) q.reject(err);
  }
}

function checkAddress(address: number, count: number): void {
  if (!Number.isInteger(address) || address < 0 || address + count > 0x10000)
    throw new RangeError(`address ${address} (+${count}) is outside 0–65535`);
}
