/**
 * HTML (and the XHTML that mammoth and Apache Tika produce) to text with headings as Markdown
 * `#` lines. Scripts, styles and other non-content elements are dropped; block elements end a
 * paragraph; table cells are joined by " | ". Pure.
 *
 * `splitPages`: Tika marks PDF pages as `<div class="page">`; with it set, each such div becomes
 * its own page (numbered from 1) and text outside them is kept with the nearest page.
 */
import { Parser } from 'htmlparser2';
import { normaliseText } from './text.js';

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button']);
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hr',
  'html',
  'legend',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'caption',
]);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

export interface HtmlText {
  title?: string;
  /** One entry when not splitting pages; otherwise one per page div. */
  pages: string[];
  /** Whether page markers were found (and split at). */
  paged: boolean;
}

export interface HtmlOptions {
  /** Split at Tika's page markers: `<div class="page">` (PDF), `"sheet"` (spreadsheets), `"slide"`. */
  splitPages?: boolean;
  /** Keep line breaks inside paragraphs (Tika's PDF text keeps the PDF's lines there). */
  keepLineBreaks?: boolean;
}

export function htmlToText(html: string, options: HtmlOptions = {}): HtmlText {
  type Block = { text: string; kind: 'p' | 'li' | 'row' };
  const pages: Block[][] = [[]];
  let lines = pages[0]!; // finished blocks of the current page
  let line = ''; // text of the current block
  let kind: Block['kind'] = 'p';
  let cellDepth = 0;
  let liIndent = 0;
  let skipDepth = 0;
  let preDepth = 0;
  let heading = 0; // level of the open heading, 0 when none
  let inTitle = false;
  let title = '';
  let firstH1: string | undefined;
  let cellIndex = 0;
  let listDepth = 0;
  let pageDivDepth = 0;
  let paged = false;
  let divDepth = 0;

  const flush = () => {
    if (kind === 'li' && /^\s*-\s*$/.test(line)) return; // <li><p>…: the marker waits for the paragraph's text
    const text =
      preDepth > 0
        ? line.replace(/^\n+|\n+$/g, '')
        : options.keepLineBreaks && !heading
          ? line
              .split('\n')
              .map((l) => l.replace(/\s+/g, ' ').trim())
              .join('\n')
              .replace(/\n{3,}/g, '\n\n')
              .trim()
          : line.replace(/\s+/g, ' ').trim();
    // Text after the last page (Tika appends the PDF's outline there) is left out.
    if (text && !(paged && pageDivDepth === 0)) {
      const block = heading ? `${'#'.repeat(heading)} ${text}` : kind === 'li' ? '  '.repeat(liIndent) + text : text;
      lines.push({ text: block, kind: heading ? 'p' : kind });
    }
    line = '';
    kind = 'p';
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (skipDepth > 0 || SKIP.has(name)) {
          if (!VOID.has(name)) skipDepth++;
          return;
        }
        if (name === 'title') {
          inTitle = true;
          return;
        }
        if (name === 'div') {
          divDepth++;
          if (options.splitPages && pageDivDepth === 0 && /(^|\s)(page|sheet|slide)(\s|$)/.test(attrs.class ?? '')) {
            flush();
            pageDivDepth = divDepth;
            paged = true;
            if (lines.length > 0 || pages.length > 1) {
              lines = [];
              pages.push(lines);
            }
            return;
          }
        }
        if (/^h[1-6]$/.test(name)) {
          flush();
          heading = Number(name[1]);
          return;
        }
        if (name === 'br') {
          if (preDepth > 0) line += '\n';
          else flush();
          return;
        }
        if (name === 'pre') {
          flush();
          preDepth++;
          return;
        }
        if (name === 'ul' || name === 'ol') listDepth++;
        if (name === 'tr') {
          flush();
          cellIndex = 0;
          kind = 'row';
          return;
        }
        if (name === 'td' || name === 'th') {
          cellDepth++;
          if (cellIndex++ > 0) line += ' | ';
          return;
        }
        if (cellDepth > 0) {
          // Paragraphs and lists inside a cell stay in the cell's text.
          if (BLOCK.has(name)) line += ' ';
          return;
        }
        if (BLOCK.has(name)) flush();
        if (name === 'li') {
          line += '- ';
          liIndent = Math.max(0, listDepth - 1);
          kind = 'li';
        }
        if (name === 'img' && attrs.alt) line += ` ${attrs.alt} `;
      },
      ontext(text) {
        if (skipDepth > 0) return;
        if (inTitle) title += text;
        else line += text;
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          if (!VOID.has(name)) skipDepth--;
          return;
        }
        if (name === 'title') {
          inTitle = false;
          return;
        }
        if (/^h[1-6]$/.test(name)) {
          const level = heading;
          const text = line.replace(/\s+/g, ' ').trim();
          if (level === 1 && firstH1 === undefined && text) firstH1 = text;
          flush();
          heading = 0;
          return;
        }
        if (name === 'pre') {
          flush();
          preDepth--;
          return;
        }
        if (name === 'div') {
          if (pageDivDepth === divDepth) {
            flush();
            pageDivDepth = 0;
          }
          divDepth--;
        }
        if (name === 'ul' || name === 'ol') listDepth--;
        if (name === 'td' || name === 'th') {
          cellDepth = Math.max(0, cellDepth - 1);
          return;
        }
        if (name === 'tr') {
          flush();
          return;
        }
        if (cellDepth > 0) {
          if (BLOCK.has(name)) line += ' ';
          return;
        }
        if (BLOCK.has(name)) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  flush();
  const t = title.replace(/\s+/g, ' ').trim() || firstH1;
  return {
    ...(t ? { title: t } : {}),
    paged,
    pages: pages.map((blocks) =>
      normaliseText(
        blocks.map((b, i) => (i === 0 ? '' : b.kind !== 'p' && b.kind === blocks[i - 1]!.kind ? '\n' : '\n\n') + b.text).join(''),
      ),
    ),
  };
}
