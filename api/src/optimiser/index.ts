/** Public face of the optimiser: optimise(highs, input) → Plan. See README.md. */
export { optimise, loadSolver, planCost, type Highs, type OptimiseOptions } from './optimise.js';
export { validateInput } from './validate.js';
export { PENALTY_EUR_PER_KWH, billingPeriodOf } from './formulate.js';
export * from './model.js';
