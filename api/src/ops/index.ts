export {
  checkAll,
  httpProbe,
  tcpProbe,
  withTimeout,
  type CheckResult,
  type Dependency,
  type DependencyState,
  type ReadyCheck,
} from './dependency.js';
export { createLogger, type Logger } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
export { registerOpsRoutes } from './routes.js';
