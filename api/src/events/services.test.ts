import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/schema.js';

describe('price, weather, forecast and anomaly configuration', () => {
  it('the embedded default fetches nothing from the network: price and weather source none', () => {
    const c = parseConfig({});
    expect(c.markets).toEqual({ source: 'none', area: 'DE-LU', awattarUrl: 'https://api.awattar.de' });
    expect(c.weather).toEqual({ source: 'none' });
    expect(c.intelligence).toEqual({ forecasts: true, anomalyScan: true });
  });

  it('entsoe needs its token; the URL can point at another server', () => {
    expect(() => parseConfig({ LUNA_PRICE_SOURCE: 'entsoe' })).toThrow(/LUNA_ENTSOE_TOKEN is required when LUNA_PRICE_SOURCE=entsoe/);
    const c = parseConfig({
      LUNA_PRICE_SOURCE: 'entsoe',
      LUNA_ENTSOE_TOKEN: 'abc',
      LUNA_ENTSOE_URL: 'http://127.0.0.1:9000/api',
      LUNA_PRICE_AREA: 'AT',
    });
    expect(c.markets).toMatchObject({ source: 'entsoe', area: 'AT', entsoe: { token: 'abc', url: 'http://127.0.0.1:9000/api' } });
  });

  it('bad values are named with what is allowed', () => {
    try {
      parseConfig({ LUNA_PRICE_SOURCE: 'smard', LUNA_PRICE_AREA: 'germany', LUNA_WEATHER_SOURCE: 'dwd', LUNA_FORECASTS: 'yes' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable)).toEqual([
        'LUNA_PRICE_SOURCE',
        'LUNA_PRICE_AREA',
        'LUNA_WEATHER_SOURCE',
        'LUNA_FORECASTS',
      ]);
    }
  });

  it('csv needs its file; openmeteo takes its two URLs', () => {
    expect(() => parseConfig({ LUNA_PRICE_SOURCE: 'csv' })).toThrow(/LUNA_PRICE_CSV is required/);
    expect(parseConfig({ LUNA_WEATHER_SOURCE: 'openmeteo', LUNA_OPENMETEO_URL: 'http://127.0.0.1:8081' }).weather).toEqual({
      source: 'openmeteo',
      forecastUrl: 'http://127.0.0.1:8081',
      archiveUrl: 'https://archive-api.open-meteo.com',
    });
  });
});
