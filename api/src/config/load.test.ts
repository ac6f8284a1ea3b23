import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/services.js';
import { loadConfig } from './load.js';
import { ConfigError } from './schema.js';

describe('loading configuration from environment and file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('reads the optional JSON file and lets the environment win', () => {
    const file = join(tmp.dir, 'luna.json');
    writeFileSync(file, JSON.stringify({ LUNA_PORT: 9000, LUNA_LOG_LEVEL: 'debug' }));
    const c = loadConfig({ LUNA_CONFIG_FILE: file, LUNA_PORT: '9100' });
    expect(c.http.port).toBe(9100);
    expect(c.logLevel).toBe('debug');
  });

  it('treats an empty environment variable as unset, keeping the file value', () => {
    const file = join(tmp.dir, 'luna2.json');
    writeFileSync(file, JSON.stringify({ LUNA_PORT: '9200' }));
    expect(loadConfig({ LUNA_CONFIG_FILE: file, LUNA_PORT: '' }).http.port).toBe(9200);
  });

  it('names the file and the unknown key', () => {
    const file = join(tmp.dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ LUNA_PROT: 9000 }));
    expect(() => loadConfig({ LUNA_CONFIG_FILE: file })).toThrow(/LUNA_CONFIG_FILE .*typo\.json has an unknown setting "LUNA_PROT"/);
  });

  it('says when the file is not JSON or missing', () => {
    const file = join(tmp.dir, 'broken.json');
    writeFileSync(file, '{ LUNA_PORT: 9000');
    expect(() => loadConfig({ LUNA_CONFIG_FILE: file })).toThrow(ConfigError);
    expect(() => loadConfig({ LUNA_CONFIG_FILE: file })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ LUNA_CONFIG_FILE: join(tmp.dir, 'nope.json') })).toThrow(/cannot be read/);
  });

  it('ignores unrelated environment variables', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' }).http.port).toBe(8080);
  });
});
