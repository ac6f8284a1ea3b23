/**
 * Office Open XML: DOCX by mammoth (Word's heading styles become HTML h1–h6, which become
 * Markdown `#` lines here) and XLSX by exceljs (one page per worksheet, numbered in sheet order,
 * each starting with the sheet name as a heading; cells of a row joined by " | ").
 */
import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import { FORMAT_MIME } from './detect.js';
import { htmlToText } from './html.js';
import { ExtractionError, type ExtractedDocument } from './types.js';

export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { ignoreEmptyParagraphs: true, styleMap: ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"] },
    );
    html = result.value;
  } catch (err) {
    throw officeError('DOCX', err);
  }
  const { title, pages } = htmlToText(html);
  return { mimeType: FORMAT_MIME.docx, ...(title ? { title } : {}), pages: [{ page: undefined, text: pages[0] ?? '' }] };
}

export async function extractXlsx(bytes: Uint8Array): Promise<ExtractedDocument> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs' typings want its own Buffer type; a Node Buffer is what it reads.
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw officeError('XLSX', err);
  }
  const pages = workbook.worksheets.map((sheet, i) => {
    const lines = [`# ${sheet.name}`, ''];
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell) => {
        cells.push(cellText(cell).replace(/\s+/g, ' ').trim());
      });
      while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
      if (cells.some((c) => c !== '')) lines.push(cells.join(' | '));
    });
    return { page: i + 1, text: lines.join('\n') };
  });
  const title = workbook.title?.trim();
  return { mimeType: FORMAT_MIME.xlsx, ...(title ? { title } : {}), pages };
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v instanceof Date)
    return v
      .toISOString()
      .replace(/T00:00:00\.000Z$/, '')
      .replace(/\.000Z$/, 'Z');
  if (v !== null && typeof v === 'object' && 'result' in v) {
    const r = (v as { result?: unknown }).result;
    return r instanceof Date ? r.toISOString() : r === undefined || r === null ? '' : String(r);
  }
  try {
    return cell.text ?? '';
  } catch {
    return '';
  }
}

function officeError(kind: string, err: unknown): ExtractionError {
  const message = (err as Error).message ?? String(err);
  return new ExtractionError(
    'corrupt',
    `The ${kind} file cannot be read (${message}); it may be truncated or not really a ${kind} — open and save it again, then re-upload`,
    { cause: err },
  );
}
