/**
 * Readiness of the LLM/embedder server for /ready: Ollama must answer `/api/version` and have the
 * configured models pulled (`/api/tags`); an OpenAI-compatible endpoint must answer `/models`
 * (a model it does not list is reported in the detail, not as down: many proxies list none).
 */
import type { CheckResult } from '../../ops/dependency.js';
import type { Config } from '../../config/index.js';
import { badResponse, requestJson, trimUrl } from './http.js';
import { ollamaVersion } from './ollama.js';
import { openAiModels } from './openai.js';

const sameModel = (listed: string, wanted: string) => listed === wanted || listed === `${wanted}:latest` || `${listed}:latest` === wanted;

export async function checkLlm(config: Exclude<Config['llm'], { adapter: 'none' }>, timeoutMs: number): Promise<CheckResult> {
  const http = { timeoutMs, retries: 0 };
  try {
    if (config.adapter === 'ollama') {
      const version = await ollamaVersion(config.url, http);
      const res = await requestJson({ label: 'Ollama', method: 'GET', url: `${trimUrl(config.url)}/api/tags` }, http);
      const models = (res.body as { models?: Array<{ name?: unknown }> } | undefined)?.models;
      if (!Array.isArray(models)) throw badResponse('Ollama', '/api/tags', 'no models list');
      const names = models.map((m) => String(m?.name ?? ''));
      const missing = [config.embedModel, config.chatModel].filter((w) => !names.some((n) => sameModel(n, w)));
      return missing.length
        ? { state: 'down', detail: `Ollama ${version} lacks ${missing.join(', ')} — run: ollama pull ${missing.join(' && ollama pull ')}` }
        : { state: 'up', detail: `Ollama ${version}, ${config.embedModel} and ${config.chatModel} present` };
    }
    const ids = await openAiModels(config.baseUrl, config.apiKey, http);
    const unlisted = [config.embedModel, config.chatModel].filter((w) => !ids.some((n) => sameModel(n, w)));
    return {
      state: 'up',
      detail: unlisted.length
        ? `${ids.length} model(s) listed, not ${unlisted.join(', ')}`
        : `${config.embedModel} and ${config.chatModel} listed`,
    };
  } catch (err) {
    return { state: 'down', detail: (err as Error).message };
  }
}
