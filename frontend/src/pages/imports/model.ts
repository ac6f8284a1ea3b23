/** The import page's data: the service's preview, the person's column choices, and the import request — pure. */

export const QUANTITIES = [
  'active_power',
  'reactive_power',
  'energy_import',
  'energy_export',
  'energy',
  'state_of_charge',
  'temperature',
  'irradiance',
  'voltage',
  'current',
  'frequency',
  'price',
] as const;
export const SEMANTICS = ['instantaneous', 'cumulative', 'interval'] as const;

export interface PreviewColumn {
  column: number;
  header: string;
  unit: string | null;
  quantity: string | null;
  semantics: string;
  suggestedKey: string;
}

export interface Preview {
  uploadId: string;
  filename: string;
  encoding: string;
  rowCount: number;
  intervalMinutes: number | null;
  timeFormat: string;
  mapping: unknown;
  columns: PreviewColumn[];
  sample: Array<{ line: number; ts: string; values: Map<number, number> }>;
  rejections: Array<{ line: number | null; field: string | null; reason: string }>;
  rejectionCount: number;
  warnings: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function parsePreview(body: unknown): Preview | null {
  if (!isRecord(body) || typeof body.uploadId !== 'string') return null;
  const mapping = isRecord(body.mapping) ? body.mapping : {};
  const time = isRecord(mapping.time) ? mapping.time : {};
  const suggested = new Map(
    arr(body.suggestedSeries)
      .filter(isRecord)
      .map((s) => [Number(s.column), s] as const),
  );
  const columns = arr(mapping.values)
    .filter(isRecord)
    .map((v) => {
      const col = Number(v.column);
      const sug = suggested.get(col) ?? {};
      return {
        column: col,
        header: str(v.header) || `#${col}`,
        unit: typeof v.canonicalUnit === 'string' ? v.canonicalUnit : typeof v.unit === 'string' ? v.unit : null,
        quantity: typeof v.quantity === 'string' ? v.quantity : typeof sug.quantity === 'string' ? sug.quantity : null,
        semantics: str(v.semantics) || str(sug.semantics) || 'instantaneous',
        suggestedKey: str(sug.key) || `import/${col}`,
      };
    });
  return {
    uploadId: body.uploadId,
    filename: str(body.filename),
    encoding: str(body.encoding),
    rowCount: typeof body.rowCount === 'number' ? body.rowCount : 0,
    intervalMinutes: typeof time.intervalMinutes === 'number' ? time.intervalMinutes : null,
    timeFormat: str(time.format),
    mapping: body.mapping,
    columns,
    sample: arr(body.sample)
      .filter(isRecord)
      .map((r) => ({
        line: Number(r.line),
        ts: str(r.ts),
        values: new Map(
          arr(r.values)
            .filter(isRecord)
            .map((v) => [Number(v.column), Number(v.value)] as const),
        ),
      })),
    rejections: arr(body.rejections)
      .filter(isRecord)
      .map((r) => ({
        line: typeof r.line === 'number' ? r.line : null,
        field: typeof r.field === 'string' ? r.field : null,
        reason: str(r.reason),
      })),
    rejectionCount: typeof body.rejectionCount === 'number' ? body.rejectionCount : 0,
    warnings: arr(mapping.warnings).map(String),
  };
}

export interface ColumnChoice {
  column: number;
  include: boolean;
  key: string;
  quantity: string;
  semantics: string;
}

export function initialChoices(p: Preview): ColumnChoice[] {
  return p.columns.map((c) => ({
    column: c.column,
    include: true,
    key: c.suggestedKey,
    quantity: c.quantity ?? '',
    semantics: c.semantics,
  }));
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$/;

export type ChoiceProblem = { column: number; problem: 'key' | 'quantity' | 'duplicate' } | { column: null; problem: 'none' };

/**
 * The POST /sites/:id/imports body, or what is wrong. A key that is not a series of the site yet
 * is created with the chosen quantity and semantics.
 */
export function importBody(
  p: Preview,
  choices: readonly ColumnChoice[],
  existingKeys: ReadonlySet<string>,
): { body: unknown } | { problems: ChoiceProblem[] } {
  const chosen = choices.filter((c) => c.include);
  if (chosen.length === 0) return { problems: [{ column: null, problem: 'none' }] };
  const problems: ChoiceProblem[] = [];
  const seen = new Set<string>();
  for (const c of chosen) {
    const key = c.key.trim();
    if (!KEY_RE.test(key)) problems.push({ column: c.column, problem: 'key' });
    else if (seen.has(key)) problems.push({ column: c.column, problem: 'duplicate' });
    else if (!existingKeys.has(key) && !(QUANTITIES as readonly string[]).includes(c.quantity))
      problems.push({ column: c.column, problem: 'quantity' });
    seen.add(key);
  }
  if (problems.length) return { problems };
  return {
    body: {
      uploadId: p.uploadId,
      filename: p.filename,
      columns: chosen.map((c) => {
        const key = c.key.trim();
        const header = p.columns.find((x) => x.column === c.column)?.header;
        return existingKeys.has(key)
          ? { column: c.column, key }
          : { column: c.column, key, create: { quantity: c.quantity, semantics: c.semantics, ...(header ? { name: header } : {}) } };
      }),
    },
  };
}

export interface ImportResult {
  rows: number;
  accepted: number;
  updated: number;
  duplicate: number;
  rejected: Array<{ line: number | null; field: string | null; reason: string }>;
}

export function parseImportResult(body: unknown): ImportResult | null {
  if (!isRecord(body) || typeof body.rows !== 'number') return null;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    rows: body.rows,
    accepted: n(body.accepted),
    updated: n(body.updated),
    duplicate: n(body.duplicate),
    rejected: arr(body.rejected)
      .filter(isRecord)
      .map((r) => ({
        line: typeof r.line === 'number' ? r.line : null,
        field: typeof r.field === 'string' ? r.field : null,
        reason: str(r.reason),
      })),
  };
}

/** Content type of an upload by file name (the service reads it from the body anyway). */
export function uploadType(filename: string): string {
  return /\.xlsx$/i.test(filename) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
}
