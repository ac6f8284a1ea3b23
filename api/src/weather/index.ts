/** Weather parsers: pure functions from text/JSON to `WeatherSeries` on the UTC time axis. */
export { WeatherParseError, type WeatherFormat, type WeatherLineError } from './errors.js';
export { WEATHER_QUANTITIES, weatherRates, type WeatherQuantity, type WeatherRecord, type WeatherSeries } from './model.js';
export { parseOpenMeteo, type OpenMeteoBlock, type OpenMeteoOptions } from './openmeteo.js';
export { DWD_TRY2010_STATIONS, parseDwdTry, type DwdTryOptions, type DwdTryResult } from './dwd-try.js';
export { parseWeatherCsv, type WeatherCsvOptions, type WeatherCsvResult } from './csv.js';
