// README's table of server families against the scripted profiles the tests run: every row names profiles that exist,
// every profile has a row, and what a row says a family does is what its profiles do (n, reasoning, the token
// parameter, stream usage, the parameters it refuses).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest } from '../../../fakes/openai-server';
import { PROFILES, type ServerProfile } from '../../../fakes/server-profiles';

const README = path.resolve(__dirname, '../../../../README.md');

interface Row {
  family: string;
  profiles: string[];
  does: string;
}

/** The rows of the table whose header starts `| family | scripted profile |`. */
function familyRows(readme: string): Row[] {
  const lines = readme.split('\n');
  const head = lines.findIndex((l) => /^\|\s*family\s*\|\s*scripted profile\s*\|/.test(l));
  assert.ok(head >= 0, "README has no table headed '| family | scripted profile |'");
  const columns = cells(lines[head]);
  const does = columns.indexOf('what it does');
  assert.ok(does > 0, "the table has a 'what it does' column");
  const rows: Row[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) {
      break;
    }
    const c = cells(line);
    rows.push({ family: c[0], profiles: [...c[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]), does: c[does] });
  }
  return rows;
}

function cells(line: string): string[] {
  // Cells split on pipes that are not escaped (`\|`).
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

const probe = (patch: Partial<RecordedRequest>): RecordedRequest => ({ n: 1, body: {}, ...patch }) as RecordedRequest;
const refuses = (p: ServerProfile, req: RecordedRequest) => Boolean(p.refuse?.(req));

function nMode(p: ServerProfile): string {
  return refuses(p, probe({ n: 3, body: { n: 3 } })) ? 'rejected' : p.n;
}

/** What a row says, as the profile fields it stands for. */
function claims(does: string) {
  const n = new Set<string>();
  if (/honours `n`/.test(does)) n.add('honoured');
  if (/ignores `n`/.test(does)) n.add('ignored');
  if (/refuses `n > 1`/.test(does)) n.add('rejected');
  const reasoning = new Set<string>();
  if (/no reasoning/.test(does)) reasoning.add('none');
  if (/reasons hidden/.test(does)) reasoning.add('hidden');
  if (/reasoning in `reasoning`/.test(does)) reasoning.add('reasoning');
  if (/`reasoning_content`/.test(does)) reasoning.add('reasoning_content');
  if (/`<think>` inline/.test(does)) reasoning.add('think_tags');
  if (/only the closing `<\/think>`/.test(does)) reasoning.add('think_unopened');
  const clauses = does.split(';').map((c) => c.trim());
  const refusal = (re: RegExp) => clauses.some((c) => /^refuses/.test(c) && re.test(c));
  return {
    n,
    reasoning,
    reads: /reads only `max_tokens`/.test(does)
      ? ['max_tokens']
      : refusal(/`max_tokens`/)
        ? ['max_completion_tokens']
        : ['max_tokens', 'max_completion_tokens'],
    streamUsage: /`x_groq\.usage`/.test(does)
      ? 'x_groq'
      : /stream usage on the last chunk/.test(does)
        ? 'final_chunk'
        : /no usage in streams/.test(does)
          ? 'never'
          : 'include_usage',
    refuses: {
      max_tokens: refusal(/`max_tokens`/),
      temperature: refusal(/temperature/),
      stream_options: refusal(/`stream_options`/),
      json_object: refusal(/`response_format: json_object`/),
    },
  };
}

/** What a profile refuses, asked the way the engine would send it. */
function refusals(p: ServerProfile) {
  return {
    max_tokens: refuses(p, probe({ body: { max_tokens: 256 } })),
    temperature: refuses(p, probe({ body: { temperature: 0 } })),
    stream_options: refuses(p, probe({ stream: true, body: { stream: true, stream_options: { include_usage: true } } })),
    json_object: refuses(p, probe({ body: { response_format: { type: 'json_object' } }, responseFormat: { type: 'json_object' } })),
  };
}

describe("README's table of server families", () => {
  const rows = familyRows(fs.readFileSync(README, 'utf8'));
  const byName = new Map(PROFILES.map((p) => [p.name, p]));

  it('names each scripted profile in exactly one row, and only profiles that exist', () => {
    const named = rows.flatMap((r) => r.profiles);
    assert.deepEqual(
      named.filter((n) => !byName.has(n)),
      [],
      'rows name profiles that test/fakes/server-profiles does not have',
    );
    assert.deepEqual(
      PROFILES.map((p) => p.name).filter((n) => !named.includes(n)),
      [],
      'profiles the table does not mention',
    );
    assert.equal(new Set(named).size, named.length, 'a profile named in two rows');
    assert.ok(rows.every((r) => r.profiles.length > 0));
  });

  for (const row of rows) {
    it(`${row.family}: says what its profiles do`, () => {
      const said = claims(row.does);
      const profiles = row.profiles.map((n) => byName.get(n)!).filter(Boolean);
      assert.deepEqual([...said.n].sort(), [...new Set(profiles.map(nMode))].sort(), 'n');
      assert.deepEqual([...said.reasoning].sort(), [...new Set(profiles.map((p) => p.reasoning))].sort(), 'where reasoning comes back');
      for (const p of profiles) {
        assert.deepEqual([...p.reads].sort(), [...said.reads].sort(), `${p.name}: the token parameters it reads`);
        assert.equal(p.streamUsage, said.streamUsage, `${p.name}: stream usage`);
        assert.deepEqual(refusals(p), said.refuses, `${p.name}: the parameters it refuses`);
      }
    });
  }
});
