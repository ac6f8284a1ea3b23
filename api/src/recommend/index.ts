/** Public face of the recommendations: the pure generator, the strategy bandits and their store. See README.md. */
export {
  thompsonBandit,
  linUcbBandit,
  restoreBandit,
  banditScores,
  type Arm,
  type Bandit,
  type ArmScore,
  type BanditState,
} from './bandit.js';
export { STRATEGY_ARMS, CONTEXT_NAMES, CONTEXT_DIMS, strategyContext, type StrategyContextInput } from './strategy.js';
export { recommend, type Recommendation, type RecommendContext, type RecommendResult } from './generate.js';
export { loadSiteHistory, type SiteHistory } from './history.js';
export { BanditStore, POLICIES, type Policy, type PolicyView } from './store.js';
