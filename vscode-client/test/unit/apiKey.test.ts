import * as assert from 'node:assert/strict';
import { ApiKeyManager, checkApiKeyInput, SECRET_NAME } from '../../src/apiKey';
import { SecretRedactor } from '../../src/redact';
import { MemorySecrets } from './fakes';

function setup(options: { running?: boolean } = {}) {
  const secrets = new MemorySecrets();
  const sent: (string | null)[] = [];
  const state = { running: options.running ?? true };
  const manager = new ApiKeyManager(
    secrets,
    (key) => {
      sent.push(key);
      return Promise.resolve();
    },
    () => state.running,
    new SecretRedactor(),
  );
  return { secrets, sent, state, manager };
}

describe('API key handling', () => {
  it('stores the trimmed key in secret storage and hands it to the server', async () => {
    const { secrets, sent, manager } = setup();
    await manager.set('  sk-ant-test-1  ');
    assert.equal(secrets.values.get(SECRET_NAME), 'sk-ant-test-1');
    assert.deepEqual(sent, ['sk-ant-test-1']);
  });

  it('refuses empty or multi-word input and stores nothing', async () => {
    const { secrets, sent, manager } = setup();
    await assert.rejects(manager.set('   '), /empty/);
    await assert.rejects(manager.set('sk-ant-a sk-ant-b'), /spaces/);
    assert.deepEqual(secrets.writes, []);
    assert.deepEqual(sent, []);
    assert.equal(checkApiKeyInput('sk-ant-ok'), undefined);
  });

  it('clears the key and tells the server to forget it', async () => {
    const { secrets, sent, manager } = setup();
    await manager.set('sk-ant-test-2');
    await manager.clear();
    assert.equal(secrets.values.has(SECRET_NAME), false);
    assert.deepEqual(sent, ['sk-ant-test-2', null]);
  });

  it('sends the stored key again to each new server process', async () => {
    const { sent, manager } = setup();
    await manager.set('sk-ant-test-3');
    assert.equal(await manager.serverStarted(), true);
    assert.deepEqual(sent, ['sk-ant-test-3', 'sk-ant-test-3']);
  });

  it('sends nothing to a new server when no key is stored, so ANTHROPIC_API_KEY keeps working', async () => {
    const { sent, manager } = setup();
    assert.equal(await manager.serverStarted(), false);
    assert.deepEqual(sent, []);
  });

  it('holds the key back while no server may have it, and delivers it when one starts', async () => {
    const { sent, state, manager } = setup({ running: false });
    await manager.set('sk-ant-test-4');
    assert.deepEqual(sent, []);
    state.running = true;
    await manager.serverStarted();
    assert.deepEqual(sent, ['sk-ant-test-4']);
  });

  it('does not send the same key twice when the secret-change event follows our own write', async () => {
    const { sent, manager } = setup();
    await manager.set('sk-ant-test-5');
    assert.equal(await manager.sync(), false);
    assert.deepEqual(sent, ['sk-ant-test-5']);
  });

  it('picks up a key changed in another window', async () => {
    const { secrets, sent, manager } = setup();
    await manager.set('sk-ant-old');
    await secrets.store(SECRET_NAME, 'sk-ant-new');
    assert.equal(await manager.sync(), true);
    assert.deepEqual(sent, ['sk-ant-old', 'sk-ant-new']);
  });
});
