/** Reads the configuration from the environment and the optional LUNA_CONFIG_FILE (JSON); the environment wins. */
import { readFileSync } from 'node:fs';
import { ConfigError, ENV_VARS, parseConfig, type Config, type EnvVarName, type RawConfig } from './schema.js';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile: RawConfig = {};
  const file = env.LUNA_CONFIG_FILE?.trim();
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const reason = err instanceof SyntaxError ? `is not valid JSON (${err.message})` : `cannot be read (${(err as Error).message})`;
      throw new ConfigError([{ variable: 'LUNA_CONFIG_FILE', message: `${file} ${reason}` }]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError([{ variable: 'LUNA_CONFIG_FILE', message: `${file} must hold a JSON object of settings` }]);
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in ENV_VARS)) {
        throw new ConfigError([
          {
            variable: 'LUNA_CONFIG_FILE',
            message: `${file} has an unknown setting "${key}" (allowed: the variable names in README, e.g. LUNA_PORT)`,
          },
        ]);
      }
      fromFile[key as EnvVarName] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  const merged: RawConfig = { ...fromFile };
  for (const key of Object.keys(ENV_VARS) as EnvVarName[]) {
    const value = env[key];
    // An empty variable counts as unset, so compose files can list every variable without hiding the file's values.
    if (value !== undefined && value.trim() !== '') merged[key] = value;
  }
  return parseConfig(merged);
}
