// `--shard auto`: which shard this process is, from the job array that started it. A Kubernetes Indexed Job gives each
// pod JOB_COMPLETION_INDEX (0-based; the count is the Job's `completions`, passed as AUTODATA_SHARD_COUNT); a Slurm job
// array gives SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT (a 1-based array starts at 1).
import { UsageError } from './args';
import type { Shard } from './sources';

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') {
    return undefined;
  }
  if (!/^\d+$/.test(v.trim())) {
    throw new UsageError(`${name} must be a whole number for --shard auto (got "${v}")`);
  }
  return Number(v);
}

function checked(index0: number, count: number, from: string): Shard {
  if (count < 1 || index0 < 0 || index0 >= count) {
    throw new UsageError(`${from} gives shard ${index0 + 1} of ${count}, which is not a shard: check the job's settings`);
  }
  return { index: index0 + 1, count };
}

export function shardFromEnv(env: Env): Shard {
  const declared = int(env, 'AUTODATA_SHARD_COUNT');
  const k8s = int(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    if (declared === undefined) {
      throw new UsageError(
        "a Kubernetes Indexed Job gives JOB_COMPLETION_INDEX but not how many pods there are: set AUTODATA_SHARD_COUNT to the Job's completions in its pod template",
      );
    }
    return checked(k8s, declared, 'JOB_COMPLETION_INDEX with AUTODATA_SHARD_COUNT');
  }
  const task = int(env, 'SLURM_ARRAY_TASK_ID');
  if (task !== undefined) {
    const min = int(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const count = int(env, 'SLURM_ARRAY_TASK_COUNT') ?? declared;
    if (count === undefined) {
      throw new UsageError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: set AUTODATA_SHARD_COUNT to the array size');
    }
    if (declared !== undefined && declared !== count) {
      throw new UsageError(`AUTODATA_SHARD_COUNT (${declared}) differs from SLURM_ARRAY_TASK_COUNT (${count})`);
    }
    return checked(task - min, count, 'SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN) with SLURM_ARRAY_TASK_COUNT');
  }
  throw new UsageError(
    '--shard auto found no job array: it reads JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with AUTODATA_SHARD_COUNT) or SLURM_ARRAY_TASK_ID (Slurm job array); elsewhere give --shard i/n',
  );
}

/** A shard's own dataset part, so no two processes append to one file over a shared file system. */
export function shardDatasetPath(shard: Shard): string {
  return `.autodata/parts/dataset.${shard.index}-of-${shard.count}.jsonl`;
}
