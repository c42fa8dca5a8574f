// Reads the `agentLsp` settings section (the ones that choose what runs or where
// the key goes from the user's own settings only) and turns it into what the
// server receives, both as `initializationOptions` and as the answer to
// `workspace/configuration`. No `vscode` import: the caller passes the
// configuration object in.

import { OUR_LANGUAGE, OUR_SKILL_LANGUAGE } from './builtinChecks';

/** The settings the server reads. Every key is optional: an absent key means "use the server's default". */
export interface ServerOptions {
  server?: { path?: string; python?: string };
  models?: Record<string, string>;
  defaultModel?: string;
  modelOverride?: string;
  maxTokens?: number;
  baseUrl?: string;
  timeoutSeconds?: number;
  maxInputBytes?: number;
  agentGlobs?: string[];
  rateLimitPerMinute?: number;
  answersDir?: string;
  maxTurns?: number;
  tokenBudget?: number;
  /** False: an ask is one request with no tools. */
  agentTools?: boolean;
  trace?: { server?: string };
  /** False in an untrusted workspace: the server must not call the API. */
  apiEnabled: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The section every setting of the extension lives in. */
export const SECTION = 'agentLsp';

/**
 * Settings that choose what runs and where the API key goes. Only the user's own
 * settings may set them (`machine` scope in package.json): a folder's
 * `.vscode/settings.json` could otherwise point `baseUrl` at its own server and
 * receive the key, in a trusted workspace too.
 */
export const USER_ONLY_KEYS = ['server.path', 'server.python', 'baseUrl', 'answersDir'] as const;

/** The parts of `vscode.WorkspaceConfiguration.inspect()`'s answer read here. */
export interface InspectedValue {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The subset of `vscode.WorkspaceConfiguration` used to read the settings. */
export interface ConfigurationLike {
  get(section: string): unknown;
  inspect(section: string): InspectedValue | undefined;
}

/** A copy of `section` with the dotted `key` set to `value` (removed when undefined); nested objects are copied, not shared. */
function withValue(section: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = key.split('.');
  if (head === undefined) return section;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(section).filter(([name]) => name !== head));
  if (rest.length === 0) {
    if (value !== undefined) out[head] = value;
    return out;
  }
  const child = isPlainObject(section[head]) ? section[head] : {};
  out[head] = withValue(child, rest.join('.'), value);
  return out;
}

/**
 * The `agentLsp` section as the extension uses it: VS Code's merged values,
 * except that each of USER_ONLY_KEYS comes from the user's settings (or the
 * default) whatever a workspace or folder says. VS Code already drops workspace
 * values of `machine` settings; this does not depend on it.
 */
export function readSection(config: ConfigurationLike): Record<string, unknown> {
  const merged = config.get(SECTION);
  let section: Record<string, unknown> = isPlainObject(merged) ? merged : {};
  for (const key of USER_ONLY_KEYS) {
    const inspected = config.inspect(`${SECTION}.${key}`);
    const value = inspected?.globalValue !== undefined ? inspected.globalValue : inspected?.defaultValue;
    section = withValue(section, key, value);
  }
  return section;
}

const STRING_KEYS = ['defaultModel', 'modelOverride', 'baseUrl', 'answersDir'] as const;
const NUMBER_KEYS = [
  'maxTokens',
  'timeoutSeconds',
  'maxInputBytes',
  'rateLimitPerMinute',
  'maxTurns',
  'tokenBudget',
] as const;

function nonEmptyString(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/**
 * Builds the server's view of the settings. An empty string in VS Code's
 * settings means "not set", so it is left out and the server's default applies;
 * values of the wrong type (a hand-edited settings.json) are left out too
 * rather than sent for the server to choke on.
 */
export function toServerOptions(section: Record<string, unknown>, trusted: boolean): ServerOptions {
  const out: ServerOptions = { apiEnabled: trusted };

  const server = isPlainObject(section.server) ? section.server : {};
  const serverPath = nonEmptyString(server.path);
  const serverPython = nonEmptyString(server.python);
  if (serverPath !== undefined || serverPython !== undefined) {
    out.server = {};
    if (serverPath !== undefined) out.server.path = serverPath;
    if (serverPython !== undefined) out.server.python = serverPython;
  }

  if (isPlainObject(section.models)) {
    const models: Record<string, string> = {};
    for (const [alias, id] of Object.entries(section.models)) {
      const value = nonEmptyString(id);
      if (value !== undefined) models[alias] = value;
    }
    if (Object.keys(models).length > 0) out.models = models;
  }

  for (const key of STRING_KEYS) {
    const value = nonEmptyString(section[key]);
    if (value !== undefined) out[key] = value;
  }

  for (const key of NUMBER_KEYS) {
    const value = section[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[key] = value;
  }

  if (Array.isArray(section.agentGlobs)) {
    const globs = section.agentGlobs.map(nonEmptyString).filter((g): g is string => g !== undefined);
    if (globs.length > 0) out.agentGlobs = globs;
  }

  if (typeof section.agentTools === 'boolean') out.agentTools = section.agentTools;

  const trace = isPlainObject(section.trace) ? nonEmptyString(section.trace.server) : undefined;
  if (trace !== undefined) out.trace = { server: trace };

  return out;
}

/** The patterns, relative to any folder, that make a Markdown file an agent file. */
export const BUILT_IN_AGENT_GLOBS = ['**/.claude/agents/**/*.md', '**/agents/**/*.md'] as const;

/** Other Markdown files Claude Code reads: memory files (their `@path` imports), output styles and rules. */
export const INSTRUCTION_GLOBS = [
  '**/CLAUDE.md',
  '**/CLAUDE.local.md',
  '**/AGENTS.md',
  '**/output-styles/*.md',
  '**/.claude/rules/**/*.md',
] as const;

export interface DocumentFilterLike {
  language: string;
  pattern: string;
}

/**
 * Language ids an agent file can have. VS Code itself (1.10x and later) gives
 * `.claude/agents/*.md` the id `chatagent` ("Agent"), and leaves deeper files and
 * plugin agents as `markdown`; `claude-agent` is ours, for a workspace that chose to
 * keep VS Code's own checker off them (builtinChecks.ts).
 */
export const AGENT_LANGUAGES = ['markdown', 'chatagent', OUR_LANGUAGE] as const;

/** Skills and commands: every `SKILL.md`, and Markdown files under a `commands` folder (`.claude/`, plugins, collections). */
export const SKILL_COMMAND_GLOBS = ['**/SKILL.md', '**/commands/**/*.md'] as const;

/**
 * Language ids a skill or command can have: VS Code gives `SKILL.md` the id `skill`, and some prompt files
 * `prompt`; `claude-skill` is ours, for a workspace that keeps VS Code's own checker off skills (builtinChecks.ts).
 */
export const SKILL_COMMAND_LANGUAGES = ['markdown', 'skill', 'prompt', OUR_SKILL_LANGUAGE] as const;

/** The language client's document selector: the files Claude Code reads only, so plain Markdown stays untouched. */
export function agentDocumentSelector(extraGlobs: readonly string[] | undefined): DocumentFilterLike[] {
  const seen = new Set<string>();
  const filters: DocumentFilterLike[] = [];
  for (const pattern of [...BUILT_IN_AGENT_GLOBS, ...(extraGlobs ?? []), ...INSTRUCTION_GLOBS]) {
    const trimmed = pattern.trim();
    if (trimmed.length === 0 || seen.has(trimmed)) continue;
    seen.add(trimmed);
    for (const language of AGENT_LANGUAGES) filters.push({ language, pattern: trimmed });
  }
  for (const pattern of SKILL_COMMAND_GLOBS) {
    for (const language of SKILL_COMMAND_LANGUAGES) filters.push({ language, pattern });
  }
  return filters;
}

/**
 * Claude Code's JSON files the server checks (plugin and marketplace manifests, `.mcp.json`,
 * a plugin's hooks, settings hooks). The server decides by path what each one is; these globs
 * only keep the editor from sending it every other JSON file.
 */
export const JSON_FILE_GLOBS = [
  '**/.claude-plugin/plugin.json',
  '**/.claude-plugin/marketplace.json',
  '**/.mcp.json',
  '**/hooks/hooks.json',
  '**/.claude/settings.json',
  '**/.claude/settings.local.json',
] as const;

/** VS Code opens these files as `json`, or `jsonc` where the user associated JSON with comments. */
export const JSON_LANGUAGES = ['json', 'jsonc'] as const;

/** The selector entries for Claude Code's JSON files. */
export function jsonDocumentSelector(): DocumentFilterLike[] {
  return JSON_FILE_GLOBS.flatMap((pattern) => JSON_LANGUAGES.map((language) => ({ language, pattern })));
}

/** Settings whose change needs a new server process rather than a configuration notification. */
export const RESTART_KEYS = ['agentLsp.server.path', 'agentLsp.server.python', 'agentLsp.agentGlobs'] as const;
