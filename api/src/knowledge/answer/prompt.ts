/**
 * The grounded-answer prompt: numbered passages (document, section, page) and the question; the
 * model must cite a passage number in every sentence or say NOT_FOUND. Pure.
 */
import type { ChatMessage } from '../models/types.js';
import type { Passage } from '../retrieve.js';

/** The exact reply the prompt asks for when the passages do not answer the question. */
export const NOT_FOUND_TOKEN = 'NOT_FOUND';
/** Longest passage text put into the prompt, in characters. */
export const MAX_PASSAGE_CHARS = 1_800;

export const SYSTEM_PROMPT = [
  "You answer questions about German energy regulation and the user's own documents for energy managers.",
  'Use ONLY the numbered passages in the user message; use no other knowledge.',
  'Every sentence of your answer must end with the number of the passage(s) it is taken from in square brackets, e.g. [1] or [2][3].',
  `If the passages do not contain the answer, reply exactly ${NOT_FOUND_TOKEN} and nothing else.`,
  'Answer in the language of the question (German or English), in at most five short sentences, without an introduction.',
].join('\n');

/** "EnWG § 14a Abs. 1, p. 3" */
export function passageLabel(p: Passage): string {
  const doc = p.law ?? p.document;
  return [`${doc} ${p.section}`.trim(), p.paragraph, p.page !== undefined ? `p. ${p.page}` : undefined].filter(Boolean).join(', ');
}

/** One line per passage: `[n] label | text` (whitespace collapsed, long texts cut at a word). */
export function passageLine(p: Passage, n: number): string {
  let text = p.text.replace(/\s+/g, ' ').trim();
  if (text.length > MAX_PASSAGE_CHARS) text = `${text.slice(0, MAX_PASSAGE_CHARS).replace(/\s+\S*$/, '')} …`;
  return `[${n}] ${passageLabel(p)} | ${text}`;
}

export function groundedPrompt(question: string, passages: readonly Passage[]): ChatMessage[] {
  const lines = passages.map((p, i) => passageLine(p, i + 1));
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `Passages:\n${lines.join('\n')}\n\nQuestion: ${question.replace(/\s+/g, ' ').trim()}` },
  ];
}
