import * as assert from 'node:assert/strict';
import { buildAskArgs, parseAgentList, toPickItems } from '../../src/ask';

const cursor = { start: { line: 3, character: 4 }, end: { line: 3, character: 4 } };

describe('askAgent argument', () => {
  it('carries the uri and the unsaved text, and no range for a bare cursor', () => {
    const args = buildAskArgs({ uri: 'file:///src/app.ts', text: 'unsaved edit', selection: cursor });
    assert.deepEqual(args, { uri: 'file:///src/app.ts', text: 'unsaved edit' });
  });

  it('carries the selection and the chosen agent', () => {
    const selection = { start: { line: 1, character: 0 }, end: { line: 4, character: 2 } };
    const args = buildAskArgs({ uri: 'untitled:Untitled-1', text: 'a\nb', selection }, 'code-reviewer');
    assert.deepEqual(args, {
      uri: 'untitled:Untitled-1',
      text: 'a\nb',
      range: selection,
      agent: 'code-reviewer',
    });
  });

  it('copies the range so later editor changes do not alter a request in flight', () => {
    const selection = { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } };
    const args = buildAskArgs({ uri: 'file:///a', text: '', selection });
    selection.end.line = 9;
    assert.equal(args.range?.end.line, 2);
  });
});

describe('agent quick pick', () => {
  it('keeps well-formed agents from the server answer and drops the rest', () => {
    const agents = parseAgentList([
      { name: 'backend-architect', description: 'Designs services', path: '/a.md', model: 'opus' },
      { name: '', description: 'no name' },
      'not an object',
      { name: 'reviewer', description: 7, path: '/b.md' },
    ]);
    assert.deepEqual(agents, [
      { name: 'backend-architect', description: 'Designs services', path: '/a.md', model: 'opus' },
      { name: 'reviewer', description: '', path: '/b.md' },
    ]);
    assert.deepEqual(parseAgentList(null), []);
  });

  it('sorts by name and shows the model and the first line of the description', () => {
    const items = toPickItems([
      { name: 'zeta', description: 'Last one\nmore text', path: '/z.md' },
      { name: 'alpha', description: 'First one', path: '/a.md', model: 'haiku' },
    ]);
    assert.deepEqual(items, [
      { label: 'alpha', agent: 'alpha', description: 'haiku', detail: 'First one' },
      { label: 'zeta', agent: 'zeta', detail: 'Last one' },
    ]);
  });
});
