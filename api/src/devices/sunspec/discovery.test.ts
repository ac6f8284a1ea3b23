/** Discovery at every usual base address (and the 1-based variants), against the TS Modbus server. */
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusExceptionError, ModbusTcpClient } from '../modbus/client.js';
import { ModbusTestServer } from '../modbus/server.js';
import { discover, SunSpecDiscoveryError } from './discovery.js';
import { encodeImage } from './image.js';
import { shippedSunSpecModels } from './models.js';

const models = shippedSunSpecModels();
const isAbsent = (e: unknown) => e instanceof ModbusExceptionError;

describe('SunSpec discovery', () => {
  let server: ModbusTestServer | undefined;
  let client: ModbusTcpClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  async function serve(base: number, extra?: (s: ModbusTestServer) => void) {
    const img = encodeImage(
      models,
      [
        { id: 1, values: { Mn: 'X' } },
        { id: 103, values: {} },
        { id: 64001, values: {} },
      ].filter((m) => models.has(m.id)),
      base,
    );
    server = new ModbusTestServer();
    server.set(base, img.registers);
    extra?.(server);
    await server.listen();
    client = new ModbusTcpClient({ host: '127.0.0.1', port: server.port, unitId: 1, timeoutMs: 1000 });
    await client.connect();
    const c = client;
    return { img, reader: { read: (a: number, n: number) => c.readHoldingRegisters(a, n) } };
  }

  for (const base of [40000, 40001, 50000, 50001, 0, 1]) {
    it(`finds the marker at ${base}`, async () => {
      const { img, reader } = await serve(base);
      const d = await discover(reader, models, isAbsent);
      expect(d.baseAddress).toBe(base);
      expect(d.models.map((m) => [m.id, m.address])).toEqual(img.layout.map((l) => [l.id, l.address]));
    });
  }

  it('skips a base whose registers are something else, and reports unknown models', async () => {
    const { reader } = await serve(50000, (s) => {
      s.set(40000, [0x1234, 0x5678]); // readable but not "SunS"
      // a vendor model without a shipped definition, spliced before the end marker
      const end = 50000 + 2 + 68 + 52;
      s.set(end, [64999, 3, 7, 8, 9, 0xffff, 0]);
    });
    const d = await discover(reader, models, isAbsent);
    expect(d.baseAddress).toBe(50000);
    expect(d.models.map((m) => [m.id, m.known])).toEqual([
      [1, true],
      [103, true],
      [64999, false],
    ]);
  });

  it('says where it looked when there is no marker', async () => {
    server = new ModbusTestServer();
    server.set(40000, [1, 2]);
    await server.listen();
    client = new ModbusTcpClient({ host: '127.0.0.1', port: server.port, unitId: 1, timeoutMs: 1000 });
    await client.connect();
    const c = client;
    const err = await discover({ read: (a, n) => c.readHoldingRegisters(a, n) }, models, isAbsent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SunSpecDiscoveryError);
    expect((err as Error).message).toMatch(/40000: 0x0001 0x0002; 40001: exception 2/);
  });

  it('a chain without an end marker is refused', async () => {
    const { reader } = await serve(40000, (s) => {
      // replace the end model by an endless run of tiny models
      for (let a = 40000 + 2 + 68 + 52; a < 40000 + 2 + 68 + 52 + 400; a += 2) s.set(a, [64998, 0]);
    });
    await expect(discover(reader, models, isAbsent)).rejects.toThrow(/more than 100 models/);
  });
});
