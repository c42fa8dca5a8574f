import * as assert from 'node:assert/strict';
import {
  AGENT_LANGUAGES,
  SKILL_COMMAND_GLOBS,
  agentDocumentSelector,
  jsonDocumentSelector,
  readSection,
  toServerOptions,
  type InspectedValue,
} from '../../src/settings';

// What `workspace.getConfiguration().get('agentLsp')` returns for the contributed
// defaults in package.json: nested objects for dotted keys.
const DEFAULTS = {
  server: { path: '', python: '' },
  models: {},
  defaultModel: '',
  modelOverride: '',
  maxTokens: 8192,
  baseUrl: '',
  timeoutSeconds: 120,
  maxInputBytes: 200000,
  agentGlobs: [],
  rateLimitPerMinute: 6,
  answersDir: '',
  trace: { server: 'off' },
};

describe('settings sent to the server', () => {
  it('leaves empty strings out so the server applies its own defaults', () => {
    assert.deepEqual(toServerOptions(DEFAULTS, true), {
      apiEnabled: true,
      maxTokens: 8192,
      timeoutSeconds: 120,
      maxInputBytes: 200000,
      rateLimitPerMinute: 6,
      trace: { server: 'off' },
    });
  });

  it('passes every value the user set', () => {
    const options = toServerOptions(
      {
        ...DEFAULTS,
        server: { path: '/opt/agent-lsp', python: ' /venv/bin/python ' },
        models: { opus: 'claude-opus-test', haiku: '' },
        defaultModel: 'claude-default-test',
        modelOverride: 'claude-override-test',
        baseUrl: 'http://127.0.0.1:8123',
        agentGlobs: ['docs/agents/*.md', ''],
        answersDir: '/tmp/answers',
        trace: { server: 'verbose' },
      },
      true,
    );
    assert.deepEqual(options.server, { path: '/opt/agent-lsp', python: '/venv/bin/python' });
    assert.deepEqual(options.models, { opus: 'claude-opus-test' });
    assert.equal(options.defaultModel, 'claude-default-test');
    assert.equal(options.modelOverride, 'claude-override-test');
    assert.equal(options.baseUrl, 'http://127.0.0.1:8123');
    assert.deepEqual(options.agentGlobs, ['docs/agents/*.md']);
    assert.equal(options.answersDir, '/tmp/answers');
    assert.deepEqual(options.trace, { server: 'verbose' });
  });

  it('turns the API off in an untrusted workspace', () => {
    assert.equal(toServerOptions(DEFAULTS, false).apiEnabled, false);
  });

  it('passes the agent-run settings: tools off, turns and token budget', () => {
    const options = toServerOptions({ agentTools: false, maxTurns: 5, tokenBudget: 50000 }, true);
    assert.deepEqual(options, { apiEnabled: true, agentTools: false, maxTurns: 5, tokenBudget: 50000 });
  });

  it('drops values of the wrong type from a hand-edited settings.json', () => {
    const options = toServerOptions(
      { maxTokens: '4096', timeoutSeconds: -5, models: ['opus'], agentGlobs: 'x/*.md', baseUrl: 42, agentTools: 'no' },
      true,
    );
    assert.deepEqual(options, { apiEnabled: true });
  });

  it('never carries an API key, even if one was typed into settings.json', () => {
    const options = toServerOptions({ ...DEFAULTS, apiKey: 'sk-ant-should-not-travel' }, true);
    assert.equal(JSON.stringify(options).includes('sk-ant'), false);
  });
});

/**
 * A `vscode.WorkspaceConfiguration` over three layers. `get` merges them the way
 * VS Code does for a setting a workspace may override (folder over workspace over
 * user over default), so the tests hold even if VS Code let a workspace value through.
 */
function fakeConfiguration(layers: {
  user?: Record<string, unknown>;
  workspace?: Record<string, unknown>;
  folder?: Record<string, unknown>;
}) {
  const defaults: Record<string, unknown> = {
    'agentLsp.server.path': '',
    'agentLsp.server.python': '',
    'agentLsp.baseUrl': '',
    'agentLsp.answersDir': '',
    'agentLsp.maxTokens': 8192,
    'agentLsp.agentGlobs': [],
    'agentLsp.trace.server': 'off',
  };
  const inspect = (key: string): InspectedValue => ({
    defaultValue: defaults[key],
    globalValue: layers.user?.[key],
    workspaceValue: layers.workspace?.[key],
    workspaceFolderValue: layers.folder?.[key],
  });
  return {
    inspect,
    get(section: string): unknown {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(defaults)) {
        const i = inspect(key);
        const value = i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue ?? i.defaultValue;
        let node = out;
        const parts = key.slice(section.length + 1).split('.');
        for (const part of parts.slice(0, -1)) {
          node[part] ??= {};
          node = node[part] as Record<string, unknown>;
        }
        node[parts.at(-1) ?? ''] = value;
      }
      return out;
    },
  };
}

