// A whole engine run against every server family the scripted server plays, as the CLI runs it (whole replies) and
// as the editor runs it (solver answers streamed): each produces its item, with answers free of reasoning.
import assert from 'node:assert/strict';
import { splitSections } from '../../../../src/core/chunks';
import { EndpointProfiles } from '../../../../src/core/endpoints/profiles';
import { Orchestrator } from '../../../../src/core/orchestrator';
import type { Role } from '../../../../src/shared/schemas';
import type { DeltaEvent, EngineEvent, EventOf } from '../../../../src/shared/events';
import { startScriptedServer, type ScriptedServer } from '../../../fakes/openai-server';
import { scriptedConfig, scriptedModels } from '../../../fakes/scripted-config';
import { MODELS, scriptRoles } from '../../../fakes/scripted-roles';
import { PROFILES } from '../../../fakes/server-profiles';

const DOC = `# Speculative decoding\n\nA small draft model proposes tokens that the large model verifies in one pass, so latency drops when most proposals are accepted. ${'The acceptance rate depends on how well the draft matches. '.repeat(6)}\n`;
const GOOD = { weak: [0.3, 0.4, 0.5], strong: [0.8, 0.8, 0.9] };
const REASONING = /Let me think|<\/?think>|"draft"/;

describe('engine runs per server family', function () {
  this.timeout(30_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  for (const profile of PROFILES) {
    for (const path of ['whole replies (CLI)', 'streamed answers (editor)'] as const) {
      it(`${profile.name}: ${path}`, async () => {
        const script = scriptRoles([GOOD]);
        const server = await startScriptedServer({ respond: script.respond, models: Object.values(MODELS), profile });
        servers.push(server);
        const config = scriptedConfig(server.baseURL, { maxIterations: 2 });
        for (const role of Object.keys(config.roles) as Role[]) {
          config.roles[role].maxTokens = 2048;
        }
        const events: EngineEvent[] = [];
        const deltas: DeltaEvent[] = [];
        const orch = new Orchestrator({
          runId: `run-${profile.name}`,
          document: { path: 'paper.md', text: DOC },
          targets: splitSections(DOC),
          config,
          models: scriptedModels(config, { profiles: new EndpointProfiles() }),
          emit: (e) => events.push(e),
          onDelta: path === 'streamed answers (editor)' ? (d) => deltas.push(d) : undefined,
        });
        const summary = await orch.start();
        assert.equal(summary.outcome, 'completed', summary.message);
        assert.equal(summary.accepted.length, 1, JSON.stringify(events.filter((e) => e.type === 'verdict' || e.type === 'error')));
        assert.equal(events.filter((e) => e.type === 'error').length, 0);
        const rollouts = events.filter((e): e is EventOf<'rollouts'> => e.type === 'rollouts').flatMap((e) => e.rollouts);
        assert.equal(rollouts.length, 6);
        for (const r of rollouts) {
          assert.match(r.answer, /^(WEAK|STRONG)#\d answer to Q1[:.]/);
        }
        if (path === 'streamed answers (editor)') {
          assert.ok(deltas.length > 0, 'answers were streamed');
          // The first reply of a template that opens the thinking block itself streams before the block is recognised.
          if (profile.reasoning !== 'think_unopened') {
            assert.ok(deltas.every((d) => !REASONING.test(d.text)));
          }
        }
        const usage = Object.values(orch.usage.snapshot());
        assert.ok(usage.every((u) => u.calls > 0 && u.completionTokens > 0));
      });
    }
  }
});
