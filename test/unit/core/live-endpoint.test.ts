// Optional: one attempt against a real endpoint, when AUTODATA_LIVE_BASE_URL and AUTODATA_LIVE_MODEL are set.
import assert from 'node:assert/strict';
import { splitSections } from '../../../src/core/chunks';
import { defaultEngineConfig, defaultEndpoint } from '../../../src/core/config';
import type { EngineEvent } from '../../../src/shared/events';
import { OpenAICompatibleModel } from '../../../src/core/models';
import { Orchestrator } from '../../../src/core/orchestrator';
import { ROLES, type Role } from '../../../src/shared/schemas';

const baseURL = process.env.AUTODATA_LIVE_BASE_URL;
const model = process.env.AUTODATA_LIVE_MODEL;

describe('live endpoint smoke test', function () {
  this.timeout(300_000);
  it('runs one full attempt against the configured endpoint', async function () {
    if (!baseURL || !model) {
      console.log('    (skipped: set AUTODATA_LIVE_BASE_URL and AUTODATA_LIVE_MODEL to run it against a real endpoint)');
      this.skip();
    }
    const cfg = defaultEngineConfig();
    for (const r of ROLES) {
      cfg.roles[r] = defaultEndpoint({ ...cfg.roles[r], baseURL: baseURL!, model: model! });
    }
    cfg.maxIterations = 1;
    const models = Object.fromEntries(
      ROLES.map((r) => [r, new OpenAICompatibleModel(cfg.roles[r], { apiKey: process.env.AUTODATA_LIVE_API_KEY ?? '' })]),
    ) as Record<Role, OpenAICompatibleModel>;
    const text =
      '# Photosynthesis\n\nPlants convert light energy into chemical energy. The light reactions split water and make ATP and NADPH; the Calvin cycle uses them to fix carbon dioxide into sugars. When stomata close in hot weather, carbon dioxide falls inside the leaf and photorespiration wastes energy, which C4 plants avoid by concentrating carbon dioxide in bundle-sheath cells.\n';
    const events: EngineEvent[] = [];
    const s = await new Orchestrator({
      runId: 'live',
      document: { path: 'live.md', text },
      targets: splitSections(text, { maxChars: 12000, minChars: 10 }),
      config: cfg,
      models,
      emit: (e) => events.push(e),
    }).start();
    assert.notEqual(s.outcome, 'error', s.message);
    assert.ok(
      events.some((e) => e.type === 'verdict'),
      'the attempt reached a verdict',
    );
  });
});
