// Capability profiles per (base URL, model): the family's defaults, what replies and errors taught, and the settings
// that pin them, remembered for the process and exportable as a plain object for a host to persist and show.
import {
  Capabilities,
  LearnedProfiles,
  overrideFor,
  type Capability,
  type CapabilitySource,
  type EndpointOverrides,
  type EndpointProfile,
  type Family,
} from './capabilities';
import { defaultCapabilities, familyOf } from './families';

/** `host/path` of a base URL without credentials, query or trailing slash: safe to show, log and persist. */
export function endpointHost(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseURL.replace(/\/\/[^/@]*@/, '//');
  }
}

interface Learned {
  host: string;
  model: string;
  capabilities: Partial<Capabilities>;
  notes: string[];
}

export type LearnListener = (profile: EndpointProfile, note: string) => void;

export class EndpointProfiles {
  private readonly learned = new Map<string, Learned>();
  private readonly listeners = new Set<LearnListener>();
  /** Profiles worked out, by base URL and model, with the settings object they were worked out under. */
  private readonly built = new Map<string, { overrides: EndpointOverrides | undefined; profile: EndpointProfile }>();

  static key(baseURL: string, model: string): string {
    return `${endpointHost(baseURL)}|${model}`;
  }

  /**
   * The profile in force: defaults, then what was learned, then the settings (which always win). Asked for on every
   * request, so it is worked out once per endpoint, model and settings object, and again only after something is learned.
   */
  profile(baseURL: string, model: string, overrides?: EndpointOverrides): EndpointProfile {
    const cacheKey = `${baseURL}\u0000${model}`;
    const cached = this.built.get(cacheKey);
    if (cached && cached.overrides === overrides) {
      return cached.profile;
    }
    // Shared by every caller until something is learned: frozen, so none can change it for the others.
    const built = this.build(baseURL, model, overrides);
    const profile = Object.freeze({
      ...built,
      capabilities: Object.freeze(built.capabilities),
      sources: Object.freeze(built.sources),
      notes: Object.freeze(built.notes) as string[],
    });
    this.built.set(cacheKey, { overrides, profile });
    return profile;
  }

  private build(baseURL: string, model: string, overrides?: EndpointOverrides): EndpointProfile {
    const key = EndpointProfiles.key(baseURL, model);
    const host = endpointHost(baseURL);
    const pinned = overrideFor(overrides, new URL(baseURL).host, model);
    const family: Family = pinned.family ?? familyOf(baseURL);
    const learned = this.learned.get(key);
    const defaults = defaultCapabilities(family, model);
    const { family: _family, ...pinnedCaps } = pinned;
    const capabilities = Capabilities.parse({ ...defaults, ...learned?.capabilities, ...pinnedCaps });
    const sources = Object.fromEntries(
      (Object.keys(defaults) as Capability[]).map((k) => [
        k,
        (k in pinnedCaps ? 'override' : learned && k in learned.capabilities ? 'learned' : 'default') as CapabilitySource,
      ]),
    ) as Record<Capability, CapabilitySource>;
    return { key, host, model, family, capabilities, sources, notes: [...(learned?.notes ?? [])] };
  }

  /** Records what a reply or an error showed about an endpoint, with a note saying how it was seen. */
  learn(baseURL: string, model: string, patch: Partial<Capabilities>, note: string, overrides?: EndpointOverrides): EndpointProfile {
    const key = EndpointProfiles.key(baseURL, model);
    const entry = this.learned.get(key) ?? { host: endpointHost(baseURL), model, capabilities: {}, notes: [] };
    Object.assign(entry.capabilities, patch);
    this.built.clear();
    entry.notes.push(note);
    if (entry.notes.length > 20) {
      entry.notes.splice(0, entry.notes.length - 20);
    }
    this.learned.set(key, entry);
    const profile = this.profile(baseURL, model, overrides);
    for (const l of this.listeners) {
      l(profile, note);
    }
    return profile;
  }

  /** Called after each thing learned, e.g. to persist the snapshot or log the note. */
  onLearn(listener: LearnListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Everything learned so far, as a plain object (no credentials: hosts and model names only). */
  snapshot(): LearnedProfiles {
    return Object.fromEntries(
      [...this.learned].map(([k, v]) => [k, { host: v.host, model: v.model, capabilities: { ...v.capabilities }, notes: [...v.notes] }]),
    );
  }

  /** Takes back a snapshot saved earlier; entries that no longer validate are dropped. */
  restore(saved: unknown): void {
    if (!saved || typeof saved !== 'object') {
      return;
    }
    for (const [k, raw] of Object.entries(saved)) {
      const parsed = LearnedProfiles.safeParse({ [k]: raw });
      const v = parsed.success ? parsed.data[k] : undefined;
      if (v) {
        this.learned.set(k, { host: v.host, model: v.model, capabilities: { ...v.capabilities }, notes: [...v.notes] });
      }
    }
    this.built.clear();
  }

  /** Forgets what was learned (all of it, or one endpoint's). */
  forget(baseURL?: string, model?: string): void {
    if (baseURL && model) {
      this.learned.delete(EndpointProfiles.key(baseURL, model));
    } else {
      this.learned.clear();
    }
    this.built.clear();
  }
}

/** The process-wide store every model uses unless given its own. */
export const endpointProfiles = new EndpointProfiles();
