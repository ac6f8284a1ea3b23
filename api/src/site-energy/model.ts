/**
 * STABLE CONTRACT (planning, control, recommendations and the dashboard build on it; change
 * additively only): what a site's energy system is — grid connection, tariff, PV, batteries and
 * flexible loads — and which device setpoint and which series stand for each asset.
 *
 * Powers in W (15-minute averages where planned), energies in Wh, SoC in % of the usable capacity.
 * Sign conventions: grid power + import / − export; battery power + discharge / − charge.
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _ (max 63)');
const seriesKey = z.string().min(1).max(200);
const watts = z.number().finite().nonnegative();

export const batteryAssetSchema = z
  .object({
    id,
    /** device (api/src/devices) that takes the setpoint */
    deviceId: id,
    /** its setpoint: battery AC power, W, + discharge / − charge */
    setpoint: z.string().default('power'),
    /** series keys of measured power (W, + discharge) and SoC (%) */
    powerSeries: seriesKey,
    socSeries: seriesKey,
    capacityWh: z.number().finite().positive(),
    maxChargeW: watts,
    maxDischargeW: watts,
    chargeEfficiency: z.number().gt(0).lte(1),
    dischargeEfficiency: z.number().gt(0).lte(1),
    socMinPct: z.number().min(0).max(100),
    socMaxPct: z.number().min(0).max(100),
    wearCostEurPerKWh: z.number().finite().nonnegative().default(0),
    /** largest setpoint change per second, W/s; omitted = no ramp limit */
    maxRampWPerS: z.number().finite().positive().optional(),
    /** revert timeout written with every setpoint, s: the device falls back to its own behaviour after it */
    revertTimeoutS: z.number().int().min(5).max(3600).default(60),
    /** charging counts as a §14a EnWG controllable consumption device */
    section14a: z.boolean().default(false),
  })
  .refine((b) => b.socMinPct <= b.socMaxPct, { message: 'socMinPct must not exceed socMaxPct', path: ['socMinPct'] });

export const pvAssetSchema = z.object({
  id,
  ratedW: z.number().finite().positive(),
  /** series key of measured PV AC power, W */
  powerSeries: seriesKey,
  /** device and setpoint for curtailment (active power limit, % of rating); omitted = not curtailable */
  deviceId: id.optional(),
  limitSetpoint: z.string().default('limit'),
  revertTimeoutS: z.number().int().min(5).max(3600).default(60),
});

export const flexibleLoadAssetSchema = z.object({
  id,
  kind: z.enum(['ev-charger', 'heat-pump', 'process', 'generic']).default('generic'),
  deviceId: id,
  /** its setpoint: consumption power, W (≥ 0) */
  setpoint: z.string().default('power'),
  powerSeries: seriesKey.optional(),
  maxPowerW: watts,
  minPowerW: watts.default(0),
  revertTimeoutS: z.number().int().min(5).max(3600).default(60),
  section14a: z.boolean().default(false),
});

export const siteEnergySchema = z.object({
  /** tariff id: tariffs/<id>.json */
  tariffId: z.string().min(1),
  /** day-ahead bidding zone of the site's prices (api/src/markets) */
  priceZone: z.string().default('DE-LU'),
  grid: z.object({
    importLimitW: watts,
    exportLimitW: watts,
    /** series key of the grid meter, W, + import / − export */
    powerSeries: seriesKey,
  }),
  /** series key of the site's total consumption, W */
  loadSeries: seriesKey,
  pv: z.array(pvAssetSchema).default([]),
  batteries: z.array(batteryAssetSchema).default([]),
  flexibleLoads: z.array(flexibleLoadAssetSchema).default([]),
  /** a billing-period peak target, W, e.g. taken from last year's bill: import up to it costs nothing extra in every plan */
  peakTargetW: watts.optional(),
  /** no feed-in at negative spot prices (§51 EEG) */
  noExportAtNegativePrice: z.boolean().default(false),
  control: z
    .object({
      /** agent tick, ms */
      tickMs: z.number().int().min(200).max(60_000).default(5_000),
      /** a measurement older than this stops automatic control of the asset, ms */
      staleAfterMs: z.number().int().min(1_000).max(600_000).default(30_000),
    })
    .default({ tickMs: 5_000, staleAfterMs: 30_000 }),
});

export type BatteryAsset = z.infer<typeof batteryAssetSchema>;
export type PvAsset = z.infer<typeof pvAssetSchema>;
export type FlexibleLoadAsset = z.infer<typeof flexibleLoadAssetSchema>;
export type SiteEnergy = z.infer<typeof siteEnergySchema>;

/** Validates a site energy configuration; every problem names its field. */
export function parseSiteEnergy(input: unknown): { ok: true; value: SiteEnergy } | { ok: false; errors: string[] } {
  const r = siteEnergySchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

/**
 * The demo site (Musterwerk, ../shared/guide/reference-site.md) as the simulator runs it: the
 * battery and PV inverters are the demo's SunSpec devices `battery` and `pv`.
 */
export const DEMO_SITE_ENERGY: SiteEnergy = siteEnergySchema.parse({
  tariffId: 'musterwerk-2023',
  grid: { importLimitW: 1_000_000, exportLimitW: 700_000, powerSeries: 'grid/power' },
  loadSeries: 'load/power',
  pv: [{ id: 'pv', ratedW: 750_000, powerSeries: 'pv/power', deviceId: 'pv', limitSetpoint: 'limit' }],
  batteries: [
    {
      id: 'battery',
      deviceId: 'battery',
      setpoint: 'power',
      powerSeries: 'battery/power',
      socSeries: 'battery/soc',
      capacityWh: 1_000_000,
      maxChargeW: 500_000,
      maxDischargeW: 500_000,
      chargeEfficiency: 0.94,
      dischargeEfficiency: 0.94,
      socMinPct: 5,
      socMaxPct: 95,
      wearCostEurPerKWh: 0.02,
      revertTimeoutS: 60,
    },
  ],
});
