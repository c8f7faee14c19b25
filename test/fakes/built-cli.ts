// The built CLI (bin/autodata.js) as its own process, with a key in the environment: its exit code and output.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/autodata.js');

export interface Exit {
  code: number | null;
  out: string;
  err: string;
}

export function runBuiltCli(cwd: string, args: string[], apiKey: string): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, AUTODATA_API_KEY: apiKey, OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}
