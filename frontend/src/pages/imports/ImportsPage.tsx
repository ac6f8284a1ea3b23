/** CSV/XLSX import: upload with progress, the detected mapping as a preview, column choices, import. */
import { useId, useRef, useState, type FormEvent } from 'react';
import { authed, listSeries, sitePath, uploadRaw } from '../../api';
import type { SitePageContext } from '../context';
import { formatValue } from '../../series/units';
import { formatTime } from '../format';
import {
  importBody,
  initialChoices,
  parseImportResult,
  parsePreview,
  QUANTITIES,
  uploadType,
  type ColumnChoice,
  type ImportResult,
  type Preview,
} from './model';
import { IMPORTS, type ImportsStrings } from './strings';

type Stage =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'preview'; preview: Preview; existing: Set<string> }
  | { kind: 'importing'; preview: Preview; existing: Set<string> }
  | { kind: 'done'; result: ImportResult };

export function ImportsPage(ctx: SitePageContext) {
  const { site, lang, failed } = ctx;
  const s = IMPORTS[lang];
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    setError(null);
    setStage({ kind: 'uploading', fraction: 0 });
    try {
      const body = await uploadRaw(
        sitePath(site.id, `/imports/preview?filename=${encodeURIComponent(file.name)}`),
        file,
        uploadType(file.name),
        (fraction) => setStage({ kind: 'uploading', fraction }),
      );
      const preview = parsePreview(body);
      if (!preview) throw new Error('Unexpected answer from POST /sites/{siteId}/imports/preview');
      const existing = new Set((await listSeries(site.id)).map((x) => x.key));
      setStage({ kind: 'preview', preview, existing });
    } catch (err) {
      setStage({ kind: 'idle' });
      setError(failed(err));
    }
  };

  return (
    <section className="card" aria-labelledby="imports-heading">
      <div className="card-head">
        <h2 id="imports-heading">{s.heading(site.name)}</h2>
      </div>
      <p className="muted small">{s.intro}</p>
      {(stage.kind === 'idle' || stage.kind === 'uploading') && (
        <form onSubmit={(e) => void upload(e)} className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-file`}>{s.file}</label>
            <input ref={fileRef} id={`${id}-file`} type="file" accept=".csv,.xlsx,text/csv" required />
          </div>
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={stage.kind === 'uploading'}>
              {s.upload}
            </button>
          </div>
          {stage.kind === 'uploading' && (
            <p role="status">
              <progress max={1} value={stage.fraction} aria-label={s.progressLabel} /> {s.uploading(Math.round(stage.fraction * 100))}
            </p>
          )}
        </form>
      )}
      <div aria-live="assertive">{error && <p className="error">{error}</p>}</div>
      {(stage.kind === 'preview' || stage.kind === 'importing') && (
        <PreviewForm
          ctx={ctx}
          s={s}
          preview={stage.preview}
          existing={stage.existing}
          busy={stage.kind === 'importing'}
          onImport={async (body) => {
            setStage({ kind: 'importing', preview: stage.preview, existing: stage.existing });
            setError(null);
            try {
              const result = parseImportResult(await authed('POST', sitePath(site.id, '/imports'), body));
              if (!result) throw new Error('Unexpected answer from POST /sites/{siteId}/imports');
              setStage({ kind: 'done', result });
            } catch (err) {
              setStage({ kind: 'preview', preview: stage.preview, existing: stage.existing });
              setError(failed(err));
            }
          }}
        />
      )}
      {stage.kind === 'done' && (
        <section aria-labelledby={`${id}-result`} data-testid="import-result">
          <h3 id={`${id}-result`}>{s.resultHeading}</h3>
          <p className="info">{s.result(stage.result.rows, stage.result.accepted, stage.result.updated, stage.result.duplicate)}</p>
          {stage.result.rejected.length > 0 && (
            <>
              <p>{s.resultRejected(stage.result.rejected.length)}</p>
              <ul className="plain small">
                {stage.result.rejected.slice(0, 50).map((r, i) => (
                  <li key={i}>{s.rejectedLine(String(r.line ?? '?'), r.field ?? '', r.reason)}</li>
                ))}
              </ul>
            </>
          )}
          <button type="button" className="btn" onClick={() => setStage({ kind: 'idle' })}>
            {s.startOver}
          </button>
        </section>
      )}
    </section>
  );
}

interface PreviewProps {
  ctx: SitePageContext;
  s: ImportsStrings;
  preview: Preview;
  existing: Set<string>;
  busy: boolean;
  onImport: (body: unknown) => Promise<void>;
}

function PreviewForm({ ctx, s, preview, existing, busy, onImport }: PreviewProps) {
  const [choices, setChoices] = useState<ColumnChoice[]>(() => initialChoices(preview));
  const [problems, setProblems] = useState<string[]>([]);
  const update = (column: number, patch: Partial<ColumnChoice>) =>
    setChoices((prev) => prev.map((c) => (c.column === column ? { ...c, ...patch } : c)));
  const header = (col: number | null) => preview.columns.find((c) => c.column === col)?.header ?? '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = importBody(preview, choices, existing);
    if ('problems' in r) {
      setProblems(
        r.problems.map((p) =>
          p.problem === 'none'
            ? s.errNone
            : p.problem === 'key'
              ? s.errKey(header(p.column))
              : p.problem === 'quantity'
                ? s.errQuantity(header(p.column))
                : s.errDuplicate(header(p.column)),
        ),
      );
      return;
    }
    setProblems([]);
    void onImport(r.body);
  };

  return (
    <form onSubmit={submit} aria-labelledby="preview-heading" data-testid="import-preview">
      <h3 id="preview-heading">
        {s.previewHeading}: {preview.filename}
      </h3>
      <p className="small">
        {s.facts(preview.rowCount, preview.encoding, preview.intervalMinutes === null ? s.unknown : s.minutes(preview.intervalMinutes))}
      </p>
      {preview.warnings.length > 0 && (
        <details>
          <summary>{s.warnings}</summary>
          <ul className="small">
            {preview.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{s.colImport}</th>
              <th scope="col">{s.colColumn}</th>
              <th scope="col">{s.colUnit}</th>
              <th scope="col">{s.colKey}</th>
              <th scope="col">{s.colQuantity}</th>
            </tr>
          </thead>
          <tbody>
            {preview.columns.map((col) => {
              const ch = choices.find((c) => c.column === col.column)!;
              const isExisting = existing.has(ch.key.trim());
              return (
                <tr key={col.column}>
                  <td>
                    <input
                      type="checkbox"
                      checked={ch.include}
                      onChange={(e) => update(col.column, { include: e.target.checked })}
                      aria-label={`${s.colImport}: ${col.header}`}
                    />
                  </td>
                  <th scope="row">{col.header}</th>
                  <td>{col.unit ?? '–'}</td>
                  <td>
                    <input
                      value={ch.key}
                      onChange={(e) => update(col.column, { key: e.target.value })}
                      aria-label={`${s.colKey}: ${col.header}`}
                      disabled={!ch.include}
                    />
                    <span className="muted small block">{isExisting ? s.existing : s.newSeries}</span>
                  </td>
                  <td>
                    <select
                      value={ch.quantity}
                      onChange={(e) => update(col.column, { quantity: e.target.value })}
                      aria-label={`${s.colQuantity}: ${col.header}`}
                      disabled={!ch.include || isExisting}
                    >
                      <option value="">{s.chooseQuantity}</option>
                      {QUANTITIES.map((q) => (
                        <option key={q} value={q}>
                          {q}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {preview.sample.length > 0 && (
        <div className="table-wrap">
          <table className="table small">
            <caption>{s.sampleHeading}</caption>
            <thead>
              <tr>
                <th scope="col">{s.colLine}</th>
                <th scope="col">{s.colTime}</th>
                {preview.columns.map((c) => (
                  <th scope="col" key={c.column}>
                    {c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.sample.map((r) => (
                <tr key={r.line}>
                  <td>{r.line}</td>
                  <td>{formatTime(Date.parse(r.ts), ctx.site.timeZone, ctx.lang)}</td>
                  {preview.columns.map((c) => {
                    const v = r.values.get(c.column);
                    return (
                      <td className="num" key={c.column}>
                        {v === undefined ? '–' : formatValue(v, c.unit ?? '', ctx.lang)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.rejectionCount > 0 && (
        <details>
          <summary>{s.rejectedHeading(preview.rejections.length, preview.rejectionCount)}</summary>
          <ul className="plain small">
            {preview.rejections.map((r, i) => (
              <li key={i}>{s.rejectedLine(String(r.line ?? '?'), r.field ?? '', r.reason)}</li>
            ))}
          </ul>
        </details>
      )}
      <div aria-live="assertive">
        {problems.length > 0 && (
          <ul className="plain error">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? s.importing : s.commit}
        </button>
      </div>
      {busy && (
        <p role="status">
          <progress aria-label={s.importing} /> {s.progressNote}
        </p>
      )}
    </form>
  );
}
