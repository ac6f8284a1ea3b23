/**
 * Turns the BENCH lines of `npm run backtest:forecast` (stdin) into the Markdown table of
 * docs/forecasts.md: `npm run backtest:forecast | tsx jobs/src/backtest/forecast.table.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Row {
  site: string;
  target: string;
  model: string;
  m: Map<string, string>;
}

export function benchTable(text: string): string {
  const rows = new Map<string, Row>();
  const extra = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^BENCH forecast\.([^.]+)\.([^.]+)\.(.+)\.([a-z0-9_]+) (\S+) (\S+)$/.exec(line.trim());
    if (!m) {
      const o = /^BENCH forecast\.([^.]+)\.([^.]+)\.(origins|augurs_origins) (\S+) days$/.exec(line.trim());
      if (o) extra.set(`${o[1]}.${o[2]}.${o[3]}`, o[4]!);
      continue;
    }
    const [, site, target, model, metric, value] = m as unknown as [string, string, string, string, string, string];
    const key = `${site}|${target}|${model}`;
    const row = rows.get(key) ?? { site, target, model, m: new Map() };
    row.m.set(metric, value);
    rows.set(key, row);
  }
  const head =
    '| site | target | model | days | MAE | RMSE | MASE | pinball | p10–p90 cover | skill | MAE on augurs days |\n' +
    '| --- | --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |';
  const power = (v: string | undefined) => {
    if (v === undefined || v === 'NaN') return '';
    const w = Number(v);
    return Math.abs(w) >= 10_000 ? `${(w / 1000).toFixed(1)} kW` : `${w.toFixed(1)} W`;
  };
  const body = [...rows.values()]
    .filter((r) => r.target !== 'weather')
    .map((r) => {
      const unit = r.target === 'price' ? 'EUR/MWh' : 'W';
      const money = (v: string | undefined) => (unit === 'W' ? power(v) : v === undefined ? '' : `${v} €/MWh`);
      const subset = /^(prophet|mstl)$/.test(r.model);
      const days = extra.get(`${r.site}.${r.target}.${subset ? 'augurs_origins' : 'origins'}`) ?? '';
      return `| ${r.site} | ${r.target} | ${r.model} | ${days} | ${money(r.m.get('mae'))} | ${money(r.m.get('rmse'))} | ${r.m.get('mase') ?? ''} | ${money(r.m.get('pinball'))} | ${r.m.get('coverage_p10_p90') ?? ''} % | ${r.m.get('skill') !== undefined ? `${r.m.get('skill')} %` : ''} | ${r.m.has('mae_augurs_origins') ? `${money(r.m.get('mae_augurs_origins'))} (${extra.get(`${r.site}.${r.target}.augurs_origins`) ?? '?'} d)` : ''} |`;
    });
  return [head, ...body].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${benchTable(readFileSync(0, 'utf8'))}\n`);
}
