/**
 * Entry point: `node api/dist/main.js [--open]`. Loads the configuration, starts the service,
 * and stops it cleanly on SIGTERM/SIGINT. Startup failures print one actionable line and exit non-zero.
 */
import { spawn } from 'node:child_process';
import { ConfigError, loadConfig } from './config/index.js';
import { createApp, type App } from './app.js';
import { DatabaseUnavailableError } from './store/index.js';

const EXIT_CONFIG = 78; // EX_CONFIG
const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE

function die(message: string, code: number): never {
  process.stderr.write(`luna-iems: ${message}\n`);
  process.exit(code);
}

function openBrowser(url: string): void {
  if (process.env.CI || !process.stdout.isTTY) return;
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) die(err.message, EXIT_CONFIG);
    throw err;
  }

  let app: App;
  try {
    app = await createApp(config);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) die(err.message, EXIT_UNAVAILABLE);
    die((err as Error).message.split('\n')[0] ?? String(err), 1);
  }

  const shutdown = (signal: string) => {
    app.log.info({ signal }, `received ${signal}, shutting down`);
    const timer = setTimeout(() => {
      app.log.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms (LUNA_SHUTDOWN_TIMEOUT_MS); exiting anyway`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.stop().then(
      () => {
        app.log.info('stopped cleanly');
        process.exit(0);
      },
      (err: Error) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    await app.stop().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    die(
      e.code === 'EADDRINUSE'
        ? `port ${config.http.port} on ${config.http.host} is in use — stop the other process or set LUNA_PORT`
        : `cannot listen on ${config.http.host}:${config.http.port}: ${e.message}`,
      1,
    );
  }
  app.log.info({ url }, `Luna-IEMS ready — dashboard ${url}/ · API docs ${url}/docs`);
  if (process.argv.includes('--open')) openBrowser(url);
}

await main();
