import { describe, expect, it } from 'vitest';
import { answerParts, citationLabel, documentType, parseAnswer, parseDocuments } from './model';

describe('knowledge page model', () => {
  const a = parseAnswer({
    answer: 'Netzbetreiber dürfen steuern [1]. Ferner gilt [2, 3] und [9].',
    found: true,
    mode: 'extractive',
    citations: [
      {
        document: 'EnWG',
        section: '§ 14a',
        paragraph: 'Abs. 1',
        score: 3,
        text: 't1',
        documentId: 'd1',
        chunkId: 'c1',
        headingPath: ['Teil 3'],
      },
      { document: 'EnWG', section: '§ 14', page: 2, score: 2, text: 't2', documentId: 'd1', chunkId: 'c2', headingPath: [] },
      { document: 'MsbG', section: '§ 1', score: 1, text: 't3', documentId: 'd2', chunkId: 'c3', headingPath: [] },
    ],
    retrievers: ['bm25'],
    corpusVersion: 1,
  })!;

  it('numbers citations from 1', () => {
    expect(a.citations.map((c) => c.n)).toEqual([1, 2, 3]);
    expect(a.citations[0]?.paragraph).toBe('Abs. 1');
  });

  it('turns markers into citation parts; unknown numbers stay text', () => {
    expect(answerParts(a.answer, 3)).toEqual([
      { kind: 'text', text: 'Netzbetreiber dürfen steuern ' },
      { kind: 'cite', n: 1 },
      { kind: 'text', text: '. Ferner gilt ' },
      { kind: 'cite', n: 2 },
      { kind: 'cite', n: 3 },
      { kind: 'text', text: ' und [9].' },
    ]);
    expect(answerParts('no markers', 0)).toEqual([{ kind: 'text', text: 'no markers' }]);
  });

  it('labels where a citation points', () => {
    expect(citationLabel(a.citations[0]!, 'page')).toBe('EnWG, § 14a, Abs. 1');
    expect(citationLabel(a.citations[1]!, 'Seite')).toBe('EnWG, § 14, Seite 2');
  });

  it('reads the document list', () => {
    const d = parseDocuments({
      documents: [{ id: 'x', title: 'T', filename: 'f.md', builtin: false }, { nope: 1 }],
      preload: { state: 'done' },
    });
    expect(d.documents).toHaveLength(1);
    expect(d.preload).toBe('done');
  });

  it('content type by extension', () => {
    expect(documentType('a.PDF')).toBe('application/pdf');
    expect(documentType('notes.md')).toBe('text/markdown');
    expect(documentType('x.bin')).toBe('application/octet-stream');
  });
});
