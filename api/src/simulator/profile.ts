/** Site profiles: the demo year (real measured load, modelled PV; demo/musterwerk-2023.csv) or a constant (tests). */
import { powersAt, type DemoYear } from '../demo/replay.js';
import type { SiteProfile } from './site.js';
import { mulberry32 } from '../random.js';

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

/** Seeded PRNG, uniform in [0, 1): tests and demo setpoints repeat exactly. */
export const seededRandom = mulberry32;
