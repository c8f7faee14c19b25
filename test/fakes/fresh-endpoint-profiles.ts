// Mocha root hook: every test starts from the server families' defaults. The process-wide store of learned endpoint
// capabilities is keyed by host and port, and scripted servers listen on ports the system hands out again, so a test
// whose server got an earlier test's port would otherwise inherit what that test's endpoint taught (a reasoning
// allowance, `n` ignored) and send different requests.
import { endpointProfiles } from '../../src/core/endpoints/profiles';

export const mochaHooks = {
  beforeEach(): void {
    endpointProfiles.forget();
  },
};
