/**
 * Modbus TCP framing, pure: MBAP header + PDU → request, and responses/exceptions → bytes.
 * Function codes served: 3 (read holding), 4 (read input), 6 (write single), 16 (write multiple).
 * Reference: Modbus Application Protocol V1.1b3 and Modbus Messaging on TCP/IP V1.0b.
 */

export const EXCEPTION = {
  ILLEGAL_FUNCTION: 0x01,
  ILLEGAL_DATA_ADDRESS: 0x02,
  ILLEGAL_DATA_VALUE: 0x03,
  SERVER_DEVICE_FAILURE: 0x04,
  GATEWAY_TARGET_FAILED: 0x0b,
} as const;
export type ExceptionCode = (typeof EXCEPTION)[keyof typeof EXCEPTION];

/** Thrown by a unit to answer with an exception response. */
export class ModbusException extends Error {
  constructor(
    readonly code: ExceptionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModbusException';
  }
}

export type Request =
  | { fc: 3 | 4; address: number; count: number }
  | { fc: 6; address: number; value: number }
  | { fc: 16; address: number; values: Uint16Array };

export interface Frame {
  transactionId: number;
  unitId: number;
  /** the parsed request, or the exception to answer with */
  request: Request | { fc: number; exception: ExceptionCode; reason: string };
}

/** MBAP header (7 bytes) + at most 253 bytes of PDU. */
export const MAX_ADU = 260;

/**
 * Takes complete frames off the front of `buf`. Returns the frames and the bytes left over (an
 * incomplete frame). `fatal` is set when the stream cannot be a Modbus TCP stream (protocol id
 * ≠ 0, impossible length): the connection should be closed.
 */
export function takeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer; fatal?: string } {
  const frames: Frame[] = [];
  let at = 0;
  while (buf.length - at >= 7) {
    const transactionId = buf.readUInt16BE(at);
    const protocolId = buf.readUInt16BE(at + 2);
    const length = buf.readUInt16BE(at + 4);
    if (protocolId !== 0) return { frames, rest: Buffer.alloc(0), fatal: `protocol id ${protocolId} is not Modbus (0)` };
    if (length < 2 || length > MAX_ADU - 6) return { frames, rest: Buffer.alloc(0), fatal: `MBAP length ${length} is outside 2..254` };
    if (buf.length - at < 6 + length) break;
    const unitId = buf[at + 6]!;
    const pdu = buf.subarray(at + 7, at + 6 + length);
    frames.push({ transactionId, unitId, request: parsePdu(pdu) });
    at += 6 + length;
  }
  return { frames, rest: buf.subarray(at) };
}

function parsePdu(pdu: Buffer): Frame['request'] {
  const fc = pdu[0]!;
  const bad = (exception: ExceptionCode, reason: string) => ({ fc, exception, reason });
  switch (fc) {
    case 3:
    case 4: {
      if (pdu.length !== 5) return bad(EXCEPTION.ILLEGAL_DATA_VALUE, `FC ${fc} request must be 5 bytes, got ${pdu.length}`);
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > 125) return bad(EXCEPTION.ILLEGAL_DATA_VALUE, `quantity ${count} is outside 1..125`);
      if (address + count > 0x10000) return bad(EXCEPTION.ILLEGAL_DATA_ADDRESS, `registers ${address}+${count} pass 65535`);
      return { fc, address, count };
    }
    case 6: {
      if (pdu.length !== 5) return bad(EXCEPTION.ILLEGAL_DATA_VALUE, `FC 6 request must be 5 bytes, got ${pdu.length}`);
      return { fc, address: pdu.readUInt16BE(1), value: pdu.readUInt16BE(3) };
    }
    case 16: {
      if (pdu.length < 6) return bad(EXCEPTION.ILLEGAL_DATA_VALUE, `FC 16 request too short (${pdu.length} bytes)`);
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      const bytes = pdu[5]!;
      if (count < 1 || count > 123) return bad(EXCEPTION.ILLEGAL_DATA_VALUE, `quantity ${count} is outside 1..123`);
      if (bytes !== 2 * count || pdu.length !== 6 + bytes)
        return bad(
          EXCEPTION.ILLEGAL_DATA_VALUE,
          `byte count ${bytes} does not match quantity ${count} and the ${pdu.length - 6} bytes sent`,
        );
      if (address + count > 0x10000) return bad(EXCEPTION.ILLEGAL_DATA_ADDRESS, `registers ${address}+${count} pass 65535`);
      const values = new Uint16Array(count);
      for (let i = 0; i < count; i++) values[i] = pdu.readUInt16BE(6 + 2 * i);
      return { fc, address, values };
    }
    default:
      return bad(EXCEPTION.ILLEGAL_FUNCTION, `function code ${fc} is not supported (3, 4, 6, 16 are)`);
  }
}

function adu(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(transactionId, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head[6] = unitId;
  return Buffer.concat([head, pdu]);
}

export function exceptionResponse(transactionId: number, unitId: number, fc: number, code: ExceptionCode): Buffer {
  return adu(transactionId, unitId, Buffer.from([(fc | 0x80) & 0xff, code]));
}

export function readResponse(transactionId: number, unitId: number, fc: 3 | 4, registers: ArrayLike<number>): Buffer {
  const pdu = Buffer.alloc(2 + registers.length * 2);
  pdu[0] = fc;
  pdu[1] = registers.length * 2;
  for (let i = 0; i < registers.length; i++) pdu.writeUInt16BE(registers[i]! & 0xffff, 2 + 2 * i);
  return adu(transactionId, unitId, pdu);
}

export function writeResponse(transactionId: number, unitId: number, fc: 6 | 16, address: number, valueOrCount: number): Buffer {
  const pdu = Buffer.alloc(5);
  pdu[0] = fc;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(valueOrCount, 3);
  return adu(transactionId, unitId, pdu);
}
