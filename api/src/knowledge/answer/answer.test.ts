/** Citation check (pure) and grounded generation against the protocol-faithful local model peer (not a real LLM). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OllamaChat } from '../models/ollama.js';
import { OpenAiChat } from '../models/openai.js';
import { startModelPeer, type ModelPeer } from '../models/peer.js';
import type { Passage } from '../retrieve.js';
import { checkCitations, renumberMarkers, splitSentences } from './citations.js';
import { GroundedGenerator, UngroundedAnswerError } from './generator.js';
import { groundedPrompt } from './prompt.js';

describe('splitSentences', () => {
  it.each([
    ['Nach § 14a Abs. 1 EnWG darf der Netzbetreiber steuern [1]. Das gilt ab 2024 [2].', 2],
    ['Gemäß § 9 Abs. 2 Nr. 1 EEG müssen Anlagen z. B. fernsteuerbar sein [1].', 1],
    ['Grid operators may dim e.g. heat pumps [1]. They must pay a reduced fee [2][3]. Done? Yes [1].', 4],
    ['Der Satz endet hier. [1] Der nächste auch [2].', 2],
  ])('%s → %i sentences', (text, n) => {
    expect(splitSentences(text)).toHaveLength(n);
  });
});

describe('checkCitations', () => {
  it('keeps cited sentences, drops uncited ones and strips markers that name no passage', () => {
    const c = checkCitations(
      'Netzbetreiber dürfen steuern [1]. Das ist allgemein bekannt. Die Frist beträgt 24 Monate [7]. Vergütung sinkt [2, 9].',
      3,
    );
    expect(c.kept.map((s) => s.text)).toEqual(['Netzbetreiber dürfen steuern [1].', 'Vergütung sinkt [2].']);
    expect(c.dropped.map((s) => s.text)).toEqual(['Das ist allgemein bekannt.', 'Die Frist beträgt 24 Monate.']);
    expect(c.dropped[1]!.invalid).toEqual([7]);
    expect(c.kept[1]!.invalid).toEqual([9]);
    expect(c.cited).toEqual([1, 2]);
    expect(c.answer).toBe('Netzbetreiber dürfen steuern [1]. Vergütung sinkt [2].');
  });

  it('renumbers markers', () => {
    expect(
      renumberMarkers(
        'A [3]. B [1][3]. C [2, 3].',
        new Map([
          [3, 1],
          [1, 2],
          [2, 3],
        ]),
      ),
    ).toBe('A [1]. B [2][1]. C [3, 1].');
  });
});

const passages: Passage[] = [
  {
    chunkId: 'a:0',
    documentId: 'a',
    document: 'EnWG – Energiewirtschaftsgesetz',
    law: 'EnWG',
    section: '§ 14a',
    paragraph: 'Abs. 1',
    headingPath: ['EnWG', '§ 14a'],
    score: 0.9,
    text: 'Betreiber von Elektrizitätsverteilernetzen dürfen steuerbare Verbrauchseinrichtungen netzorientiert steuern. Im Gegenzug gilt ein reduziertes Netzentgelt.',
  },
  {
    chunkId: 'b:0',
    documentId: 'b',
    document: 'EEG 2023 – Erneuerbare-Energien-Gesetz',
    law: 'EEG 2023',
    section: '§ 20',
    headingPath: ['EEG 2023', '§ 20'],
    page: 4,
    score: 0.5,
    text: 'Die Marktprämie wird für Strom aus Anlagen in der Direktvermarktung gezahlt.',
  },
];

describe('groundedPrompt', () => {
  it('numbers the passages with document, section and page and states the rules', () => {
    const [system, user] = groundedPrompt('Wer darf steuern?', passages);
    expect(system!.content).toMatch(/square brackets/);
    expect(system!.content).toMatch(/NOT_FOUND/);
    expect(user!.content).toContain('[1] EnWG § 14a, Abs. 1 | Betreiber von');
    expect(user!.content).toContain('[2] EEG 2023 § 20, p. 4 | Die Marktprämie');
    expect(user!.content).toMatch(/Question: Wer darf steuern\?$/);
  });
});

describe.each(['ollama', 'openai'])('GroundedGenerator over %s (local peer)', (adapter) => {
  let peer: ModelPeer;
  let gen: GroundedGenerator;
  beforeAll(async () => {
    peer = await startModelPeer();
    const chat =
      adapter === 'ollama'
        ? new OllamaChat(peer.ollamaUrl, 'llama3.1:8b', { retries: 1, backoffMs: 5 })
        : new OpenAiChat(peer.openAiUrl, 'gpt-4o-mini', undefined, { retries: 1, backoffMs: 5 });
    gen = new GroundedGenerator(chat);
  });
  afterAll(() => peer.close());
  beforeEach(() => {
    peer.behaviour.chatReply = undefined;
    peer.behaviour.failNext = 0;
  });

  it('answers with citations of the passages it used, deterministically', async () => {
    const a = await gen.generate('Wer darf steuerbare Verbrauchseinrichtungen steuern?', passages);
    expect(a.found).toBe(true);
    expect(a.citations).toEqual([0]);
    expect(a.answer).toMatch(/steuerbare Verbrauchseinrichtungen netzorientiert steuern \[1\]\.$/);
    expect(await gen.generate('Wer darf steuerbare Verbrauchseinrichtungen steuern?', passages)).toEqual(a);
  });

  it('drops a sentence without a valid citation and reports it', async () => {
    peer.behaviour.chatReply = () =>
      'Netzbetreiber dürfen steuern [1]. Außerdem gilt das auch in Österreich. Die Marktprämie gibt es in der Direktvermarktung [2]. Es gibt 20 Jahre Vergütung [5].';
    const a = await gen.generate('Was gilt?', passages);
    expect(a.answer).toBe('Netzbetreiber dürfen steuern [1]. Die Marktprämie gibt es in der Direktvermarktung [2].');
    expect(a.citations).toEqual([0, 1]);
    expect(a.degraded).toBeUndefined();
    expect(a.dropped.map((d) => d.text)).toEqual(['Außerdem gilt das auch in Österreich.', 'Es gibt 20 Jahre Vergütung.']);
  });

  it('says not found when the model says NOT_FOUND', async () => {
    const a = await gen.generate('Wie hoch ist der Mond?', passages);
    expect(a).toMatchObject({ found: false, citations: [] });
  });

  it('renumbers markers to the positions in the (rank-ordered) citations', async () => {
    peer.behaviour.chatReply = () => 'Die Marktprämie gibt es in der Direktvermarktung [2].';
    const a = await gen.generate('Was gilt?', passages);
    expect(a).toMatchObject({ answer: 'Die Marktprämie gibt es in der Direktvermarktung [1].', citations: [1] });
  });

  it('falls back to the extractive answer, marked degraded, when nothing is grounded or the model fails', async () => {
    peer.behaviour.chatReply = () => 'Das weiß ich aus meinem Training.';
    await expect(gen.generateGrounded('Was gilt?', passages)).rejects.toBeInstanceOf(UngroundedAnswerError);
    const ungrounded = await gen.generate('Wer darf steuerbare Verbrauchseinrichtungen steuern?', passages);
    expect(ungrounded).toMatchObject({ found: true, citations: [0, 1], degraded: expect.stringMatching(/cites no retrieved passage/) });
    expect(ungrounded.answer).toMatch(/\[1\]/);
    peer.behaviour.chatReply = undefined;
    peer.behaviour.failNext = 5;
    await expect(gen.generateGrounded('Was gilt?', passages)).rejects.toMatchObject({ name: 'ModelError', kind: 'http', status: 500 });
    peer.behaviour.failNext = 5;
    expect((await gen.generate('Was gilt?', passages)).degraded).toMatch(/HTTP 500/);
  });
});
