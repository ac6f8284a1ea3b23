/** Anomaly detection for ingested series (pure), and the scan service that turns findings into events: the public face of this folder. */
export { detectAnomalies, mergeFindings, DEFAULT_DETECT_OPTIONS } from './detect.js';
export type { DetectOptions, Finding, FindingKind, Point, Severity } from './detect.js';
export { injectFaults, mulberry32, FAULT_KINDS, DEFAULT_INJECT_OPTIONS } from './inject.js';
export type { FaultKind, InjectedFault, InjectOptions } from './inject.js';
export { localClock, type LocalClock, type LocalTime } from './localtime.js';
export { buildBaseline, type Baseline, type BaselineOptions } from './baseline.js';
export {
  scanOnce,
  startAnomalyScanner,
  optionsForSeries,
  findingToEvent,
  type AnomalyScanner,
  type ScanReport,
  type ScanOptions,
} from './scan.js';
