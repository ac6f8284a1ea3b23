/**
 * A small Modbus TCP server (no dependency): serves "units" (one per unit id) over FC 3/4/6/16,
 * answers illegal addresses/values/functions with the Modbus exception codes, and unknown unit
 * ids with 0x0B (gateway target failed to respond), as a gateway in front of several devices does.
 *
 * Why our own rather than jsmodbus (which the dependency guide measured): the simulated devices
 * must validate every write themselves and pick the exception code (read-only register → 02,
 * value out of range → 03), several devices share one port by unit id, and a write must reach the
 * physics before the reply — about 250 lines with framing, tested with raw frames over TCP, and
 * no new dependency.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { EXCEPTION, exceptionResponse, ModbusException, readResponse, takeFrames, writeResponse, type Frame } from './frame.js';

/** A device behind a unit id. Throw ModbusException to answer with an exception. */
export interface ModbusUnit {
  readHolding(address: number, count: number): ArrayLike<number>;
  readInput(address: number, count: number): ArrayLike<number>;
  writeHolding(address: number, values: Uint16Array): void;
}

export interface ModbusServerOptions {
  host?: string;
  /** 0 = any free port */
  port: number;
  units: ReadonlyMap<number, ModbusUnit>;
  /** a request answered with an exception (or a dropped connection) — for logs and tests */
  onProblem?: (problem: { unitId?: number; fc?: number; code?: number; reason: string }) => void;
}

export interface ModbusServerStats {
  connections: number;
  requests: number;
  exceptions: number;
}

export interface ModbusServer {
  readonly port: number;
  readonly host: string;
  readonly stats: ModbusServerStats;
  close(): Promise<void>;
}

export async function startModbusServer(o: ModbusServerOptions): Promise<ModbusServer> {
  const host = o.host ?? '127.0.0.1';
  const stats: ModbusServerStats = { connections: 0, requests: 0, exceptions: 0 };
  const sockets = new Set<Socket>();

  const answer = (f: Frame): Buffer => {
    stats.requests++;
    const r = f.request;
    const fail = (fc: number, code: (typeof EXCEPTION)[keyof typeof EXCEPTION], reason: string) => {
      stats.exceptions++;
      o.onProblem?.({ unitId: f.unitId, fc, code, reason });
      return exceptionResponse(f.transactionId, f.unitId, fc, code);
    };
    if ('exception' in r) return fail(r.fc, r.exception, r.reason);
    const unit = o.units.get(f.unitId);
    if (!unit) return fail(r.fc, EXCEPTION.GATEWAY_TARGET_FAILED, `no device behind unit id ${f.unitId}`);
    try {
      switch (r.fc) {
        case 3:
        case 4: {
          const regs = r.fc === 3 ? unit.readHolding(r.address, r.count) : unit.readInput(r.address, r.count);
          return readResponse(f.transactionId, f.unitId, r.fc, regs);
        }
        case 6:
          unit.writeHolding(r.address, Uint16Array.of(r.value));
          return writeResponse(f.transactionId, f.unitId, 6, r.address, r.value);
        case 16:
          unit.writeHolding(r.address, r.values);
          return writeResponse(f.transactionId, f.unitId, 16, r.address, r.values.length);
      }
    } catch (err) {
      if (err instanceof ModbusException) return fail(r.fc, err.code, err.message);
      return fail(r.fc, EXCEPTION.SERVER_DEVICE_FAILURE, (err as Error).message);
    }
  };

  const server: Server = createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const { frames, rest, fatal } = takeFrames(pending);
      pending = rest;
      for (const f of frames) socket.write(answer(f));
      if (fatal) {
        o.onProblem?.({ reason: `closing the connection: ${fatal}` });
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(`Modbus server cannot listen on ${host}:${o.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`),
      ),
    );
    server.listen(o.port, host, () => resolve());
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : o.port;
  return {
    port,
    host,
    stats,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plain block of holding registers [base, base + length), for tests and simple devices; writes allowed where `writable` says. */
export function registerBlock(base: number, registers: Uint16Array, writable: (address: number) => boolean = () => true): ModbusUnit {
  const check = (address: number, count: number) => {
    if (address < base || address + count > base + registers.length)
      throw new ModbusException(
        EXCEPTION.ILLEGAL_DATA_ADDRESS,
        `registers ${address}..${address + count - 1} are outside ${base}..${base + registers.length - 1}`,
      );
  };
  return {
    readHolding(address, count) {
      check(address, count);
      return registers.subarray(address - base, address - base + count);
    },
    readInput(address, count) {
      check(address, count);
      return registers.subarray(address - base, address - base + count);
    },
    writeHolding(address, values) {
      check(address, values.length);
      for (let i = 0; i < values.length; i++)
        if (!writable(address + i)) throw new ModbusException(EXCEPTION.ILLEGAL_DATA_ADDRESS, `register ${address + i} is read-only`);
      registers.set(values, address - base);
    },
  };
}
