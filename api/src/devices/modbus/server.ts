/**
 * A small Modbus TCP server (FC 3/4/6/16) over a sparse register map — for the site simulator's
 * devices and for tests. Registers not in the map answer exception 2 (illegal data address);
 * writes outside `writable` answer exception 2 as well (or 3 when `validateWrite` refuses).
 * Holding and input registers share one map (FC 3 and FC 4 read the same registers).
 *
 * Faults for tests (`fault`): 'slow' (replies after delayMs), 'silent' (never replies),
 * 'truncate' (sends half a reply, then nothing), 'drop' (closes the connection on a request),
 * 'garbage' (a reply with a bad MBAP header). They can be switched while clients are connected.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ServerFault = 'none' | 'slow' | 'silent' | 'truncate' | 'drop' | 'garbage';

export interface ModbusServerOptions {
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** answer only this unit id (others get no reply, like a gateway without that device); default any */
  unitId?: number;
  /** a write reaches the map only if this returns undefined; otherwise the reason → exception 3 */
  validateWrite?: (address: number, values: Uint16Array) => string | undefined;
  /** after a write was applied */
  onWrite?: (address: number, values: Uint16Array) => void;
}

export class ModbusTestServer {
  readonly registers = new Map<number, number>();
  readonly writable = new Set<number>();
  fault: ServerFault = 'none';
  delayMs = 0;
  /** requests served (benchmarks, tests) */
  requests = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ModbusServerOptions = {}) {}

  /** Puts registers at `address` onward; `writable` marks them writable too. */
  set(address: number, values: ArrayLike<number>, writable = false): void {
    for (let i = 0; i < values.length; i++) {
      this.registers.set(address + i, values[i]! & 0xffff);
      if (writable) this.writable.add(address + i);
    }
  }

  get(address: number, count = 1): number[] {
    return Array.from({ length: count }, (_, i) => this.registers.get(address + i) ?? 0);
  }

  async listen(): Promise<number> {
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Closes every client connection (a "dropped connection" for the clients). */
  dropClients(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 7) {
        const length = buffer.readUInt16BE(4);
        if (length < 2 || length > 254) {
          socket.destroy();
          return;
        }
        if (buffer.length < 6 + length) return;
        const frame = buffer.subarray(0, 6 + length);
        buffer = buffer.subarray(6 + length);
        this.handle(socket, Buffer.from(frame));
      }
    });
  }

  private handle(socket: Socket, frame: Buffer): void {
    const tid = frame.readUInt16BE(0);
    const unit = frame.readUInt8(6);
    if (this.options.unitId !== undefined && unit !== this.options.unitId) return;
    this.requests++;
    const fault = this.fault;
    if (fault === 'silent') return;
    if (fault === 'drop') {
      socket.destroy();
      return;
    }
    const pdu = this.respond(frame.subarray(7));
    const reply = Buffer.alloc(7 + pdu.length);
    reply.writeUInt16BE(tid, 0);
    reply.writeUInt16BE(fault === 'garbage' ? 0x1234 : 0, 2);
    reply.writeUInt16BE(pdu.length + 1, 4);
    reply.writeUInt8(unit, 6);
    pdu.copy(reply, 7);
    const send = () => {
      if (socket.destroyed) return;
      socket.write(fault === 'truncate' ? reply.subarray(0, Math.max(8, reply.length >> 1)) : reply);
    };
    if (fault === 'slow' && this.delayMs > 0) setTimeout(send, this.delayMs);
    else send();
  }

  private respond(pdu: Buffer): Buffer {
    const fc = pdu.readUInt8(0);
    const exception = (code: number) => Buffer.from([fc | 0x80, code]);
    if (fc === 3 || fc === 4) {
      if (pdu.length < 5) return exception(3);
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > 125) return exception(3);
      const out = Buffer.alloc(2 + 2 * count);
      out.writeUInt8(fc, 0);
      out.writeUInt8(2 * count, 1);
      for (let i = 0; i < count; i++) {
        const v = this.registers.get(address + i);
        if (v === undefined) return exception(2);
        out.writeUInt16BE(v, 2 + 2 * i);
      }
      return out;
    }
    if (fc === 6 || fc === 16) {
      const address = pdu.readUInt16BE(1);
      let values: Uint16Array;
      if (fc === 6) values = Uint16Array.of(pdu.readUInt16BE(3));
      else {
        const count = pdu.readUInt16BE(3);
        if (count < 1 || count > 123 || pdu.length < 6 + 2 * count) return exception(3);
        values = new Uint16Array(count);
        for (let i = 0; i < count; i++) values[i] = pdu.readUInt16BE(6 + 2 * i);
      }
      for (let i = 0; i < values.length; i++) if (!this.writable.has(address + i)) return exception(2);
      if (this.options.validateWrite?.(address, values) !== undefined) return exception(3);
      this.set(address, values);
      this.options.onWrite?.(address, values);
      return Buffer.from(pdu.subarray(0, 5)); // FC 6 echoes address+value, FC 16 address+count
    }
    return exception(1);
  }
}
