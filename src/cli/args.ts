// A small argv parser: positionals, `--name value`, `--name=value`, boolean flags, `--` ends the options.

export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take a value. */
  values: readonly string[];
  /** Options that take none. */
  flags?: readonly string[];
  /** Short names: { h: 'help' }. */
  short?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  const flags = new Set(['help', ...(spec.flags ?? [])]);
  const short: Record<string, string> = { h: 'help', ...spec.short };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = short[arg.slice(1)];
      if (!name) {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else {
      out.positionals.push(arg);
      continue;
    }
    if (flags.has(name)) {
      if (inline !== undefined) {
        throw new UsageError(`--${name} takes no value`);
      }
      out.flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value`);
      }
      if (out.values.has(name)) {
        throw new UsageError(`--${name} is given twice`);
      }
      out.values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}
