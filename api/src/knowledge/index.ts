export { createExtractor, createLlm, createVectorIndex } from './adapters.js';
