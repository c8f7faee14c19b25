// Webview entry: validates host messages, folds them into the store and renders the changed parts once per frame.
//
// Stable hooks for tests (probe selectors; texts are textContent, trimmed):
//   .toolbar                          buttons [data-action="run"|"step"|"pause"|"resume"|"stop"|"open-dataset"] (vscode-button,
//                                     [disabled] when the state does not allow them); vscode-text-field.goal; vscode-progress-ring.ring
//   .state-badge[data-state]          "Running", "Paused", "Your turn: Step runs solve weak for s2.3", …; data-state = idle|running|paused|stepping|finished
//   .run-header                       .run-title, .run-meta, .run-rule, .run-notes (notes for any section)
//   .counters [data-counter="attempts"|"accepted"|"review"|"rejected"|"rejected-by-you"|"iterations"|"tokens"|"cost"]
//   svg.scatter[role="img"][data-plotted]  path.dots-of.s-<status>[.hollow][data-count] (every dot of a status, one path);
//                                     circle.dot.selected[data-attempt-id] (the selected dot); a click selects the nearest dot
//   .notice.n-info / .n-error         banners, newest first, each with [data-action="dismiss"]
//   .in-flight                        [hidden] when nothing is in flight; .call[data-role] (.call-role .call-where .call-waited),
//                                     .outage[data-host] while the run waits for an endpoint
//   .review-queue                     [hidden] when empty; .count-badge (every item); bulk [data-action="select-all"|"approve-selected"|
//                                     "reject-selected"] (over every item, shown or not); .review-more [data-action="show-more"] (50 a page)
//     .review-item[data-attempt-id][data-mode=idle|edit|reject|pending]   [data-action="approve"|"edit"|"reject"|"show-card"],
//     then "reject-confirm" (enabled once vscode-text-field.reason has text) or "approve-edited" (in the editor);
//     .review-question .score-weak .score-strong .score-gap .review-why .editor-error
//   details.calibration               [hidden] until a review decision or a second judge's grade; table.agreement tr[data-judge]
//                                     (.agree-count .agree-rate .agree-ci .undecided); table.kappa tr[data-criterion] (.pairs .same .kappa)
//   .target-group[data-target-id][data-outcome]   .target-title, .outcome.o-<outcome>, .target-notes
//   .card[data-attempt-id][data-status]           status = running|accepted|review|approved|rejected_by_you|too_easy|too_hard|
//                                                  gap_too_small|quality_failed|failed; .selected when selected
//     .verdict[data-status]  .iteration  .question  .quote  [data-action="reveal-source"] ([disabled] without a range)
//     .quality.pass|.fail  .score-row.score-weak|.score-strong|.score-gap (ok|miss|near|pending; .skipped when strong skipped)
//     .chip (one per rollout: .scored|.failed|.live|.ungraded; opens a .rollout-panel with .answer and .marks .mark-row.met|.unmet)
//     .live-preview (streaming text)  .reasons  .feedback  .failure-reason  .decision.approved|.rejected
//     details.rubric / details.reference (built on first open)
//     step mode: [data-action="edit-challenge"|"add-note"], then "save-challenge" / "send-note"; [data-action="show-more"] on clipped text
//   .empty-state with [data-action="run"|"step"|"open-dataset"]
// Shortcuts (focus outside text fields, no modifier): r run / continue, s step, p pause / resume, x stop,
// j / k next / previous card, a approve the selected review item.
import './zod-config';
import './panel.css';
import './scatter.css';
import './review.css';
import './cards.css';
import './high-contrast.css';
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeProgressRing, vsCodeTextArea, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { POLICY_PRESETS, type PolicyThresholds } from '../src/shared/thresholds';
import { HostMessage, type WebviewMessage } from '../src/protocol';
import type { CardContext } from './attempt-card';
import { controlMessage, isEnabled, shortcutFor, type ControlAction } from './controls';
import { calibration } from './calibration-data';
import { CalibrationView } from './calibration';
import { CountersLine } from './counters';
import { h, isTypingTarget } from './dom';
import { emptyState } from './empty-state';
import { stateLabel } from './format';
import { HostChannel } from './host-channel';
import { InFlight } from './in-flight';
import { Notices } from './notices';
import { probe } from './probe';
import { ReviewQueue } from './review-queue';
import { RunHeader, scatterLegend } from './run-header';
import { Scatter } from './scatter';
import {
  canEditChallenge,
  counters,
  dismissNotice,
  emptyChange,
  initialState,
  mergeChange,
  reduce,
  reviewQueue,
  runState,
  thresholdsOf,
  waitingFor,
  type Change,
} from './store';
import { TargetList } from './target-list';
import { Toolbar } from './toolbar';

