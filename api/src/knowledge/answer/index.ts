/** Grounded answer generation (LLM with citation check) for `POST /rag/ask`. */
export { GroundedGenerator, UngroundedAnswerError, type GroundedAnswer, type GroundedGeneratorOptions } from './generator.js';
export { checkCitations, renumberMarkers, splitSentences, type CheckedSentence, type CitationCheck } from './citations.js';
export { groundedPrompt, passageLabel, NOT_FOUND_TOKEN, SYSTEM_PROMPT } from './prompt.js';
