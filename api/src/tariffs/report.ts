// Annual cost of the reference site, load only (no PV, no battery):
//   npx tsx api/src/tariffs/report.ts [dataDir]
import { benchLines, musterwerkLoadOnly } from './musterwerk.js';

const { data, breakdown } = await musterwerkLoadOnly(process.argv[2]);
console.log(`Musterwerk 2023, load only (no PV, no battery); price days filled: ${data.filledPriceDays.length}`);
console.log(`billing peak ${breakdown.demandCharge.peakKw.toFixed(1)} kW at ${breakdown.demandCharge.peakAt?.toISOString() ?? '-'}`);
for (const line of benchLines(breakdown)) console.log(line);
