// Public face of the tariff module.
export { costBreakdown, demandChargeIncrement, TariffInputError, INTERVAL_MINUTES } from './cost.js';
export type { CostBreakdown, CostOptions, DemandPeriod, GridProfile } from './cost.js';
export { TariffSchema, parseTariff, tariffJsonSchema } from './schema.js';
export type { Tariff, TariffInput } from './schema.js';
export { loadTariff, loadTariffFile, listTariffFiles, TARIFFS_DIR } from './loader.js';
