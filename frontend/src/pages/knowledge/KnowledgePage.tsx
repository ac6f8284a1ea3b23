/** Knowledge: ask with cited answers (citations clickable), document upload (ingest on all sites), document list. */
import { useCallback, useId, useRef, useState, type FormEvent } from 'react';
import { ALL_SITES, can } from '../../access';
import { authed, uploadRaw } from '../../api';
import type { PageContext } from '../context';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import {
  answerParts,
  citationLabel,
  documentType,
  parseAnswer,
  parseDocument,
  parseDocuments,
  type Answer,
  type Citation,
  type DocumentView,
} from './model';
import { KNOWLEDGE, type KnowledgeStrings } from './strings';

export function KnowledgePage(ctx: PageContext) {
  const { lang, c, failed, roles } = ctx;
  const s = KNOWLEDGE[lang];
  const loadDocs = useCallback(async () => parseDocuments(await authed('GET', '/knowledge/documents')), []);
  const [docs, reloadDocs] = useResource('documents', loadDocs, failed);

  return (
    <section className="card" aria-labelledby="knowledge-heading">
      <div className="card-head">
        <h2 id="knowledge-heading">{s.heading}</h2>
      </div>
      <p className="muted small">{s.intro}</p>
      <Ask ctx={ctx} s={s} />
      <h3>{s.uploadHeading}</h3>
      {can(roles, 'ingest', ALL_SITES) ? (
        <Upload ctx={ctx} s={s} onDone={reloadDocs} />
      ) : (
        <p className="muted small">{s.uploadNeedsRole}</p>
      )}
      <ResourceState c={c} res={docs} what={s.heading}>
        {({ documents, preload }) => (
          <details>
            <summary>{s.documentsHeading(documents.length)}</summary>
            {preload && <p className="muted small">{s.preload(preload)}</p>}
            <ul className="plain small">
              {documents.map((d) => (
                <li key={d.id}>
                  {d.title}{' '}
                  <span className="muted">
                    ({d.filename}
                    {d.builtin ? `, ${s.builtin}` : ''})
                  </span>
                </li>
              ))}
            </ul>
          </details>
        )}
      </ResourceState>
    </section>
  );
}

function Ask({ ctx, s }: { ctx: PageContext; s: KnowledgeStrings }) {
  const id = useId();
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [focused, setFocused] = useState<number | null>(null);

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const a = parseAnswer(await authed('POST', '/rag/ask', { question: question.trim() }));
      if (!a) throw new Error('Unexpected answer from POST /rag/ask');
      setAnswer(a);
      setFocused(null);
    } catch (err) {
      setError(ctx.failed(err));
    } finally {
      setBusy(false);
    }
  };

  const openCitation = (n: number) => {
    setFocused(n);
    // after render: bring the source into view and give it focus for keyboard and screen reader users
    window.setTimeout(() => document.getElementById(`${id}-cite-${n}`)?.focus(), 0);
  };

  return (
    <>
      <form onSubmit={(e) => void ask(e)} className="form-grid">
        <div className="field field-wide">
          <label htmlFor={`${id}-q`}>{s.question}</label>
          <input
            id={`${id}-q`}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            aria-describedby={`${id}-qh`}
            maxLength={2000}
          />
          <p id={`${id}-qh`} className="hint muted small">
            {s.questionHint}
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? s.asking : s.ask}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {error && <p className="error">{error}</p>}
        {answer && (
          <section aria-labelledby={`${id}-ah`} className="answer" data-testid="answer">
            <h3 id={`${id}-ah`}>{s.answerHeading}</h3>
            {!answer.found && <p className="muted">{s.notFound}</p>}
            <p className="answer-text">
              {answerParts(answer.answer, answer.citations.length).map((p, i) =>
                p.kind === 'text' ? (
                  <span key={i}>{p.text}</span>
                ) : (
                  <button
                    key={i}
                    type="button"
                    className="cite"
                    onClick={() => openCitation(p.n)}
                    aria-label={s.citeLabel(p.n, citationLabel(answer.citations[p.n - 1]!, s.page))}
                  >
                    [{p.n}]
                  </button>
                ),
              )}
            </p>
            <p className="muted small">{s.mode(answer.mode)}</p>
            {answer.citations.length > 0 && (
              <>
                <h4>{s.citationsHeading}</h4>
                <ol className="citations">
                  {answer.citations.map((cit) => (
                    <CitationItem
                      key={cit.n}
                      ctx={ctx}
                      s={s}
                      cit={cit}
                      elementId={`${id}-cite-${cit.n}`}
                      highlighted={focused === cit.n}
                      onOpen={() => openCitation(cit.n)}
                    />
                  ))}
                </ol>
              </>
            )}
          </section>
        )}
      </div>
    </>
  );
}

