/**
 * `npm run bench:modbus` — Modbus polling throughput of our client against the independent
 * pymodbus peer (pymodbus.simulator from PyPI, LUNA_PYTHON from `scripts/services up python`)
 * and against the in-process TS test server, one request in flight (as devices are polled), then
 * pipelined against the TS server (8 in flight); and one full SunSpec driver poll (read + decode + normalise).
 *
 *   BENCH modbus.poll_registers_per_s <n> registers/s           (pymodbus peer, 125-register reads, 1 in flight)
 *   BENCH modbus.poll_registers_per_s_ts_server <n> registers/s (in-process TS server, 1 in flight)
 *   BENCH modbus.poll_registers_per_s_ts_server_pipelined <n> registers/s (TS server, 8 in flight)
 *   BENCH modbus.sunspec_poll_ms <n> ms                         (sunspec-inverter definition, pymodbus peer, median)
 *
 * Not measured: pipelining against pymodbus — its TCP server (3.16.1) answered only the first of
 * several requests sent back to back on one connection (the others timed out), so the driver
 * keeps one request in flight (the default) for real devices.
 *
 *   --seconds=3
 */
import { cpus, totalmem } from 'node:os';
import { loadDeviceModels } from './catalog.js';
import { parseDeviceConfig } from './definition.js';
import { ModbusTcpClient } from './modbus/client.js';
import { ModbusTestServer } from './modbus/server.js';
import { SunSpecDriver } from './sunspec/driver.js';
import { encodeImage } from './sunspec/image.js';
import { shippedSunSpecModels } from './sunspec/models.js';
import { imageRegisters, startPymodbusPeer } from './test/pymodbus.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SECONDS = arg('seconds', 3);
const REGISTERS = 2_000;
const BASE = 40_000;

async function measure(port: number, inFlight: number): Promise<number> {
  const client = new ModbusTcpClient({ host: '127.0.0.1', port, unitId: 1, timeoutMs: 5_000, maxInFlight: inFlight });
  await client.connect();
  let registers = 0;
  let next = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const at = BASE + (next++ % 16) * 125;
      const r = await client.readHoldingRegisters(at, 125);
      registers += r.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const s = (performance.now() - started) / 1000;
  client.close();
  return Math.round(registers / s);
}

console.log(
  `# hardware: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
const flat = new Map<number, number>();
for (let i = 0; i < REGISTERS; i++) flat.set(BASE + i, i & 0xffff);

const ts = new ModbusTestServer();
ts.set(
  BASE,
  Array.from({ length: REGISTERS }, (_, i) => i),
);
await ts.listen();
const tsRate = await measure(ts.port, 1);
const tsPiped = await measure(ts.port, 8);
await ts.close();

const python = process.env.LUNA_PYTHON;
if (!python) {
  console.log('# LUNA_PYTHON not set (scripts/services up python; set -a; . .services/env; set +a): pymodbus peer not measured');
  console.log(`BENCH modbus.poll_registers_per_s_ts_server ${tsRate} registers/s`);
  console.log(`BENCH modbus.poll_registers_per_s_ts_server_pipelined ${tsPiped} registers/s`);
  process.exit(0);
}
const peer = await startPymodbusPeer(python, { registers: flat });
const serial = await measure(peer.port, 1);
await peer.stop();

// one SunSpec device poll: discovery once, then the definition's points from models 1 + 103 + 123
const models = shippedSunSpecModels();
const image = encodeImage(models, [
  { id: 1, values: { Mn: 'Bench', Md: 'B', SN: '1' } },
  {
    id: 103,
    values: {
      W: 1234,
      W_SF: 0,
      WH: 5678,
      WH_SF: 0,
      Hz: 50,
      Hz_SF: -2,
      PhVphA: 230,
      V_SF: -1,
      A: 10,
      A_SF: -1,
      TmpCab: 40,
      Tmp_SF: 0,
      VAr: 0,
      VAr_SF: 0,
    },
  },
  { id: 123, values: { WMaxLimPct: 100, WMaxLimPct_SF: 0 } },
]);
const sunPeer = await startPymodbusPeer(python, { registers: imageRegisters(BASE, image.registers) });
const model = loadDeviceModels().models.get('sunspec-inverter')!;
const cfg = parseDeviceConfig(
  { id: 'bench', siteId: 'bench', model: model.id, protocol: 'sunspec', connection: { host: '127.0.0.1', port: sunPeer.port } },
  model,
);
if (!cfg.ok) throw new Error(cfg.errors.join('; '));
const driver = new SunSpecDriver(cfg.value as never, model, { submit: async () => undefined });
await driver.poll();
const times: number[] = [];
const until = performance.now() + SECONDS * 1000;
while (performance.now() < until) {
  const t0 = performance.now();
  await driver.poll();
  times.push(performance.now() - t0);
}
await driver.stop();
await sunPeer.stop();
times.sort((a, b) => a - b);

console.log(`# ${SECONDS} s per figure; 125-register FC 3 reads over ${REGISTERS} registers; ${times.length} SunSpec polls`);
console.log(`BENCH modbus.poll_registers_per_s ${serial} registers/s`);
console.log(`BENCH modbus.poll_registers_per_s_ts_server ${tsRate} registers/s`);
console.log(`BENCH modbus.poll_registers_per_s_ts_server_pipelined ${tsPiped} registers/s`);
console.log(`BENCH modbus.sunspec_poll_ms ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms`);
