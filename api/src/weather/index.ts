/** Weather: pure parsers from text/JSON to `WeatherSeries` on the UTC time axis; at the edges the Open-Meteo client, storage per site and the fetch scheduler. */
export { WeatherParseError, type WeatherFormat, type WeatherLineError } from './errors.js';
export { WEATHER_QUANTITIES, weatherRates, type WeatherQuantity, type WeatherRecord, type WeatherSeries } from './model.js';
export { parseOpenMeteo, type OpenMeteoBlock, type OpenMeteoOptions } from './openmeteo.js';
export { DWD_TRY2010_STATIONS, parseDwdTry, type DwdTryOptions, type DwdTryResult } from './dwd-try.js';
export { parseWeatherCsv, type WeatherCsvOptions, type WeatherCsvResult } from './csv.js';
export { openMeteoClient, OPEN_METEO_HOURLY, type OpenMeteoClient, type OpenMeteoClientOptions } from './client.js';
export { upsertWeatherHistory, insertWeatherForecast, queryWeatherHistory, latestWeatherForecast } from './store.js';
export { startWeatherService, type WeatherService } from './service.js';
export { registerWeatherRoutes } from './routes.js';
