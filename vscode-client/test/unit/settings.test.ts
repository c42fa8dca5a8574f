import * as assert from 'node:assert/strict';
import { agentDocumentSelector, toServerOptions } from '../../src/settings';

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

  it('drops values of the wrong type from a hand-edited settings.json', () => {
    const options = toServerOptions(
      { maxTokens: '4096', timeoutSeconds: -5, models: ['opus'], agentGlobs: 'x/*.md', baseUrl: 42 },
      true,
    );
    assert.deepEqual(options, { apiEnabled: true });
  });

  it('never carries an API key, even if one was typed into settings.json', () => {
    const options = toServerOptions({ ...DEFAULTS, apiKey: 'sk-ant-should-not-travel' }, true);
    assert.equal(JSON.stringify(options).includes('sk-ant'), false);
  });
});

describe('document selector', () => {
  it('covers project and plugin agents as Markdown and as VS Code\'s own "chatagent" language', () => {
    assert.deepEqual(agentDocumentSelector([]), [
      { language: 'markdown', pattern: '**/.claude/agents/**/*.md' },
      { language: 'chatagent', pattern: '**/.claude/agents/**/*.md' },
      { language: 'markdown', pattern: '**/agents/**/*.md' },
      { language: 'chatagent', pattern: '**/agents/**/*.md' },
    ]);
  });

  it('adds the user globs once each', () => {
    const patterns = agentDocumentSelector(['team/agents/*.md', '**/agents/**/*.md', ' ']).map((f) => f.pattern);
    assert.deepEqual(
      [...new Set(patterns)],
      ['**/.claude/agents/**/*.md', '**/agents/**/*.md', 'team/agents/*.md'],
    );
    assert.equal(patterns.length, 6);
  });
});