function CitationItem({
  ctx,
  s,
  cit,
  elementId,
  highlighted,
  onOpen,
}: {
  ctx: PageContext;
  s: KnowledgeStrings;
  cit: Citation;
  elementId: string;
  highlighted: boolean;
  onOpen: () => void;
}) {
  const [doc, setDoc] = useState<DocumentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const details = async () => {
    onOpen();
    try {
      setDoc(parseDocument(await authed('GET', `/knowledge/documents/${encodeURIComponent(cit.documentId)}`)));
    } catch (err) {
      setError(ctx.failed(err));
    }
  };
  return (
    <li id={elementId} tabIndex={-1} className={`citation${highlighted ? ' citation-open' : ''}`} data-citation={cit.n}>
      <strong>{citationLabel(cit, s.page)}</strong>
      {cit.headingPath.length > 0 && <span className="muted small block">{cit.headingPath.join(' › ')}</span>}
      <blockquote className={highlighted ? '' : 'clamp'}>{cit.text}</blockquote>
      <button type="button" className="btn btn-small" onClick={() => void details()} aria-expanded={doc !== null}>
        {s.showDocument}
      </button>
      {error && <p className="error small">{error}</p>}
      {doc && (
        <dl className="facts small" data-testid="document-details">
          <div>
            <dt>{s.documentHeading}</dt>
            <dd>
              {doc.title} ({doc.filename}){doc.builtin ? ` · ${s.builtin}` : ''}
            </dd>
          </div>
          <div>
            <dt>{doc.type}</dt>
            <dd>
              {s.docFacts(doc.law ?? doc.type, doc.pages, doc.chunkCount)}
              {(doc.validFrom || doc.validTo) && ` · ${s.validity(doc.validFrom ?? '…', doc.validTo ?? '…')}`}
            </dd>
          </div>
          {doc.source && (
            <div>
              <dt>URL</dt>
              <dd>
                {/^https?:\/\//.test(doc.source) ? (
                  <a href={doc.source} target="_blank" rel="noreferrer noopener">
                    {doc.source}
                  </a>
                ) : (
                  doc.source
                )}
              </dd>
            </div>
          )}
        </dl>
      )}
    </li>
  );
}

function Upload({ ctx, s, onDone }: { ctx: PageContext; s: KnowledgeStrings; onDone: () => Promise<void> }) {
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    setMsg(null);
    setProgress(0);
    try {
      const q = new URLSearchParams({ filename: file.name, ...(title.trim() ? { title: title.trim() } : {}) });
      const body = (await uploadRaw(`/ingest/doc?${q.toString()}`, file, documentType(file.name), setProgress)) as Record<
        string,
        unknown
      > | null;
      const outcome = typeof body?.outcome === 'string' ? body.outcome : 'created';
      const doc = parseDocument(body?.document ?? body);
      setMsg({ ok: true, text: s.uploaded(doc?.title || title || file.name, s.outcomes[outcome] ?? outcome) });
      await onDone();
    } catch (err) {
      const m = ctx.failed(err);
      if (m !== null) setMsg({ ok: false, text: m });
    } finally {
      setProgress(null);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="form-grid">
      <p className="muted small field-wide">{s.uploadIntro}</p>
      <div className="field">
        <label htmlFor={`${id}-f`}>{s.file}</label>
        <input ref={fileRef} id={`${id}-f`} type="file" required accept=".pdf,.docx,.html,.htm,.md,.txt,.csv,.xlsx" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-t`}>{s.title}</label>
        <input id={`${id}-t`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={progress !== null}>
          {s.upload}
        </button>
      </div>
      {progress !== null && (
        <p role="status">
          <progress max={1} value={progress} aria-label={s.progressLabel} /> {s.uploading(Math.round(progress * 100))}
        </p>
      )}
      <div aria-live="assertive">{msg && <p className={msg.ok ? 'info' : 'error'}>{msg.text}</p>}</div>
    </form>
  );
}