// No vscode-badge: its template binds a style attribute, which the CSP blocks (counts use .count-badge instead).
provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeProgressRing(), vsCodeTextArea(), vsCodeTextField());

const channel = new HostChannel();
const state = initialState();
const DEFAULT_THRESHOLDS: PolicyThresholds = POLICY_PRESETS.paperAppendix;
let thresholds: PolicyThresholds = DEFAULT_THRESHOLDS;
let selected: string | undefined;

const post = (msg: WebviewMessage) => {
  channel.post(msg);
};

const cardContext: CardContext = {
  thresholds: () => thresholds,
  canEdit: (id) => canEditChallenge(state, id),
  awaitsStep: (id) => state.waiting.get(id)?.next === 'challenge' && ['stepping', 'paused'].includes(runState(state)),
  post,
  select: (id, scroll) => select(id, scroll),
};

function control(action: ControlAction): void {
  const s = runState(state);
  const goal = toolbar.goal;
  if ((s === 'idle' || s === 'finished') && goal === undefined) {
    toolbar.el.querySelector<HTMLElement>('.goal')?.focus();
    return;
  }
  const msg = controlMessage(s, action, goal ?? 0);
  if (msg) {
    post(msg);
  }
}

const toolbar = new Toolbar(control, () => post({ type: 'openDataset' }));
const notices = new Notices((id) => {
  dismissNotice(state, id);
  notices.update(state.notices);
});
const header = new RunHeader();
const inFlight = new InFlight();
/** Ticks the seconds waited once a second while requests are in flight. */
let clock = 0;
function updateInFlight(): void {
  const shown = inFlight.update(state, Date.now());
  if (shown && !clock) {
    clock = window.setInterval(updateInFlight, 1000);
  } else if (!shown && clock) {
    clearInterval(clock);
    clock = 0;
  }
}
const countersLine = new CountersLine();
const scatter = new Scatter((id) => select(id, true));
const review = new ReviewQueue({ post, show: (id) => select(id, true) });
const calibrationView = new CalibrationView();
const targets = new TargetList(cardContext);
const empty = emptyState({ run: () => control('run'), step: () => control('step'), openDataset: () => post({ type: 'openDataset' }) });
const starting = h('p', { class: 'muted starting' }, 'Waiting for the first attempt…');
const overview = h('div', { class: 'overview' }, scatter.el, scatterLegend());
const summary = h('div', { class: 'summary' }, h('div', { class: 'summary-text' }, header.el, countersLine.el), overview);

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { attrs: { id: 'app' } }));
app.append(toolbar.el, h('main', { class: 'content' }, notices.el, inFlight.el, empty, summary, review.el, calibrationView.el, starting, targets.el));

// ---- the frame loop: messages are queued as they arrive, then folded and rendered a slice at a time per frame ----
// (A replayed journal arrives as hundreds of messages at once: handling them in their own tasks would keep the page
// from painting until all were parsed.)

let pending: Change = emptyChange();
/** Attempts whose card or dot must be redrawn (a Set keeps insertion order and dedupes). */
const dirty = new Set<string>();
const inbox: unknown[] = [];
let inboxHead = 0;
let frame = 0;
let fallback = 0;
/** Per frame: folding messages gets the first half, cards the rest; each makes some progress regardless. */
const FOLD_BUDGET_MS = 6;
const FRAME_BUDGET_MS = 12;

function schedule(): void {
  if (frame) {
    return;
  }
  frame = requestAnimationFrame(tick);
  // No animation frames while the panel is hidden: a timer keeps the state current then.
  fallback = window.setTimeout(tick, 250);
}

