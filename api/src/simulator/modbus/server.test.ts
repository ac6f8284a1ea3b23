/** The simulator's Modbus TCP server over a real TCP connection: exact request/response bytes, writes, exceptions, framing. */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCEPTION } from './frame.js';
import { registerBlock, startModbusServer, type ModbusServer } from './server.js';

/** A raw Modbus TCP client: sends bytes, collects the reply of one transaction (by MBAP length). */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  static async open(port: number): Promise<RawClient> {
    const s = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    return new RawClient(s);
  }
  send(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }
  /** the next complete ADU */
  async reply(): Promise<Buffer> {
    for (;;) {
      if (this.buf.length >= 6 && this.buf.length >= 6 + this.buf.readUInt16BE(4)) {
        const n = 6 + this.buf.readUInt16BE(4);
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
      }
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async request(tid: number, unit: number, pdu: number[]): Promise<Buffer> {
    this.send([tid >> 8, tid & 0xff, 0, 0, 0, pdu.length + 1, unit, ...pdu]);
    return this.reply();
  }
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }
  close(): void {
    this.socket.destroy();
  }
}

const hex = (b: Buffer) => b.toString('hex');

describe('Modbus TCP server', () => {
  let server: ModbusServer;
  let client: RawClient;
  const regs = Uint16Array.from({ length: 20 }, (_, i) => 1000 + i);
  const problems: Array<{ code?: number; reason: string }> = [];
  beforeAll(async () => {
    // unit 1: 20 holding registers at 40000; 40010..40019 writable; unit 2: 3 registers at 0
    server = await startModbusServer({
      port: 0,
      units: new Map([
        [1, registerBlock(40_000, regs, (a) => a >= 40_010)],
        [2, registerBlock(0, Uint16Array.of(7, 8, 9))],
      ]),
      onProblem: (p) => problems.push(p),
    });
    client = await RawClient.open(server.port);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('FC 3 reads holding registers: exact reply bytes, transaction id and unit id echoed', async () => {
    // 40000 = 0x9c40, 3 registers
    const r = await client.request(0x1234, 1, [3, 0x9c, 0x40, 0, 3]);
    expect(hex(r)).toBe('1234' + '0000' + '0009' + '01' + '03' + '06' + '03e8' + '03e9' + '03ea');
  });

  it('FC 4 reads the same block as input registers; unit ids are separate devices', async () => {
    expect(hex(await client.request(2, 1, [4, 0x9c, 0x53, 0, 1]))).toBe('0002000000050104' + '02' + '03fb');
    expect(hex(await client.request(3, 2, [3, 0, 0, 0, 3]))).toBe('0003000000090203' + '06' + '000700080009');
  });

  it('FC 6 writes one register and echoes the request; the value reads back', async () => {
    const w = await client.request(4, 1, [6, 0x9c, 0x4a, 0xbe, 0xef]);
    expect(hex(w)).toBe('000400000006010' + '6' + '9c4abeef');
    expect(regs[10]).toBe(0xbeef);
    expect(hex(await client.request(5, 1, [3, 0x9c, 0x4a, 0, 1]))).toBe('00050000000501030' + '2beef');
  });

  it('FC 16 writes several registers and answers address and quantity', async () => {
    const w = await client.request(6, 1, [16, 0x9c, 0x4b, 0, 2, 4, 0, 1, 0xff, 0xfe]);
    expect(hex(w)).toBe('0006000000060110' + '9c4b0002');
    expect([regs[11], regs[12]]).toEqual([1, 0xfffe]);
  });

  it.each([
    ['a read beyond the block', [3, 0x9c, 0x52, 0, 3], 3, EXCEPTION.ILLEGAL_DATA_ADDRESS],
    ['a read below the block', [3, 0x9c, 0x3f, 0, 1], 3, EXCEPTION.ILLEGAL_DATA_ADDRESS],
    ['a write to a read-only register', [6, 0x9c, 0x40, 0, 1], 6, EXCEPTION.ILLEGAL_DATA_ADDRESS],
    ['a write that runs into read-only registers', [16, 0x9c, 0x49, 0, 2, 4, 0, 1, 0, 2], 16, EXCEPTION.ILLEGAL_DATA_ADDRESS],
    ['quantity 0', [3, 0x9c, 0x40, 0, 0], 3, EXCEPTION.ILLEGAL_DATA_VALUE],
    ['quantity 126', [3, 0x9c, 0x40, 0, 126], 3, EXCEPTION.ILLEGAL_DATA_VALUE],
    ['a byte count that does not match', [16, 0x9c, 0x4a, 0, 2, 3, 0, 1, 0], 16, EXCEPTION.ILLEGAL_DATA_VALUE],
    ['an unsupported function (FC 1 read coils)', [1, 0, 0, 0, 1], 1, EXCEPTION.ILLEGAL_FUNCTION],
    ['an unsupported function (FC 43 device identification)', [43, 14, 1, 0], 43, EXCEPTION.ILLEGAL_FUNCTION],
  ])('answers %s with an exception', async (_name, pdu, fc, code) => {
    const before = Array.from(regs);
    const r = await client.request(7, 1, pdu);
    expect(hex(r)).toBe(`000700000003${'01'}${(fc | 0x80).toString(16).padStart(2, '0')}${code.toString(16).padStart(2, '0')}`);
    expect(Array.from(regs)).toEqual(before); // nothing half-written
  });

  it('answers an unknown unit id with 0x0B (gateway target failed to respond)', async () => {
    expect(hex(await client.request(8, 9, [3, 0, 0, 0, 1]))).toBe('000800000003098' + '30b');
  });

  it('handles requests split across TCP packets and several requests in one packet', async () => {
    client.send([0, 9, 0, 0, 0]);
    await new Promise((r) => setTimeout(r, 20));
    client.send([6, 1, 3, 0x9c, 0x40, 0, 1, /* next */ 0, 10, 0, 0, 0, 6, 1, 3, 0x9c, 0x41, 0, 1]);
    expect(hex(await client.reply())).toBe('0009000000050103' + '0203e8');
    expect(hex(await client.reply())).toBe('000a000000050103' + '0203e9');
  });

  it('closes a connection that does not speak Modbus TCP (protocol id ≠ 0), and keeps serving others', async () => {
    const bad = await RawClient.open(server.port);
    bad.send([0, 1, 0, 7, 0, 6, 1, 3, 0, 0, 0, 1]);
    await bad.untilClosed();
    expect(problems.some((p) => /protocol id 7/.test(p.reason))).toBe(true);
    expect(hex(await client.request(11, 2, [3, 0, 2, 0, 1]))).toBe('000b000000050203' + '020009');
    expect(server.stats.exceptions).toBeGreaterThanOrEqual(10);
  });
});
