// Plays every Autodata role on the scripted server, each answering only from what the engine sends it:
// - the Challenger writes question Q<n> with a paper-shaped rubric whose criteria each name a key phrase (q<n>-fact-<i>,
//   or q<n>-fault-<j> for a negative one), and a reference answer holding every fact;
// - a solver derives the facts from the question it receives (its Q<n>) and states as many as the script gives that
//   rollout's score, plus any fact it finds in its own prompt (so a leaked rubric or reference shows up as a high score);
// - the Judge marks a criterion met when the answer in its request holds the criterion's key phrase (so grading the
//   wrong answer, or the wrong rubric, gives the wrong scores); the second judge is stricter: it credits nothing in an
//   answer that hedges ("probably"), so the two judges disagree exactly on hedged answers;
// - the verifier fails a question that gives away a fact or repeats an earlier angle it is shown;
// - the legal loop judge decides from the rollouts and scores in its request; verifiable solvers answer Q<n> with n/2.
import type { RecordedRequest, Responder, ScriptedReply } from './openai-server';
import { jsonReply } from './openai-server';

export const MODELS = { challenger: 'challenger-model', quality: 'quality-model', weak: 'weak-model', strong: 'strong-model', judge: 'judge-model' } as const;
/** The second judge's model: a stricter grader. */
export const SECOND_JUDGE_MODEL = 'judge2-model';

type CheckName = 'selfContained' | 'answerable' | 'notTrivia' | 'noAnswerLeak' | 'rubricGradesQuestion' | 'newAngle';

export interface ScriptedQuestion {
  /**
   * Scores the judge will find in each weak / strong rollout (multiples of 1/criteria): each rollout's answer states
   * that share of the facts. Verifiable answers: 1 for a right final answer, 0 for a wrong one.
   */
  weak: number[];
  strong: number[];
  /**
   * A failed verification check (default: the verifier decides from the question); from the `fromCall`-th verification
   * of this question on (default 1; 2 fails only the final verification of an accepted item).
   */
  quality?: { pass: boolean; reason: string; check?: CheckName; fromCall?: number };
  /** Replace the challenger's reply entirely (e.g. malformed JSON) for this question. */
  challengerReply?: ScriptedReply;
  /** Positive criteria in the rubric (default 10, weight 1 each), and negative ones (default 3, weight 1, never shown unless `faults`). */
  criteria?: number;
  negatives?: number;
  /** Negative criteria (faults) each weak / strong rollout shows. */
  faults?: { weak?: number[]; strong?: number[] };
  /** A quote to use instead of one copied from the source. */
  quote?: string;
  /** Text of the question after its "Q<n>: " label, and text appended to every solver answer (e.g. hostile markup). */
  questionText?: string;
  answerText?: string;
  /** The Challenger's angle (default "angle <n>"), context (default none) and question type (default explanation). */
  angle?: string;
  context?: string;
  questionType?: string;
  /** The Challenger states two facts of the answer in the context: a question that leaks its answer. */
  leak?: boolean;
  /** Fields the legal loop judge returns instead of what it would decide from the rollouts. */
  loop?: Record<string, unknown>;
  /**
   * Where a solver's knowledge of the facts comes from. 'context': only from the question's context, so a solver whose
   * prompt lacks the context (a closed-book probe) states only facts it finds in its prompt. 'common' (and unset):
   * general knowledge, stated whatever the prompt holds.
   */
  knowledge?: 'common' | 'context';
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
  const body = src
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .join(' ');
  const sentence = /[^.!?]{20,}[.!?]/.exec(body)?.[0] ?? body.slice(0, 80);
  return sentence.trim();
}

export interface ScriptLatency {
  solverLatencyMs?: number;
  judgeLatencyMs?: number;
  challengerLatencyMs?: number;
  qualityLatencyMs?: number;
  /**
   * The latency model of a real server, where work costs time: a solver request takes this long per sample it returns
   * (`n` = 3 takes three times as long as `n` = 1), instead of the flat `solverLatencyMs`.
   */
  solverMsPerSample?: number;
  /** A judge call takes this long per answer it grades, plus `judgeMsPerKToken` per thousand tokens of those answers. */
  judgeMsPerAnswer?: number;
  judgeMsPerKToken?: number;
  /**
   * A world where learning pays: once the Challenger's prompt holds `keyword` (from a recipe), its questions come from
   * `questions` instead. The recipe editor writes the keyword when the analysis it is sent found too-easy attempts.
   */
  learnable?: { keyword: string; questions: ScriptedQuestion[] };
}

