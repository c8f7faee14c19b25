// A grader whose replies cannot be used (the judge's or the verifier's JSON is still wrong after its repair and retries):
// a failure of the machinery, not of the question, so it ends the attempt without counting it against its section.
import type { Role } from '../shared/schemas';

export class UnusableReplyError extends Error {
  constructor(
    readonly role: Role,
    message: string,
  ) {
    super(message);
    this.name = 'UnusableReplyError';
  }
}
