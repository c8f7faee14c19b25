// Plays every Autodata role on the scripted server: a Challenger with a scripted list of questions, solvers whose
// answers name their rollout, and a Judge that marks criteria so each rollout gets the score the script gives it.
import type { RecordedRequest, Responder, ScriptedReply } from './openai-server';
import { jsonReply } from './openai-server';

export const MODELS = { challenger: 'challenger-model', quality: 'quality-model', weak: 'weak-model', strong: 'strong-model', judge: 'judge-model' } as const;

export interface ScriptedQuestion {
  /** Scores (multiples of 1/criteria) the judge gives each weak / strong rollout. */
  weak: number[];
  strong: number[];
  /** Quality check verdict (default pass). */
  quality?: { pass: boolean; reason: string };
  /** Replace the challenger's reply entirely (e.g. malformed JSON) for this question. */
  challengerReply?: ScriptedReply;
  /** Criteria in the rubric (default 10, weight 1 each, all positive). */
  criteria?: number;
  /** A quote to use instead of one copied from the source. */
  quote?: string;
  /** Text of the question after its "Q<n>: " label, and text appended to every solver answer (e.g. hostile markup). */
  questionText?: string;
  answerText?: string;
}

export interface RoleScript {
  respond: Responder;
  /** Challenger prompts seen, in order (system and user messages). */
  challengerPrompts: string[];
  /** Calls per model. */
  calls: Record<string, number>;
}

/** The first sentence of the <source> element in a Challenger prompt: a quote that is verbatim in the section. */
function quoteFrom(prompt: string): string {
  const src = /<source[^>]*>\n([\s\S]*?)\n<\/source>/.exec(prompt)?.[1] ?? '';
  const body = src.split('\n').filter((l) => l.trim() && !l.startsWith('#')).join(' ');
  const sentence = /[^.!?]{20,}[.!?]/.exec(body)?.[0] ?? body.slice(0, 80);
  return sentence.trim();
}

export interface ScriptLatency {
  solverLatencyMs?: number; judgeLatencyMs?: number; challengerLatencyMs?: number; qualityLatencyMs?: number;
  /**
   * A world where learning pays: once the Challenger's prompt holds `keyword` (from a recipe), its questions come from
   * `questions` instead. The recipe learner writes the keyword after it has seen too-easy attempts.
   */
  learnable?: { keyword: string; questions: ScriptedQuestion[] };
}

const WORDS = ('router schedule capacity gradient baseline warm-up expert token sparse dense layer loss batch curve '
  + 'signal noise prior window budget rollout reward policy critic margin sample domain corpus label shift drift '
  + 'variance bias scale depth width head cache memory latency optimiser momentum decay entropy temperature ablation').split(' ');
/** A question whose wording differs from every other id's, so near-duplicate checks see distinct questions. */
function variedQuestion(id: number): string {
  let h = (id * 2654435761) >>> 0;
  const w = () => { h = (h * 1103515245 + 12345) >>> 0; return WORDS[(h >>> 8) % WORDS.length]; };
  return `Scenario ${id}: when the ${w()} ${w()} meets a ${w()} ${w()}, how would ${w()} ${w()} change the ${w()} of the ${w()} ${w()}?`;
}

export function scriptRoles(questions: ScriptedQuestion[], opts: ScriptLatency = {}): RoleScript {
  const challengerPrompts: string[] = [];
  const calls: Record<string, number> = {};
  let asked = 0;
  const issued = new Map<number, ScriptedQuestion>();
  const byId = (text: string) => {
    const m = /Q(\d+)\b/.exec(text);
    if (!m) { return undefined; }
    const id = Number(m[1]);
    return { id, q: issued.get(id) ?? questions[(id - 1) % questions.length] };
  };
  const respond: Responder = (req: RecordedRequest, { choiceIndex }) => {
    const user = req.messages?.filter((m) => m.role === 'user').map((m) => m.content).join('\n') ?? '';
    if (choiceIndex === 0) { calls[req.model ?? ''] = (calls[req.model ?? ''] ?? 0) + 1; }
    switch (req.model) {
      case MODELS.challenger: {
        const system = req.messages?.find((m) => m.role === 'system')?.content ?? '';
        if (system.startsWith('You improve the recipe')) {
          const sawEasy = /verdict="too_easy"/.test(user);
          const keyword = opts.learnable?.keyword ?? 'regime contrast';
          return jsonReply({ recipe: sawEasy ? `- Ask for a ${keyword}: what changes if a key assumption fails.\n- Combine two ideas of the section.` : '- Keep questions self-contained.', changes: sawEasy ? 'too-easy questions asked for recall' : 'no change' });
        }
        const repair = (req.messages ?? []).some((m) => m.role === 'assistant');
        if (!repair) { challengerPrompts.push(`${system}\n${user}`); asked++; }
        const id = asked;
        const pool = opts.learnable && system.includes(opts.learnable.keyword) ? opts.learnable.questions : questions;
        const q = pool[(id - 1) % pool.length];
        issued.set(id, q);
        if (q.challengerReply && !repair) { return q.challengerReply; }
        const k = q.criteria ?? 10;
        return jsonReply({
          question: `Q${id}: ${q.questionText ?? variedQuestion(id)}`,
          questionType: 'explanation', skills: ['causal reasoning'], angle: `angle ${id}`,
          referenceAnswer: `Reference answer for Q${id}.`,
          rubric: Array.from({ length: k }, (_, i) => ({ criterion: `Criterion ${i + 1} of Q${id}`, weight: 1, negative: false })),
          sourceQuote: q.quote ?? quoteFrom(user),
        }, { latencyMs: opts.challengerLatencyMs });
      }
      case MODELS.quality: {
        const q = byId(user)?.q;
        return jsonReply(q?.quality ?? { pass: true, reason: 'Self-contained and answerable.' }, { latencyMs: opts.qualityLatencyMs });
      }
      case MODELS.weak:
      case MODELS.strong: {
        const who = req.model === MODELS.weak ? 'WEAK' : 'STRONG';
        const found = byId(user);
        const id = found?.id ?? 0;
        // A retried single rollout keeps an index past the first batch: the judge falls back to the first score.
        return { content: `${who}#${choiceIndex} answer to Q${id}.${found?.q.answerText ? ` ${found.q.answerText}` : ''}`, latencyMs: opts.solverLatencyMs };
      }
      case MODELS.judge: {
        const answers = [...user.matchAll(/<answer label="([A-Z]+)">\n([\s\S]*?)\n<\/answer>/g)];
        const crit = Number(/criterion \(1 to (\d+)\)|criteria? \(1 to (\d+)\)/.exec(user)?.slice(1).find(Boolean) ?? 10);
        const grades = answers.map(([, label, text]) => {
          const m = /(WEAK|STRONG)#(\d+) answer to Q(\d+)/.exec(text);
          const q = m ? byId(`Q${m[3]}`)?.q : undefined;
          const scores = m && q ? (m[1] === 'WEAK' ? q.weak : q.strong) : [0];
          const score = scores[Number(m?.[2] ?? 0)] ?? scores[0];
          const met = Math.round(score * crit);
          return { answer: label, marks: Array.from({ length: crit }, (_, i) => ({ criterion: i + 1, met: i < met, reason: i < met ? 'Covered.' : 'Missing.' })) };
        });
        return jsonReply({ grades }, { latencyMs: opts.judgeLatencyMs });
      }
      default:
        return { kind: 'error', status: 404, body: { error: { message: `The model '${req.model}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } } };
    }
  };
  return { respond, challengerPrompts, calls };
}
