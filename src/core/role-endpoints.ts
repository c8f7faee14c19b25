// Each role's endpoint from the shared one and the role's own overrides: the one rule the editor and the CLI share.
import { ROLE_TEMPERATURE, type EndpointConfig, type EngineConfig } from './config';
import { byRole, Role, type WithSecondJudge } from '../shared/schemas';

export type RoleOverride = Partial<EndpointConfig>;

/**
 * The shared endpoint applies to every role; a role's own fields win. The shared temperature is the solvers' (the
 * paper samples at 1.0); other roles keep ROLE_TEMPERATURE unless they set their own. The quality check inherits the
 * Judge's overrides unless it has its own (by default both are graders on one model). The second judge is on only when
 * it names its own model or endpoint; otherwise it is absent.
 */
export function roleEndpoints(shared: EndpointConfig, overrides: Partial<Record<Role, RoleOverride>>): WithSecondJudge<EndpointConfig> {
  // Only fields a role sets count: an unset one (undefined or empty) never hides the Judge's for the quality check.
  const set = (o: RoleOverride | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== '')) as RoleOverride;
  const own = (r: Role): RoleOverride => (r === 'quality' ? { ...set(overrides.judge), ...set(overrides.quality) } : set(overrides[r]));
  const endpoint = (r: Role): EndpointConfig => {
    const defined = own(r);
    // A role with its own base URL does not inherit the shared replicas: they serve the shared endpoint's model.
    const replicas = defined.baseURL !== undefined && defined.replicas === undefined ? undefined : (defined.replicas ?? shared.replicas);
    const out = { ...shared, temperature: ROLE_TEMPERATURE[r] ?? shared.temperature, ...defined, replicas };
    if (!out.replicas?.length) {
      delete out.replicas;
    }
    return out;
  };
  const second = own('judge2');
  const on = Boolean(second.model?.trim() || second.baseURL?.trim());
  return { ...byRole(endpoint), ...(on ? { judge2: endpoint('judge2') } : {}) };
}

/** The roles this configuration has: every run's, and the second judge when it is on. */
export function configuredRoles(engine: Pick<EngineConfig, 'roles'>): Role[] {
  return Role.options.filter((r) => engine.roles[r] !== undefined);
}
