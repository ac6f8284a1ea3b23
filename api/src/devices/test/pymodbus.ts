/**
 * Test helper: an independent Modbus TCP peer — pymodbus's own `pymodbus.simulator` (from PyPI,
 * installed by `scripts/services up python`, found through LUNA_PYTHON) serving a register map
 * described by a JSON configuration generated here. No Python code of ours: the register map is
 * data. Registers not in the map answer exception 2 (illegal data address).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { tempDir } from '../../test/services.js';

export interface PeerOptions {
  /** register address → value (holding and input registers share them) */
  registers: ReadonlyMap<number, number>;
  /** addresses that accept writes (must be in `registers`) */
  writable?: Iterable<number>;
  /** reuse a port (restart after a stop) */
  port?: number;
}

export interface PymodbusPeer {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** [[a, b], c, …]: consecutive addresses as ranges (pymodbus's "addr": [first, last]). */
function ranges(addresses: Iterable<number>): Array<number | [number, number]> {
  const sorted = [...new Set(addresses)].sort((a, b) => a - b);
  const out: Array<number | [number, number]> = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? sorted[i]! : [sorted[i]!, sorted[j]!]);
    i = j + 1;
  }
  return out;
}

/** The pymodbus simulator configuration for a register map. */
export function simulatorConfig(port: number, opts: PeerOptions): unknown {
  const uint16 = [...opts.registers].sort((a, b) => a[0] - b[0]).map(([addr, value]) => ({ addr, value: value & 0xffff, action: null }));
  const max = Math.max(0, ...opts.registers.keys());
  return {
    server_list: { server: { comm: 'tcp', host: '127.0.0.1', port, framer: 'socket', ignore_missing_devices: false } },
    device_list: {
      device: {
        setup: {
          'co size': 1,
          'di size': 1,
          'hr size': Math.min(65536, max + 2),
          'ir size': 1,
          'shared blocks': true,
          'type exception': false,
          defaults: {
            value: { bits: 0, uint16: 0, uint32: 0, float32: 0.0, float64: 0.0, string: ' ' },
            action: { bits: null, uint16: null, uint32: null, float32: null, float64: null, string: null },
          },
        },
        invalid: [],
        write: ranges(opts.writable ?? []),
        bits: [],
        uint16,
        uint32: [],
        float32: [],
        float64: [],
        string: [],
        repeat: [],
      },
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`pymodbus.simulator exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pymodbus.simulator did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
}

/** Starts `pymodbus.simulator` for the register map; `python` is the venv's interpreter (LUNA_PYTHON). */
export async function startPymodbusPeer(python: string, opts: PeerOptions): Promise<PymodbusPeer> {
  const port = opts.port ?? (await freePort());
  const httpPort = await freePort();
  const tmp = tempDir('luna-pymodbus-');
  const file = join(tmp.dir, 'simulator.json');
  writeFileSync(file, JSON.stringify(simulatorConfig(port, opts)));
  const bin = join(dirname(python), 'pymodbus.simulator');
  const child = spawn(
    bin,
    [
      '--json_file',
      file,
      '--modbus_server',
      'server',
      '--modbus_device',
      'device',
      '--http_host',
      '127.0.0.1',
      '--http_port',
      String(httpPort),
      '--log',
      'error',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitForPort(port, child, () => output.slice(-3000));
  } catch (err) {
    child.kill('SIGKILL');
    tmp.remove();
    throw err;
  }
  return {
    port,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      tmp.remove();
    },
  };
}

/** Register map of an encoded image at its base address. */
export function imageRegisters(baseAddress: number, registers: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < registers.length; i++) m.set(baseAddress + i, registers[i]!);
  return m;
}
