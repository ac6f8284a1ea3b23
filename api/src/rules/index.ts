/** Public face of the rules engine: rule sets as data, applied per control tick, dry run over history. See README.md. */
export {
  RuleSchema,
  RuleSetSchema,
  WindowSchema,
  parseRuleSet,
  RuleSetError,
  type Rule,
  type RuleSet,
  type RuleSetInput,
} from './schema.js';
export { applyRules, type BatteryLimits, type Intent, type RuleChange, type TickResult, type TickState } from './engine.js';
export { dryRun, type DryRun, type History, type RuleEffect } from './dry-run.js';
export { gridFriendly, selfConsumptionRules } from './builtin.js';
export {
  RuleSetStore,
  RuleRequestError,
  resolveRuleSet,
  BUILTIN_NAMES,
  type BuiltinName,
  type RuleSetRequest,
  type StoredRuleSet,
  type RuleIssue,
} from './store.js';
export { aggregateBattery, dryRunOverHistory, type HistoryDryRun } from './history-run.js';
