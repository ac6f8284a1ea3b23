export { loadConfig } from './load.js';
export { ConfigError, ENV_VARS, parseConfig, redactUrl, type Config, type ConfigIssue, type EnvVarName, type RawConfig } from './schema.js';