/** While a backlog of messages is folded (a replayed journal), the page is drawn this often; the frames between fold. */
const CATCH_UP_RENDER_MS = 200;
let lastRender = -Infinity;

function tick(): void {
  cancelAnimationFrame(frame);
  clearTimeout(fallback);
  frame = 0;
  fallback = 0;
  const start = performance.now();
  // Drawing costs in proportion to the run (counters, the card list's layout): drawn every frame while thousands of
  // replayed events are still queued, a long run would take twice as long to come in. The first frame is drawn at
  // once; while the backlog lasts, a frame every CATCH_UP_RENDER_MS, the rest spent folding.
  const catchingUp = inbox.length > inboxHead + 1 && start - lastRender < CATCH_UP_RENDER_MS;
  drain(start + (catchingUp ? FRAME_BUDGET_MS : FOLD_BUDGET_MS));
  if (!catchingUp) {
    render(start + FRAME_BUDGET_MS);
    lastRender = start;
  }
  if (inbox.length > inboxHead || dirty.size > 0 || catchingUp) {
    schedule();
  }
}

/** Folds queued messages until the deadline (at least one). */
function drain(deadline: number): void {
  let n = 0;
  while (inboxHead < inbox.length && (n++ === 0 || performance.now() < deadline)) {
    const raw = inbox[inboxHead];
    inbox[inboxHead++] = undefined;
    handle(raw);
    acknowledge(raw);
  }
  if (inboxHead === inbox.length) {
    inbox.length = 0;
    inboxHead = 0;
  }
}

/** A replayed slice's last part is folded: the host may send the next (src/host/paced-outbox.ts). */
function acknowledge(raw: unknown): void {
  const slice = (raw as { slice?: unknown } | null)?.slice;
  if (typeof slice === 'number') {
    post({ type: 'folded', slice });
  }
}

function render(deadline: number): void {
  const ch = pending;
  pending = emptyChange();
  if (ch.reset) {
    targets.clear();
    scatter.clear();
    review.clear();
    dirty.clear();
    selected = undefined;
  }
  // One object per distinct rule, so cards redraw their bars only when the rule really changes.
  const t = thresholdsOf(state) ?? DEFAULT_THRESHOLDS;
  if (JSON.stringify(t) !== JSON.stringify(thresholds)) {
    thresholds = t;
    for (const id of state.attempts.keys()) {
      ch.attempts.add(id);
    }
  }
  for (const id of ch.attempts) {
    dirty.add(id);
  }
  scatter.setThresholds(thresholds);

  const s = runState(state);
  const w = waitingFor(state);
  toolbar.update({
    state: s,
    label: stateLabel(s, w, state.finished, state.run?.live ?? true),
    busy: (s === 'running' || s === 'stepping' || s === 'paused') && !w,
    goal: state.run?.goal ?? state.started?.goal,
  });
  const none = !state.run && state.attempts.size === 0;
  empty.hidden = !none;
  summary.hidden = none;
  starting.hidden = none || state.attempts.size > 0 || s === 'finished';
  header.update(state, thresholds);
  const c = counters(state);
  countersLine.update(c);
  notices.update(state.notices);
  if (ch.run || ch.reset) {
    updateInFlight();
  }
  if (ch.review || ch.reset || ch.run) {
    review.update(reviewQueue(state));
    calibrationView.update(calibration(state));
  }
  for (const id of ch.targets) {
    const tv = state.targets.get(id);
    if (tv) {
      targets.updateTarget(state, tv);
    }
  }

  // Oldest first, so each new card lands on top of its group without a search.
  const ids = [...dirty].sort((x, y) => (state.attempts.get(x)?.order ?? 0) - (state.attempts.get(y)?.order ?? 0));
  let done = 0;
  for (const id of ids) {
    const a = state.attempts.get(id);
    dirty.delete(id);
    if (a) {
      const card = targets.updateAttempt(state, a);
      if (id === selected) {
        card?.setSelected(true);
      }
      scatter.update(a);
    }
    if (++done % 16 === 0 && performance.now() > deadline) {
      break;
    }
  }
  scatter.flush();
  scatter.describe(state.attempts.size, c.accepted);
  targets.sync();
}

