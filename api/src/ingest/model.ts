/**
 * The ingest layer's vocabulary, shared by every source (REST, CSV, MQTT, devices) and the writer.
 * Canonical units: power W, energy Wh, state of charge %, temperature °C, irradiance W/m²,
 * voltage V, current A, frequency Hz, price EUR/MWh. Time is UTC epoch milliseconds in the core.
 */

export const QUANTITIES = {
  active_power: 'W',
  reactive_power: 'var',
  energy_import: 'Wh',
  energy_export: 'Wh',
  energy: 'Wh',
  state_of_charge: '%',
  temperature: '°C',
  irradiance: 'W/m²',
  voltage: 'V',
  current: 'A',
  frequency: 'Hz',
  price: 'EUR/MWh',
} as const;
export type Quantity = keyof typeof QUANTITIES;
export type CanonicalUnit = (typeof QUANTITIES)[Quantity];

/**
 * instantaneous: a sample of a level (power, SoC, temperature) at ts;
 * cumulative: a meter register that only grows (energy counter), value at ts;
 * interval: energy over the interval that STARTS at ts (stored convention; importers convert files
 *   whose timestamps mark the interval end, as many German Lastgang exports do).
 */
export const SEMANTICS = ['instantaneous', 'cumulative', 'interval'] as const;
export type Semantics = (typeof SEMANTICS)[number];

export const QUALITIES = ['measured', 'estimated', 'substituted', 'invalid'] as const;
export type Quality = (typeof QUALITIES)[number];

/** One normalised reading, ready for the writer: canonical unit, UTC. */
export interface Reading {
  seriesId: number;
  tsMs: number;
  value: number;
  quality: Quality;
}

/** Why a piece of input was refused: where (line, field) and what is wrong, in words a person can act on. */
export interface Rejection {
  /** 1-based line of a file, or 0-based index in a JSON batch, or undefined for a whole message */
  line?: number;
  index?: number;
  field?: string;
  reason: string;
  /** the raw input, cut to 500 characters, kept in quarantine */
  raw?: string;
}

export interface IngestOutcome {
  accepted: number;
  duplicate: number;
  rejected: Rejection[];
}
