// Each role's endpoint from the shared one and the role's own overrides: the one rule the editor and the CLI share.
import type { EndpointConfig } from './config';
import { ROLES, type Role } from '../shared/schemas';

/** Roles that are not samplers keep their own temperature: the Challenger explores a little, checking and grading are deterministic. */
export const ROLE_TEMPERATURE: Readonly<Partial<Record<Role, number>>> = { challenger: 0.8, quality: 0, judge: 0 };

export type RoleOverride = Partial<EndpointConfig>;

/**
 * The shared endpoint applies to every role; a role's own fields win. The shared temperature is the solvers' (the
 * paper samples at 1.0); other roles keep ROLE_TEMPERATURE unless they set their own. The quality check inherits the
 * Judge's overrides unless it has its own (by default both are graders on one model).
 */
export function roleEndpoints(shared: EndpointConfig, overrides: Partial<Record<Role, RoleOverride>>): Record<Role, EndpointConfig> {
  const own = (r: Role): RoleOverride => (r === 'quality' ? { ...overrides.judge, ...overrides.quality } : { ...overrides[r] });
  return Object.fromEntries(ROLES.map((r) => {
    const o = own(r);
    const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as RoleOverride;
    return [r, { ...shared, temperature: ROLE_TEMPERATURE[r] ?? shared.temperature, ...defined }];
  })) as Record<Role, EndpointConfig>;
}
