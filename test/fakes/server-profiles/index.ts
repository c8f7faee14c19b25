// Every server family the scripted server can play, by name.
import { azure } from './azure';
import { fireworks } from './fireworks';
import { groq } from './groq';
import { litellm } from './litellm';
import { llamacpp } from './llamacpp';
import { lmstudio } from './lmstudio';
import { ollama } from './ollama';
import { openai, openaiReasoning } from './openai';
import { openrouter } from './openrouter';
import type { ServerProfile } from './profile';
import { sglang } from './sglang';
import { together } from './together';
import { vllm, vllmLegacy, vllmRaw } from './vllm';

export type { ServerProfile } from './profile';

export const PROFILES: readonly ServerProfile[] = [
  openai,
  openaiReasoning,
  azure,
  vllm,
  vllmLegacy,
  vllmRaw,
  sglang,
  ollama,
  lmstudio,
  llamacpp,
  litellm,
  openrouter,
  groq,
  together,
  fireworks,
];