const WORDS = (
  'router schedule capacity gradient baseline warm-up expert token sparse dense layer loss batch curve ' +
  'signal noise prior window budget rollout reward policy critic margin sample domain corpus label shift drift ' +
  'variance bias scale depth width head cache memory latency optimiser momentum decay entropy temperature ablation'
).split(' ');
/** A question whose wording differs from every other id's, so near-duplicate checks see distinct questions. */
function variedQuestion(id: number): string {
  let h = (id * 2654435761) >>> 0;
  const w = () => {
    h = (h * 1103515245 + 12345) >>> 0;
    return WORDS[(h >>> 8) % WORDS.length];
  };
  return `Scenario ${id}: when the ${w()} ${w()} meets a ${w()} ${w()}, how would ${w()} ${w()} change the ${w()} of the ${w()} ${w()}?`;
}

/** The key phrase of positive criterion i (1-based) of question n, and of negative criterion j. */
export const fact = (n: number, i: number) => `q${n}-fact-${i}`;
export const fault = (n: number, j: number) => `q${n}-fault-${j}`;
const PHRASE = /q\d+-(?:fact|fault)-\d+/g;

/** The text of an XML-like element in a prompt (its tag alone on a line, so a mention of it in the instructions is not it). */
const element = (text: string, name: string) => new RegExp(`<${name}[^>\\n]*>\\n([\\s\\S]*?)\\n?</${name}>`).exec(text)?.[1];

/** Every message of a request as one text: without response_format (JSON mode, the LM API) the schema is in the prompt. */
const allText = (req: RecordedRequest) => (req.messages ?? []).map((m) => m.content).join('\n');
/** Which schema a JSON request asks for, by name on the wire or by a property only that schema has. */
const asks = (req: RecordedRequest, name: string, property: string) => req.schemaName === name || allText(req).includes(`"${property}"`);

/** The verifiable answer to question n, and a wrong one. */
const rightAnswer = (n: number) => String(n / 2);
const wrongAnswer = (n: number) => String(n + 1);

