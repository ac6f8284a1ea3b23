/** Site profiles: the demo year (real measured load, modelled PV; demo/musterwerk-2023.csv) or a constant (tests). */
import { powersAt, type DemoYear } from '../demo/replay.js';
import type { SiteProfile } from './site.js';

/** Load and available PV at any time, from the demo year (same weekday mapping and interpolation as the replay). */
export function demoProfile(demo: DemoYear): SiteProfile {
  return (tsMs) => {
    const p = powersAt(demo, tsMs);
    return { loadW: p.loadW, pvAvailableW: p.pvW };
  };
}

export function constantProfile(loadW: number, pvAvailableW: number): SiteProfile {
  return () => ({ loadW, pvAvailableW });
}

/** A small seeded pseudo-random generator (mulberry32), uniform in [0, 1): tests and demo setpoints repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