/** Folds and renders everything still pending, now (before a probe answers, or a selection scrolls). */
function flush(): void {
  while (inboxHead < inbox.length) {
    drain(Infinity);
  }
  do {
    render(Infinity);
  } while (dirty.size > 0);
}

function select(id: string | undefined, scroll: boolean): void {
  if (id && !state.attempts.has(id)) {
    return;
  }
  flush();
  if (selected) {
    targets.card(selected)?.setSelected(false);
  }
  selected = id;
  targets.selected = id;
  scatter.select(id);
  // The card list renders only the cards near the viewport: revealing one scrolls to it and renders it.
  const card = id ? targets.reveal(id) : undefined;
  if (!card) {
    return;
  }
  card.setSelected(true);
  if (scroll) {
    card.el.scrollIntoView({ block: 'nearest' });
  }
  card.el.focus({ preventScroll: true });
}

function moveSelection(delta: 1 | -1): void {
  flush();
  // Every card in display order (the filter applied), rendered or not.
  const ids = targets.ids();
  if (ids.length === 0) {
    return;
  }
  const at = selected ? ids.indexOf(selected) : -1;
  const next = at < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.max(0, Math.min(ids.length - 1, at + delta));
  select(ids[next], true);
}

// ---- messages from the host ----

function describeIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`)
    .join('; ');
}

/** Validates one host message and folds it (a probe is answered from the DOM, after everything before it is shown). */
function handle(raw: unknown): void {
  try {
    const parsed = HostMessage.safeParse(raw);
    if (!parsed.success) {
      const type = raw && typeof raw === 'object' && 'type' in raw ? String((raw as { type: unknown }).type) : typeof raw;
      channel.reportError(`dropped an invalid ${type} message: ${describeIssues(parsed.error)}`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'probe') {
      flush();
      const r = probe(msg.id, msg.selector);
      if (r.error) {
        channel.reportError(r.error);
      }
      post(r.result);
      return;
    }
    const ch = reduce(state, msg);
    if (msg.type === 'reset') {
      channel.persist({ runId: msg.run?.runId });
    }
    if (msg.type === 'notice' && msg.level === 'error') {
      review.clearPending();
    }
    mergeChange(pending, ch);
  } catch (err) {
    channel.reportError(`failed to handle a message: ${(err as Error).stack ?? String(err)}`);
  }
}

/** Events per fold: a replayed journal comes as one message of thousands of events, validated and folded in slices. */
const EVENTS_PER_SLICE = 250;

window.addEventListener('message', (e: MessageEvent) => {
  const data = e.data as { type?: unknown; events?: unknown } | null;
  if (data?.type === 'events' && Array.isArray(data.events) && data.events.length > EVENTS_PER_SLICE) {
    // A replayed slice is acknowledged once its last part is folded.
    const { slice, ...rest } = data as { slice?: unknown };
    for (let i = 0; i < data.events.length; i += EVENTS_PER_SLICE) {
      const last = i + EVENTS_PER_SLICE >= data.events.length;
      inbox.push({ ...rest, events: data.events.slice(i, i + EVENTS_PER_SLICE), ...(last && slice !== undefined ? { slice } : {}) });
    }
  } else {
    inbox.push(e.data);
  }
  // A probe is answered at once (tests wait on it); it sees every message that came before it.
  if (data?.type === 'probe') {
    flush();
  } else {
    schedule();
  }
});
window.addEventListener('error', (e) => channel.reportError(`${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener('unhandledrejection', (e) => channel.reportError(`unhandled rejection: ${String(e.reason)}`));

// ---- keyboard ----

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTypingTarget(e)) {
    return;
  }
  const s = runState(state);
  const cmd = shortcutFor(e.key.toLowerCase(), s);
  if (!cmd) {
    return;
  }
  e.preventDefault();
  switch (cmd) {
    case 'next':
      moveSelection(1);
      break;
    case 'previous':
      moveSelection(-1);
      break;
    case 'approve':
      if (selected) {
        review.approve(selected);
      }
      break;
    default:
      if (isEnabled(s, cmd)) {
        control(cmd);
      }
  }
});

flush();
channel.post({ type: 'ready', runId: channel.persisted.runId });