export function scriptRoles(questions: ScriptedQuestion[], opts: ScriptLatency = {}): RoleScript {
  const challengerPrompts: string[] = [];
  const calls: Record<string, number> = {};
  let asked = 0;
  const issued = new Map<number, ScriptedQuestion>();
  const verified = new Map<number, number>();
  /** Samples each solver has given for each question without a seed: separate requests are separate rollouts. */
  const sampled = new Map<string, number>();
  const byId = (text: string) => {
    const m = /Q(\d+)\b/.exec(text);
    if (!m) {
      return undefined;
    }
    const id = Number(m[1]);
    return { id, q: issued.get(id) ?? questions[(id - 1) % questions.length] };
  };

  const challenger = (req: RecordedRequest, system: string, user: string): ScriptedReply => {
    if (system.startsWith('You analyse a batch')) {
      // The analyser's root causes, from the verdicts it was sent.
      const easy = (user.match(/verdict="too_easy"/g) ?? []).length;
      const all = (user.match(/<attempt n=/g) ?? []).length;
      return jsonReply({ analysis: easy ? `${easy} of ${all} attempts were too easy: the questions asked for recall.` : `No attempt of ${all} was too easy.` });
    }
    if (system.startsWith('You edit the recipe')) {
      // The editor's proposal, from the analysis and the parent recipe it was sent.
      const parent = element(user, 'recipe')?.trim() ?? '';
      const keyword = opts.learnable?.keyword ?? 'regime contrast';
      const easy = /too easy/.test(element(user, 'analysis') ?? '');
      const keep = parent === '(empty)' ? '' : `${parent}\n`;
      return jsonReply({
        part: 'challenger',
        recipe: easy ? `${keep}- Ask for a ${keyword}: what changes if a key assumption fails.` : `${keep}- Keep questions self-contained.`,
        rationale: easy ? 'too-easy questions asked for recall' : 'no failure pattern: a small clarification',
      });
    }
    const repair = (req.messages ?? []).some((m) => m.role === 'assistant');
    if (!repair) {
      challengerPrompts.push(`${system}\n${user}`);
      asked++;
    }
    const id = asked;
    const pool = opts.learnable && system.includes(opts.learnable.keyword) ? opts.learnable.questions : questions;
    const q = pool[(id - 1) % pool.length];
    issued.set(id, q);
    if (q.challengerReply && !repair) {
      return q.challengerReply;
    }
    const p = q.criteria ?? 10;
    const head = {
      analysis: { weakFailures: `A small model restates the setting of Q${id} without the mechanism.`, strongNeeds: 'The causal chain, step by step.' },
      sourceQuote: q.quote ?? quoteFrom(user),
      angle: q.angle ?? `angle ${id}`,
      questionType: q.questionType ?? 'explanation',
      skills: ['causal reasoning'],
      context: [q.context, q.leak ? `Hint: a good answer states ${fact(id, 1)} and ${fact(id, 2)}.` : ''].filter(Boolean).join(' '),
      question: `Q${id}: ${q.questionText ?? variedQuestion(id)}`,
    };
    if (asks(req, 'verifiable_challenge', 'finalAnswer')) {
      return jsonReply({ ...head, referenceAnswer: `Worked solution for Q${id}.`, finalAnswer: `\\frac{${id}}{2}` }, { latencyMs: opts.challengerLatencyMs });
    }
    const facts = Array.from({ length: p }, (_, i) => fact(id, i + 1));
    return jsonReply(
      {
        ...head,
        referenceAnswer: `Reference answer for Q${id}: ${facts.join(', ')}.`,
        rubric: [
          ...facts.map((f, i) => ({ criterion: `Criterion ${i + 1} of Q${id}: states ${f}`, weight: 1, negative: false })),
          ...Array.from({ length: q.negatives ?? 3 }, (_, j) => ({
            criterion: `Fault ${j + 1} of Q${id}: claims ${fault(id, j + 1)}`,
            weight: 1,
            negative: true,
          })),
        ],
      },
      { latencyMs: opts.challengerLatencyMs },
    );
  };

  const verifier = (user: string) => {
    const question = element(user, 'question') ?? '';
    const found = byId(question);
    const ok = (reason: string) => ({ reason, pass: true });
    const checks: Record<CheckName, { reason: string; pass: boolean }> = {
      selfContained: ok('Every needed fact is stated.'),
      answerable: ok('An expert can answer it.'),
      notTrivia: ok('It asks for reasoning, not recall.'),
      noAnswerLeak: ok('The question does not state the answer.'),
      rubricGradesQuestion: ok('The criteria grade the question asked.'),
      newAngle: ok('No earlier question takes this angle.'),
    };
    const leaked = question.match(PHRASE);
    if (leaked) {
      checks.noAnswerLeak = { reason: `The context gives away ${leaked.join(', ')}.`, pass: false };
    }
    const angle = element(user, 'angle')?.trim();
    const earlier = element(user, 'earlier') ?? '';
    const same = angle ? [...earlier.matchAll(/^(\d+)\. Question: (.*)\n\s*Angle: (.*)$/gm)].find((m) => m[3].trim() === angle) : undefined;
    if (same) {
      checks.newAngle = { reason: `A rephrasing of earlier question ${same[1]} ("${same[2].slice(0, 40)}"): the same angle, "${angle}".`, pass: false };
    }
    const forced = found?.q.quality;
    const nth = found ? (verified.get(found.id) ?? 0) + 1 : 1;
    if (found) {
      verified.set(found.id, nth);
    }
    if (forced && !forced.pass && nth >= (forced.fromCall ?? 1)) {
      checks[forced.check ?? 'notTrivia'] = { reason: forced.reason, pass: false };
    }
    return jsonReply(checks);
  };

  /** A solver request's time: per sample under the latency model, else flat. */
  const solverLatency = (req: RecordedRequest) => (opts.solverMsPerSample !== undefined ? opts.solverMsPerSample * Math.max(1, req.n) : opts.solverLatencyMs);
  /** A judge call's time: per answer and per token graded under the latency model, else flat. */
  const judgeLatency = (answers: string[]) => {
    if (opts.judgeMsPerAnswer === undefined) {
      return opts.judgeLatencyMs;
    }
    const tokens = answers.reduce((a, t) => a + Math.ceil(t.length / 4), 0);
    return opts.judgeMsPerAnswer * answers.length + ((opts.judgeMsPerKToken ?? 0) * tokens) / 1000;
  };

  const solver = (req: RecordedRequest, who: 'WEAK' | 'STRONG'): ScriptedReply => {
    const user =
      req.messages
        ?.filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n') ?? '';
    const found = byId(user);
    const id = found?.id ?? 0;
    const scores = found ? (who === 'WEAK' ? found.q.weak : found.q.strong) : [0];
    // A seeded request carries its rollout's index in its seed (a multiple of 64 plus the index). Otherwise samples
    // take the scripted rollouts in turn, across requests: the rollouts of an endpoint that gives one choice per
    // request (parallel requests instead of `n`) differ as real samples do, instead of all being rollout 0.
    const key = `${who}:${id}`;
    const nth = sampled.get(key) ?? 0;
    const seeded = typeof req.body?.seed === 'number';
    if (!seeded) {
      sampled.set(key, nth + 1);
    }
    const index = seeded ? req.body.seed % 64 : nth % scores.length;
    // A seed past the scripted rollouts falls back to the first score.
    const score = scores[index] ?? scores[0];
    const extra = found?.q.answerText ? ` ${found.q.answerText}` : '';
    if (allText(req).includes('End with one line "Final answer:')) {
      return {
        content: `${who}#${index} works through Q${id}.\nFinal answer: ${score === 1 ? rightAnswer(id) : wrongAnswer(id)}${extra}`,
        latencyMs: solverLatency(req),
      };
    }
    const p = found?.q.criteria ?? 10;
    // Facts learnt from the context are known only while the context is in the prompt.
    const closedBook = found?.q.knowledge === 'context' && found.q.context !== undefined && !allText(req).includes(found.q.context);
    const stated = closedBook ? [] : Array.from({ length: Math.round(score * p) }, (_, i) => fact(id, i + 1));
    const faults = Array.from({ length: (who === 'WEAK' ? found?.q.faults?.weak : found?.q.faults?.strong)?.[index] ?? 0 }, (_, j) => fault(id, j + 1));
    // What a real model would do with a rubric or reference in its prompt: use every fact it finds there.
    const seen = [...new Set(JSON.stringify(req.messages ?? []).match(PHRASE) ?? [])];
    const said = [...new Set([...stated, ...faults, ...seen])];
    return { content: `${who}#${index} answer to Q${id}${said.length ? `: ${said.join(', ')}` : ''}.${extra}`, latencyMs: solverLatency(req) };
  };

  const judge = (req: RecordedRequest, user: string, strict = false): ScriptedReply => {
    const rubric = (element(user, 'rubric') ?? '').split('\n').filter((l) => /^\d+\./.test(l));
    const keys = rubric.map((l) => l.match(PHRASE)?.[0]);
    if (asks(req, 'loop_verdict', 'grpo_suitability')) {
      return loopJudge(user);
    }
    const answers = [...user.matchAll(/<answer label="([A-Z]+)">\n([\s\S]*?)\n<\/answer>/g)];
    const grades = answers.map(([, label, text]) => ({
      answer: label,
      marks: keys.map((k, i) => {
        const hedged = strict && /\bprobably\b/i.test(text);
        const met = k !== undefined && text.includes(k) && !hedged;
        return {
          criterion: i + 1,
          met,
          reason:
            k === undefined
              ? 'The criterion names nothing to check.'
              : met
                ? `The answer states ${k}.`
                : hedged
                  ? 'The answer only hedges.'
                  : `The answer never states ${k}.`,
        };
      }),
    }));
    return jsonReply({ grades }, { latencyMs: judgeLatency(answers.map((a) => a[2])) });
  };

  const loopJudge = (user: string): ScriptedReply => {
    const rollouts = [...user.matchAll(/<rollout solver="(weak|strong)" n="\d+" score="([\d.]+)">/g)].map((m) => ({ solver: m[1], score: Number(m[2]) }));
    const of = (s: string) => rollouts.filter((r) => r.solver === s).map((r) => r.score);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const weak = of('weak');
    const strong = of('strong');
    const spread = Math.max(...weak) - Math.min(...weak);
    const gap = avg(strong) - avg(weak);
    const question = element(user, 'question') ?? '';
    const recap = /\brecap\b/i.test(question);
    const problem = recap ? 'case_recap' : avg(weak) > 0.65 ? 'too_easy' : avg(strong) < 0.6 ? 'too_hard' : gap < 0.2 ? 'no_separation' : 'none';
    const verdict = {
      weak_pattern: `Weak scores ${weak.map((x) => x.toFixed(2)).join(', ')}, spread ${spread.toFixed(2)}.`,
      gap_interpretation: `Strong ${avg(strong).toFixed(2)} against weak ${avg(weak).toFixed(2)}: a gap of ${gap.toFixed(2)}.`,
      case_recap: recap,
      grpo_suitability: problem === 'none' ? (spread >= 0.2 ? 'high' : 'medium') : 'low',
      problem,
      decision: problem === 'none' ? 'accept' : 'improve',
      advice: problem === 'none' ? '' : `Fix the ${problem.replace('_', ' ')}.`,
      ...byId(question)?.q.loop,
    };
    return jsonReply(verdict, { latencyMs: opts.judgeLatencyMs });
  };

  const respond: Responder = (req: RecordedRequest, { choiceIndex }) => {
    const system = req.messages?.find((m) => m.role === 'system')?.content ?? '';
    const user =
      req.messages
        ?.filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n') ?? '';
    if (choiceIndex === 0) {
      calls[req.model ?? ''] = (calls[req.model ?? ''] ?? 0) + 1;
    }
    switch (req.model) {
      case MODELS.challenger:
        return challenger(req, system, user);
      case MODELS.quality:
        return { ...verifier(user), latencyMs: opts.qualityLatencyMs };
      case MODELS.weak:
        return solver(req, 'WEAK');
      case MODELS.strong:
        return solver(req, 'STRONG');
      case MODELS.judge:
        return judge(req, user);
      case SECOND_JUDGE_MODEL:
        return judge(req, user, true);
      default:
        return {
          kind: 'error',
          status: 404,
          body: { error: { message: `The model '${req.model}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
        };
    }
  };
  return { respond, challengerPrompts, calls };
}
