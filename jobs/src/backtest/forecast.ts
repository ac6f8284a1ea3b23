/**
 * `npm run backtest:forecast` — rolling-origin day-ahead backtest of the forecast models.
 *
 * Prints `BENCH forecast.<site>.<target>.<model>.<metric> <value> <unit>` on stdout, progress on
 * stderr. Default: the reference site (load, PV, prices), the VDI 4657 profiles, the Cambridge
 * buildings (with Bedford temperature) and Ausgrid PV. Options:
 *   --sites musterwerk,vdi,ucam,ausgrid,price   which built-in sets (default all)
 *   --load FILE[:COLUMN] [--weather FILE] [--tz Europe/Berlin] [--state HE]   any other load site
 *   --pv FILE[:COLUMN] --lat --lon [--tilt 30] [--azimuth 180] --kwp [--weather FILE]   any PV site
 *   --augurs-every N    run Prophet/MSTL on every N-th origin only (default 7; 0 = off)
 * See docs/forecasts.md for the method and the table of results.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isGermanState } from '../../../api/src/calendar/index.js';
import {
  clearSkyPv,
  kcBlendPv,
  loadAugurs,
  mstlLoad,
  profileLoad,
  profilePrice,
  prophetLoad,
  seasonalNaiveLoad,
  smartPersistencePv,
  type Forecaster,
  type LoadInput,
  type ScoreAccumulator,
} from '../../../api/src/forecast/index.js';
import {
  customLoad,
  musterwerkLoad,
  musterwerkPv,
  ausgridPv,
  readSeriesCsv,
  readWeather,
  referencePrices,
  ucamLoad,
  UCAM_BUILDINGS,
  vdiLoad,
  VDI_FILES,
  type LoadSite,
  type PvSite,
} from './forecast.data.js';
import { backtestLoad, backtestPrice, backtestPv, SYNTH_GHI } from './forecast.run.js';

const short = (model: string) => model.replace(/^(load|pv|price)\./, '');

export function scoreLines(prefix: string, s: ScoreAccumulator, unit: string, opts: { skill?: boolean } = {}): string[] {
  const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'NaN');
  const lines = [
    `BENCH ${prefix}.mae ${f(s.mae)} ${unit}`,
    `BENCH ${prefix}.rmse ${f(s.rmse)} ${unit}`,
    `BENCH ${prefix}.mase ${f(s.mase, 3)} ratio`,
    `BENCH ${prefix}.pinball ${f(s.pinball)} ${unit}`,
    `BENCH ${prefix}.coverage_p10_p90 ${f(s.coverage * 100)} %`,
  ];
  if (opts.skill) lines.push(`BENCH ${prefix}.skill ${f(s.skill * 100)} %`);
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sites: { type: 'string', default: 'musterwerk,vdi,ucam,ausgrid,price' },
      load: { type: 'string' },
      pv: { type: 'string' },
      weather: { type: 'string' },
      tz: { type: 'string', default: 'Europe/Berlin' },
      state: { type: 'string' },
      lat: { type: 'string' },
      lon: { type: 'string' },
      tilt: { type: 'string', default: '30' },
      azimuth: { type: 'string', default: '180' },
      kwp: { type: 'string' },
      'augurs-every': { type: 'string', default: '7' },
    },
  });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const augursEvery = Number(values['augurs-every']);
  const sites = new Set(values.load || values.pv ? [] : values.sites.split(','));
  const mods = augursEvery > 0 ? await loadAugurs() : undefined;
  const fast: Forecaster<LoadInput>[] = [seasonalNaiveLoad(), profileLoad()];
  const slow: Forecaster<LoadInput>[] = mods ? [prophetLoad(mods), mstlLoad(mods)] : [];

  const loadSites: LoadSite[] = [];
  const pvSites: PvSite[] = [];
  if (sites.has('musterwerk')) {
    loadSites.push(musterwerkLoad());
    pvSites.push(musterwerkPv());
  }
  if (sites.has('vdi')) for (const name of Object.keys(VDI_FILES)) loadSites.push(vdiLoad(name));
  if (sites.has('ucam')) for (const b of UCAM_BUILDINGS) loadSites.push(ucamLoad(b));
  if (sites.has('ausgrid')) pvSites.push(ausgridPv());
  const lat = values.lat === undefined ? undefined : Number(values.lat);
  const lon = values.lon === undefined ? undefined : Number(values.lon);
  const weather = values.weather ? readWeather(readFileSync(values.weather, 'utf8'), values.weather, lat ?? 0, lon ?? 0) : undefined;
  if (values.load) {
    const [file, column] = values.load.split(':') as [string, string | undefined];
    if (values.state !== undefined && values.state !== 'DE' && !isGermanState(values.state))
      throw new Error(`--state ${values.state}: not a German state code`);
    loadSites.push(
      customLoad(file, {
        ...(column ? { column } : {}),
        timeZone: values.tz,
        ...(values.state ? { state: values.state as 'DE' } : {}),
        ...(weather ? { temperatureC: weather.temperatureC } : {}),
      }),
    );
  }
  if (values.pv) {
    const [file, column] = values.pv.split(':') as [string, string | undefined];
    if (lat === undefined || lon === undefined || values.kwp === undefined) throw new Error('--pv needs --lat, --lon and --kwp');
    const { series } = readSeriesCsv(readFileSync(file, 'utf8'), file, column);
    const first = new Date(series.startMs + 35 * 86_400_000).toISOString().slice(0, 10);
    const last = new Date(series.startMs + (series.values.length - 96) * series.stepMs).toISOString().slice(0, 10);
    pvSites.push({
      name: basename(file)
        .replace(/\.[^.]+$/, '')
        .replace(/[^A-Za-z0-9_]+/g, '_'),
      history: series,
      system: {
        latitudeDeg: lat,
        longitudeDeg: lon,
        tiltDeg: Number(values.tilt),
        azimuthDeg: Number(values.azimuth),
        peakPowerW: Number(values.kwp) * 1000,
      },
      timeZone: values.tz,
      ...(weather ? { weather: weather.records } : {}),
      evalFrom: first,
      evalTo: last,
      note: file,
    });
  }

  const t0 = performance.now();
  for (const site of loadSites) {
    log(`# ${site.name}: ${site.note}; target days ${site.evalFrom} … ${site.evalTo}`);
    const run = backtestLoad(site, fast, slow, augursEvery, log);
    out(`BENCH forecast.${site.name}.load.origins ${run.origins} days`);
    for (const [model, s] of run.scores) {
      if (s.n === 0) continue;
      for (const line of scoreLines(`forecast.${site.name}.load.${short(model)}`, s, 'W')) out(line);
      log(`  ${model}: ${run.seconds.get(model)!.toFixed(1)} s, skipped ${run.skipped.get(model)} origins`);
      if (run.skipped.get(model)! > 0)
        out(`BENCH forecast.${site.name}.load.${short(model)}.skipped_origins ${run.skipped.get(model)} days`);
    }
    if (slow.length > 0) {
      out(`BENCH forecast.${site.name}.load.augurs_origins ${run.subsetOrigins} days`);
      for (const [model, s] of run.subsetScores)
        if (s.n > 0) out(`BENCH forecast.${site.name}.load.${short(model)}.mae_augurs_origins ${s.mae.toFixed(1)} W`);
    }
  }
  for (const site of pvSites) {
    log(`# ${site.name} PV: ${site.note}; target days ${site.evalFrom} … ${site.evalTo}`);
    const models = site.weather ? [clearSkyPv(), kcBlendPv()] : [kcBlendPv()];
    const run = backtestPv(site, models, smartPersistencePv(), log);
    out(`BENCH forecast.${site.name}.pv.origins ${run.origins} days`);
    for (const [model, s] of run.scores)
      for (const line of scoreLines(`forecast.${site.name}.pv.${short(model)}`, s, 'W', { skill: true })) out(line);
    if (site.weather) {
      out(`BENCH forecast.${site.name}.weather.synthetic_ghi_forecast.nrmse ${(run.ghiNrmse * 100).toFixed(1)} %`);
      out(`BENCH forecast.${site.name}.weather.synthetic_ghi_forecast.nmae ${(run.ghiNmae * 100).toFixed(1)} %`);
      log(`  synthetic GHI forecast: kc error σ_day ${SYNTH_GHI.sigmaDay}, σ_hour ${SYNTH_GHI.sigmaHour}, ρ ${SYNTH_GHI.rho}`);
    }
  }
  if (sites.has('price')) {
    log('# prices DE-LU 2023-01-06 … 2024-08-20: forecast of day D issued 12:00 on D−1 before the auction result');
    const run = backtestPrice(referencePrices(), profilePrice(), '2023-02-15', '2024-08-19', log);
    out(`BENCH forecast.de_lu.price.origins ${run.origins} days`);
    for (const [model, s] of run.scores) for (const line of scoreLines(`forecast.de_lu.price.${short(model)}`, s, 'EUR/MWh')) out(line);
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`backtest:forecast failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
