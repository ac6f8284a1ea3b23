/**
 * Cumulative meter registers (Zählerstände) → interval energy and average power, with rollover,
 * meter reset, gap, ordering and duplicate handling. Part of the contract in ./normalise.ts.
 */
import { QUALITIES, type Quality } from './model.js';
import type { Interval, RegisterEvent, RegisterOptions, RegisterSample } from './normalise.js';

const HOUR_MS = 3_600_000;
const DEFAULT_MAX_GAP_MS = HOUR_MS;

/** Worse of two quality flags: invalid > substituted > estimated > measured. */
export function worseQuality(a: Quality, b: Quality): Quality {
  return QUALITIES.indexOf(a) >= QUALITIES.indexOf(b) ? a : b;
}

const iso = (tsMs: number): string => new Date(tsMs).toISOString();
/** Wh → '45123.456 kWh' (at most three decimals, no float noise) */
const kWh = (energyWh: number): string => `${Number((energyWh / 1000).toFixed(3))} kWh`;

interface Ordered {
  samples: Array<Required<RegisterSample>>;
  events: RegisterEvent[];
}

/** sorted by time (stable), one sample per timestamp (the first in input order), events for what was done */
function orderAndDeduplicate(input: readonly RegisterSample[]): Ordered {
  const events: RegisterEvent[] = [];
  let latestMs = -Infinity;
  for (const s of input) {
    if (s.tsMs < latestMs) {
      events.push({
        kind: 'out_of_order',
        tsMs: s.tsMs,
        detail: `sample at ${iso(s.tsMs)} came after ${iso(latestMs)} in the input; sorted`,
      });
    }
    latestMs = Math.max(latestMs, s.tsMs);
  }
  const sorted = input.map((s) => ({ tsMs: s.tsMs, valueWh: s.valueWh, quality: s.quality ?? 'measured' })).sort((a, b) => a.tsMs - b.tsMs);
  const samples: Array<Required<RegisterSample>> = [];
  for (const s of sorted) {
    const kept = samples.at(-1);
    if (kept?.tsMs !== s.tsMs) {
      samples.push(s);
    } else if (kept.valueWh === s.valueWh) {
      events.push({ kind: 'duplicate', tsMs: s.tsMs, detail: `repeated reading ${kWh(s.valueWh)} at ${iso(s.tsMs)} dropped` });
    } else {
      const detail = `two readings at ${iso(s.tsMs)}: kept ${kWh(kept.valueWh)} (first), dropped ${kWh(s.valueWh)}`;
      events.push({ kind: 'duplicate', tsMs: s.tsMs, detail });
    }
  }
  return { samples, events };
}

/**
 * Cumulative register readings (any order; sorted and de-duplicated here) to interval energy and
 * average power between consecutive samples. A drop is a rollover when rolloverWh is set and the
 * wrapped energy (rolloverWh − prev + cur) is below half the register range — otherwise a meter
 * reset (meter replaced or cleared): that interval is not computed and the event is reported with
 * both readings in kWh. A gap longer than maxGapMs (default 1 h) still gives an interval, at least
 * 'estimated', plus a 'gap' event. Intervals inherit the worse quality of their two ends. Repeated
 * timestamps keep the first reading ('duplicate' event); input out of time order is sorted
 * ('out_of_order' event per late sample). Events are ordered by time.
 */
export function registersToIntervals(
  samples: readonly RegisterSample[],
  options: RegisterOptions = {},
): { intervals: Interval[]; events: RegisterEvent[] } {
  const maxGapMs = options.maxGapMs ?? DEFAULT_MAX_GAP_MS;
  const { rolloverWh } = options;
  const ordered = orderAndDeduplicate(samples);
  const events = ordered.events;
  const intervals: Interval[] = [];

  for (let i = 1; i < ordered.samples.length; i++) {
    const prev = ordered.samples[i - 1];
    const cur = ordered.samples[i];
    if (!prev || !cur) continue;
    const durationMs = cur.tsMs - prev.tsMs;
    let quality = worseQuality(prev.quality, cur.quality);
    if (durationMs > maxGapMs) {
      const detail = `no reading for ${durationMs / 60_000} min between ${iso(prev.tsMs)} and ${iso(cur.tsMs)} (limit ${maxGapMs / 60_000} min)`;
      events.push({ kind: 'gap', tsMs: cur.tsMs, detail });
      quality = worseQuality(quality, 'estimated');
    }

    let energyWh = cur.valueWh - prev.valueWh;
    if (energyWh < 0) {
      const wrappedWh = rolloverWh === undefined ? undefined : rolloverWh - prev.valueWh + cur.valueWh;
      if (rolloverWh !== undefined && wrappedWh !== undefined && wrappedWh >= 0 && wrappedWh < rolloverWh / 2) {
        const detail = `register wrapped at ${kWh(rolloverWh)}: ${kWh(prev.valueWh)} → ${kWh(cur.valueWh)}, ${kWh(wrappedWh)} counted`;
        events.push({ kind: 'rollover', tsMs: cur.tsMs, detail });
        energyWh = wrappedWh;
      } else {
        const detail = `register fell from ${kWh(prev.valueWh)} to ${kWh(cur.valueWh)} at ${iso(cur.tsMs)} (meter replaced or reset); interval ${iso(prev.tsMs)}–${iso(cur.tsMs)} not computed`;
        events.push({ kind: 'reset', tsMs: cur.tsMs, detail });
        continue;
      }
    }
    intervals.push({ startMs: prev.tsMs, endMs: cur.tsMs, energyWh, avgPowerW: energyWh / (durationMs / HOUR_MS), quality });
  }

  events.sort((a, b) => a.tsMs - b.tsMs);
  return { intervals, events };
}
