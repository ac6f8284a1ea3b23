/**
 * `npm run bench:extract` — extraction throughput over the committed 40-page report
 * (fixtures/bericht-40-seiten.{pdf,docx,html}: the same text as PDF, DOCX and HTML).
 * Prints `BENCH extract.<adapter>.<format>_pages_per_s <n> pages/s`; for DOCX and HTML a
 * "page" is one of the report's 40 page-long sections. Tika is measured when TIKA_URL is set.
 * Target (issue #9): document ingest ≥ 50 pages/s with built-in extraction.
 */
import { fixture } from './fixture.js';
import { builtinExtractor, tikaExtractor, type TextExtractor } from './index.js';

const PAGES = 40;
const read = fixture;

async function measure(extractor: TextExtractor, file: string, minMs: number): Promise<number> {
  const bytes = read(file);
  const hint = { filename: file };
  const first = await extractor.extract(bytes, hint); // warm-up (module load, JIT)
  const text = first.pages.map((p) => p.text).join('\n');
  if (!text.includes('Abschnitt 40.6')) throw new Error(`${extractor.adapter} lost text of ${file}`);
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < minMs || runs < 3) {
    await extractor.extract(bytes, hint);
    runs++;
  }
  const seconds = (performance.now() - started) / 1000;
  return (runs * PAGES) / seconds;
}

const formats: [string, string][] = [
  ['pdf', 'bericht-40-seiten.pdf'],
  ['docx', 'bericht-40-seiten.docx'],
  ['html', 'bericht-40-seiten.html'],
];
const extractors: TextExtractor[] = [builtinExtractor()];
if (process.env.TIKA_URL) extractors.push(tikaExtractor(process.env.TIKA_URL));
else console.error('TIKA_URL not set: Apache Tika not measured (scripts/services up tika)');

for (const extractor of extractors) {
  for (const [format, file] of formats) {
    const rate = await measure(extractor, file, 3000);
    console.log(`BENCH extract.${extractor.adapter}.${format}_pages_per_s ${rate.toFixed(1)} pages/s`);
  }
}
