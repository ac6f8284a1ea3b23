/**
 * A small, strict XML reader for the flat, well-defined documents of the market APIs (ENTSO-E).
 * It is not a general XML parser: no DTDs, no external entities, no namespaces beyond dropping
 * the prefix. It builds a tree of elements with 1-based line numbers and throws on anything it
 * does not understand (unclosed or mismatched tags, truncated input, stray text at the top level).
 */
import { MarketParseError, type MarketFormat } from './errors.js';

export interface XmlElement {
  /** Local name (prefix dropped). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element, entity-decoded, untrimmed. */
  text: string;
  /** Line where the start tag begins (1-based). */
  line: number;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTR = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/;

function decodeEntities(raw: string, format: MarketFormat, line: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|[^;\s]*);?/g, (whole, ent: string) => {
    if (!whole.endsWith(';')) throw new MarketParseError(format, `unterminated entity "${whole}"`, { line });
    switch (ent) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    throw new MarketParseError(format, `unknown entity "&${ent};"`, { line });
  });
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Parse a whole document and return its root element. */
export function parseXml(input: string, format: MarketFormat = 'entsoe'): XmlElement {
  let src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  src = src.replace(/\r\n?/g, '\n');
  let pos = 0;
  let line = 1;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const advance = (to: number) => {
    for (let k = pos; k < to; k++) if (src.charCodeAt(k) === 10) line++;
    pos = to;
  };
  const fail = (msg: string, element?: string): never => {
    throw new MarketParseError(format, msg, element === undefined ? { line } : { line, element });
  };
  const skipTo = (marker: string, what: string) => {
    const end = src.indexOf(marker, pos);
    if (end < 0) fail(`truncated document: ${what} not closed`);
    advance(end + marker.length);
  };

  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    const textEnd = lt < 0 ? src.length : lt;
    if (textEnd > pos) {
      const raw = src.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (raw.trim() !== '') fail(`text outside the root element: "${raw.trim().slice(0, 40)}"`);
      } else {
        top.text += decodeEntities(raw, format, line);
      }
      advance(textEnd);
      if (lt < 0) break;
    }
    if (src.startsWith('<?', pos)) {
      skipTo('?>', 'processing instruction');
    } else if (src.startsWith('<!--', pos)) {
      skipTo('-->', 'comment');
    } else if (src.startsWith('<![CDATA[', pos)) {
      const top = stack[stack.length - 1];
      if (top === undefined) fail('CDATA outside the root element');
      const end = src.indexOf(']]>', pos);
      if (end < 0) fail('truncated document: CDATA section not closed');
      top!.text += src.slice(pos + 9, end);
      advance(end + 3);
    } else if (src.startsWith('<!', pos)) {
      fail('DOCTYPE/declarations are not supported');
    } else if (src.startsWith('</', pos)) {
      const m = NAME.exec(src.slice(pos + 2, pos + 2 + 200));
      if (m === null) fail('bad end tag');
      const after = pos + 2 + m![0].length;
      const close = /^\s*>/.exec(src.slice(after, after + 100));
      if (close === null) fail(`truncated or malformed end tag </${m![0]}`);
      const name = localName(m![0]);
      const open = stack.pop();
      if (open === undefined) fail(`end tag </${m![0]}> without a start tag`, name);
      if (open!.name !== name) fail(`end tag </${m![0]}> does not match <${open!.name}> opened at line ${open!.line}`, name);
      advance(after + close![0].length);
    } else {
      const startLine = line;
      const m = NAME.exec(src.slice(pos + 1, pos + 1 + 200));
      if (m === null) fail('"<" that does not start a tag');
      let p = pos + 1 + m![0].length;
      const el: XmlElement = { name: localName(m![0]), attrs: {}, children: [], text: '', line: startLine };
      for (;;) {
        const rest = src.slice(p, p + 2000);
        const a = ATTR.exec(rest);
        if (a !== null) {
          el.attrs[localName(a[1]!)] = decodeEntities(a[2] ?? a[3] ?? '', format, startLine);
          p += a[0].length;
          continue;
        }
        const close = /^\s*(\/?)>/.exec(rest);
        if (close === null) fail(`truncated or malformed start tag <${m![0]}`, el.name);
        p += close![0].length;
        const parent = stack[stack.length - 1];
        if (parent !== undefined) parent.children.push(el);
        else if (root !== undefined) fail(`second root element <${el.name}>`, el.name);
        else root = el;
        if (close![1] !== '/') stack.push(el);
        break;
      }
      advance(p);
    }
  }
  const open = stack[stack.length - 1];
  if (open !== undefined) fail(`truncated document: <${open.name}> opened at line ${open.line} is not closed`, open.name);
  if (root === undefined) fail('empty document: no root element');
  return root!;
}

/** Direct children with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The single direct child with this name, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
