/**
 * Grounded answers from an LLM (Ollama or OpenAI-compatible): the numbered passages go into the
 * prompt, the model answers at temperature 0 with a fixed seed, and every sentence of the reply
 * is checked for a citation of a passage that exists — sentences without one are dropped (and
 * returned in `dropped`). The markers in the answer are renumbered to the positions in the
 * returned citations (ascending passage rank, as the knowledge service lists them).
 * When the model fails (timeout, 5xx, bad response) or no sentence is grounded, the answer is the
 * extractive one over the same passages, marked `degraded` with the reason (the service then
 * reports mode "extractive" and does not cache it, so the LLM is asked again next time).
 */
import { extractiveAnswer } from '../extractive.js';
import type { ChatModel } from '../models/types.js';
import type { AnswerGenerator, Passage } from '../retrieve.js';
import { checkCitations, renumberMarkers, type CheckedSentence } from './citations.js';
import { groundedPrompt, NOT_FOUND_TOKEN } from './prompt.js';

/** The model answered, but no sentence cited a retrieved passage: not usable as a grounded answer. */
export class UngroundedAnswerError extends Error {
  readonly retryable = false;
  constructor(readonly reply: string) {
    super(`the model's answer cites no retrieved passage (${reply.slice(0, 80)}${reply.length > 80 ? '…' : ''})`);
    this.name = 'UngroundedAnswerError';
  }
}

export interface GroundedAnswer {
  answer: string;
  found: boolean;
  /** 0-based indexes into the passages, ascending (rank order); marker [n] in the answer is citations[n-1] */
  citations: number[];
  /** sentences removed because they cited no retrieved passage */
  dropped: CheckedSentence[];
  /** set when the LLM failed and the answer is extractive: why */
  degraded?: string;
}

export interface GroundedGeneratorOptions {
  /** fixed sampling seed (default 7) */
  seed?: number;
  /** at most this many passages go into the prompt (default 8) */
  maxPassages?: number;
  maxTokens?: number;
}

export class GroundedGenerator implements AnswerGenerator {
  readonly name: string;
  private readonly seed: number;
  private readonly maxPassages: number;
  private readonly maxTokens: number;

  constructor(
    private readonly chat: ChatModel,
    options: GroundedGeneratorOptions = {},
  ) {
    this.name = `${chat.adapter}:${chat.model}`;
    this.seed = options.seed ?? 7;
    this.maxPassages = options.maxPassages ?? 8;
    this.maxTokens = options.maxTokens ?? 512;
  }

  /** The grounded answer, or the extractive one (with `degraded`) when the model fails or cites nothing. */
  async generate(question: string, passages: readonly Passage[]): Promise<GroundedAnswer> {
    try {
      return await this.generateGrounded(question, passages);
    } catch (err) {
      return {
        answer: extractiveAnswer(question, passages),
        found: true,
        citations: passages.map((_, i) => i),
        dropped: [],
        degraded: `${this.name}: ${(err as Error).message}`,
      };
    }
  }

  /** The LLM path only: throws ModelError when the model fails, UngroundedAnswerError when no sentence cites a passage. */
  async generateGrounded(question: string, passages: readonly Passage[]): Promise<GroundedAnswer> {
    const used = passages.slice(0, this.maxPassages);
    if (used.length === 0) return { answer: '', found: false, citations: [], dropped: [] };
    const reply = (
      await this.chat.chat(groundedPrompt(question, used), { temperature: 0, seed: this.seed, maxTokens: this.maxTokens })
    ).trim();
    if (reply === NOT_FOUND_TOKEN || /^\W*NOT_FOUND\W*$/.test(reply)) return { answer: '', found: false, citations: [], dropped: [] };
    const check = checkCitations(reply, used.length);
    if (check.kept.length === 0) throw new UngroundedAnswerError(reply);
    const cited = [...check.cited].sort((a, b) => a - b);
    const answer = renumberMarkers(check.answer, new Map(cited.map((n, i) => [n, i + 1])));
    return { answer, found: true, citations: cited.map((n) => n - 1), dropped: check.dropped };
  }
}
