import * as assert from 'node:assert/strict';
import { statusLook } from '../../src/status';

describe('status bar item', () => {
  it('shows a distinct icon for each state and points to the log', () => {
    const states = ['starting', 'running', 'failed', 'stopped'] as const;
    const texts = states.map((s) => statusLook(s).text);
    assert.equal(new Set(texts).size, states.length);
    for (const state of states) {
      assert.match(statusLook(state).tooltip, /show the log/);
    }
    assert.match(statusLook('failed', 'agent-lsp not found').tooltip, /agent-lsp not found/);
  });
});
