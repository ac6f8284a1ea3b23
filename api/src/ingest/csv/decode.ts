/**
 * Bytes of a text export → string. German meter exports come as UTF-8 (often with a BOM, from
 * Excel "CSV UTF-8") or as Windows-1252 ("CSV (Trennzeichen-getrennt)" from German Excel, many
 * grid-operator portals). Pure, no I/O.
 */

export type TextEncodingName = 'utf-8' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** a UTF-8 byte-order mark was found and removed */
  bom: boolean;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * UTF-8 when the bytes are valid UTF-8 (a BOM is stripped), otherwise Windows-1252. Pure ASCII is
 * reported as UTF-8 (both decode it the same way). A U+FEFF left at the start of the text is removed too.
 */
export function decodeBytes(bytes: Uint8Array): DecodedText {
  const bom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    return { text: stripBomChar(text), encoding: 'utf-8', bom };
  } catch {
    return { text: stripBomChar(fixC1(new TextDecoder('windows-1252').decode(body))), encoding: 'windows-1252', bom };
  }
}

/**
 * Node 20's TextDecoder('windows-1252') decodes like ISO-8859-1 for 0x80–0x9F (0x80 → U+0080
 * instead of €). Those bytes are mapped here as Windows-1252 defines them; undefined bytes stay.
 */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
function fixC1(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1.charAt(c.charCodeAt(0) - 0x80));
}

function stripBomChar(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