// Issue 15, finding 9: a trusted folder's .vscode/settings.json set baseUrl to its own
// server and received the stored key.
describe('settings a workspace may not set', () => {
  const HOSTILE = {
    'agentLsp.server.path': '/tmp/evil/agent-lsp',
    'agentLsp.server.python': '/tmp/evil/python',
    'agentLsp.baseUrl': 'http://attacker.example:8080',
    'agentLsp.answersDir': '/home/dev/.ssh',
    'agentLsp.maxTokens': 100,
  };

  for (const layer of ['workspace', 'folder'] as const) {
    it(`ignores a ${layer} value of server.path, server.python, baseUrl and answersDir`, () => {
      const section = readSection(fakeConfiguration({ [layer]: HOSTILE }));
      assert.deepEqual(section.server, { path: '', python: '' });
      const options = toServerOptions(section, true);
      assert.equal(options.baseUrl, undefined);
      assert.equal(options.answersDir, undefined);
      assert.equal(options.server, undefined);
      // Settings a workspace may set still apply.
      assert.equal(options.maxTokens, 100);
    });

    it(`keeps the user's own values when a ${layer} tries to replace them`, () => {
      const user = {
        'agentLsp.server.path': '/opt/agent-lsp/bin/agent-lsp',
        'agentLsp.baseUrl': 'https://gateway.example.com',
        'agentLsp.answersDir': '/home/dev/answers',
      };
      const options = toServerOptions(readSection(fakeConfiguration({ user, [layer]: HOSTILE })), true);
      assert.equal(options.baseUrl, 'https://gateway.example.com');
      assert.equal(options.answersDir, '/home/dev/answers');
      assert.deepEqual(options.server, { path: '/opt/agent-lsp/bin/agent-lsp' });
    });
  }

  it('does not change the object the configuration handed out', () => {
    const config = fakeConfiguration({ workspace: HOSTILE });
    const merged = config.get('agentLsp') as Record<string, unknown>;
    const original = JSON.stringify(merged);
    const get = (): unknown => merged;
    readSection({ get, inspect: config.inspect });
    assert.equal(JSON.stringify(merged), original);
  });
});

describe('document selector', () => {
  it('covers project and plugin agents as Markdown, as VS Code\'s own "chatagent" language and as ours', () => {
    assert.deepEqual(agentDocumentSelector([]).slice(0, 6), [
      { language: 'markdown', pattern: '**/.claude/agents/**/*.md' },
      { language: 'chatagent', pattern: '**/.claude/agents/**/*.md' },
      { language: 'claude-agent', pattern: '**/.claude/agents/**/*.md' },
      { language: 'markdown', pattern: '**/agents/**/*.md' },
      { language: 'chatagent', pattern: '**/agents/**/*.md' },
      { language: 'claude-agent', pattern: '**/agents/**/*.md' },
    ]);
  });

  it('covers memory files, output styles and rules', () => {
    const patterns = agentDocumentSelector([]).map((f) => f.pattern);
    for (const glob of ['**/CLAUDE.md', '**/AGENTS.md', '**/output-styles/*.md', '**/.claude/rules/**/*.md']) {
      assert.ok(patterns.includes(glob), glob);
    }
  });

  it('adds the user globs once each', () => {
    const patterns = agentDocumentSelector(['team/agents/*.md', '**/agents/**/*.md', ' ']).map((f) => f.pattern);
    assert.deepEqual(
      [...new Set(patterns)].slice(0, 3),
      ['**/.claude/agents/**/*.md', '**/agents/**/*.md', 'team/agents/*.md'],
    );
    const agentPatterns = patterns.filter((p) => !(SKILL_COMMAND_GLOBS as readonly string[]).includes(p));
    assert.equal(agentPatterns.length, new Set(agentPatterns).size * AGENT_LANGUAGES.length);
  });

  it('sends skills and commands too, as Markdown, as VS Code\'s "skill" language and as ours', () => {
    const filters = agentDocumentSelector([]);
    assert.ok(filters.some((f) => f.pattern === '**/SKILL.md' && f.language === 'skill'));
    assert.ok(filters.some((f) => f.pattern === '**/SKILL.md' && f.language === 'claude-skill'));
    assert.ok(filters.some((f) => f.pattern === '**/SKILL.md' && f.language === 'markdown'));
    assert.ok(filters.some((f) => f.pattern === '**/commands/**/*.md' && f.language === 'markdown'));
  });
});

describe('the JSON files sent to the server', () => {
  it('names each Claude Code JSON file once per JSON language', () => {
    const filters = jsonDocumentSelector();
    assert.equal(filters.length, 12);
    assert.deepEqual(
      filters.filter((f) => f.pattern === '**/.mcp.json'),
      [
        { language: 'json', pattern: '**/.mcp.json' },
        { language: 'jsonc', pattern: '**/.mcp.json' },
      ],
    );
    assert.ok(filters.every((f) => f.pattern.endsWith('.json')));
  });
});
