/**
 * Forecasts, public face. Pure models behind one interface (`Forecaster<I>`): load, PV, price,
 * each returning a `QuantileForecast` (p10/p50/p90, mean power in W per step or EUR/MWh) on the
 * UTC grid. Scheduling and storage live in `service.ts`/`store.ts` (forecast service).
 * Method notes and the backtest table: docs/forecasts.md.
 *
 * Model factories (names are stable):
 *   load:  seasonalNaiveLoad()  `load.seasonal-naive-weekly`, profileLoad() `load.profile`,
 *          augurs comparison models prophetLoad() `load.prophet`, mstlLoad() `load.mstl` (./load.augurs.ts)
 *   pv:    clearSkyPv() `pv.clearsky-poa`, kcBlendPv() `pv.kc-blend`, smartPersistencePv() `pv.smart-persistence`
 *   price: profilePrice() `price.profile`
 */
export {
  type ForecastTarget,
  type ForecastUnit,
  type QuantileForecast,
  type Quantile,
  type RegularSeries,
  type SiteCalendar,
  type LoadInput,
  type PvSystem,
  type PvInput,
  type PriceInput,
  type Forecaster,
  ForecastInputError,
  QUARTER_HOUR_MS,
  HOUR_MS,
  DAY_MS,
  firstStepAtOrAfter,
  toRates,
  stepStarts,
  sliceForecast,
  seriesAt,
  orderQuantiles,
} from './model.js';
export { ScoreAccumulator, pinball, mae, rmse, quantileSorted } from './metrics.js';
export { utcOffsetMs, localStep, localToUtc, dayClass, type DayClass, type LocalStep } from './calendar.js';
export { seasonalNaiveLoad, weeklyNaiveAt, SEASONAL_NAIVE_WEEKLY } from './load.naive.js';
export { profileLoad, PROFILE_LOAD, type ProfileLoadOptions } from './load.profile.js';
export { loadAugurs, prophetLoad, mstlLoad, PROPHET_LOAD, MSTL_LOAD, type AugursModules, type AugursLoadOptions } from './load.augurs.js';
export {
  clearSkyPv,
  kcBlendPv,
  smartPersistencePv,
  stepPower,
  CLEARSKY_PV,
  KC_BLEND_PV,
  SMART_PERSISTENCE_PV,
  type PvOptions,
} from './pv.js';
export { profilePrice, PROFILE_PRICE } from './price.js';
export {
  solarPosition,
  clearSkyGhiHaurwitz,
  erbsDiffuseFraction,
  poaIrradiance,
  cosIncidence,
  extraterrestrialWPerM2,
  cellTempC,
  type SolarPosition,
  type PlaneGeometry,
} from './solar.js';
