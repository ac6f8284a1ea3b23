/** Public face of planning: the pure planner, the plan store (PlanSource), the MPC service and its routes. See README.md. */
export {
  buildPlanInput,
  toActivePlan,
  toActiveSteps,
  peakTargetOf,
  plannedPeakW,
  signalsToConstraints,
  persistenceAt,
  MIN_STEPS,
  type PlannerInputs,
  type PlanSetup,
  type InputSummary,
  type SeriesSource,
  type FlexibleDemand,
} from './planner.js';
export { PlanStore, stepAt, type StoredPlan, type PlanPage } from './store.js';
export { startPlanningService, type PlanningService, type PlanningOptions, type PlanOutcome, type SiteStatus } from './service.js';
export { registerPlanningRoutes } from './routes.js';
export { createSolver, type Solver, type SolveResult } from './solver.js';
