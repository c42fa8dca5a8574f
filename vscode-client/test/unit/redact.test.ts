// Issue 15, finding 6: with `agentLsp.trace.server: verbose`, vscode-jsonrpc wrote
// `agentLsp.setApiKey`'s parameters, the key among them, to the output channel.
// These tests run the real vscode-jsonrpc tracer over an in-memory connection.

import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  createMessageConnection,
  RequestType,
  StreamMessageReader,
  StreamMessageWriter,
  Trace,
  TraceFormat,
  type MessageConnection,
  type Tracer,
} from 'vscode-jsonrpc/node';
import { ApiKeyManager, setApiKeyParams } from '../../src/apiKey';
import { REDACTED, redactingChannel, SecretRedactor } from '../../src/redact';
import { MemorySecrets } from './fakes';

const KEY = 'sk-ant-api03-trace-test-0123456789';
const ExecuteCommand = new RequestType<ReturnType<typeof setApiKeyParams>, null, void>('workspace/executeCommand');

/** A stand-in for `vscode.LogOutputChannel` that keeps every line it is given. */
class RecordingChannel {
  readonly lines: string[] = [];
  logLevel = 1;
  readonly shown: boolean[] = [];
  trace(message: string): void {
    this.lines.push(message);
  }
  info(message: string): void {
    this.lines.push(message);
  }
  error(error: string | Error): void {
    this.lines.push(typeof error === 'string' ? error : String(error.stack));
  }
  append(value: string): void {
    this.lines.push(value);
  }
  show(preserveFocus: boolean): void {
    this.shown.push(preserveFocus);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** What vscode-languageclient's tracer does: text traces as "message\ndata", JSON traces stringified. */
function clientTracer(channel: Pick<RecordingChannel, 'trace'>): Tracer {
  return {
    log(messageOrData: unknown, data?: string) {
      if (typeof messageOrData === 'string') {
        channel.trace(data !== undefined ? `${messageOrData}\n${data}` : messageOrData);
      } else {
        channel.trace(JSON.stringify(messageOrData));
      }
    },
  };
}

/** A client and a server joined by in-memory pipes; the server answers every command with null. */
function connect(): { client: MessageConnection; dispose: () => void } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createMessageConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  server.onRequest(ExecuteCommand, () => null);
  server.listen();
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.listen();
  return {
    client,
    dispose: () => {
      client.dispose();
      server.dispose();
    },
  };
}

/** Hands KEY over through an ApiKeyManager, as the extension does, with the client traced into `channel`. */
async function handOverTraced(
  channel: Pick<RecordingChannel, 'trace'>,
  redactor: SecretRedactor,
  trace: Trace,
  traceFormat: TraceFormat,
): Promise<void> {
  const { client, dispose } = connect();
  try {
    await client.trace(trace, clientTracer(channel), { sendNotification: false, traceFormat });
    const manager = new ApiKeyManager(
      new MemorySecrets(),
      async (apiKey) => {
        await client.sendRequest(ExecuteCommand, setApiKeyParams(apiKey));
      },
      () => true,
      redactor,
    );
    await manager.set(KEY);
    await manager.clear();
  } finally {
    dispose();
  }
}

describe('the API key in traces', () => {
  it('reproduces the leak: the bare tracer writes the key at verbose level', async () => {
    const channel = new RecordingChannel();
    await handOverTraced(channel, new SecretRedactor(), Trace.Verbose, TraceFormat.Text);
    assert.ok(channel.text.includes(KEY), 'the unredacted verbose trace carries the key');
  });

  for (const [trace, format] of [
    [Trace.Verbose, TraceFormat.Text],
    [Trace.Verbose, TraceFormat.JSON],
    [Trace.Compact, TraceFormat.Text],
    [Trace.Messages, TraceFormat.Text],
  ] as const) {
    it(`never writes the key through the redacting channel (${Trace.toString(trace)}, ${format})`, async () => {
      const channel = new RecordingChannel();
      const redactor = new SecretRedactor();
      await handOverTraced(redactingChannel(channel, redactor), redactor, trace, format);
      assert.ok(channel.text.includes('workspace/executeCommand'), 'the request was traced');
      if (trace !== Trace.Messages) {
        assert.ok(channel.text.includes('agentLsp.setApiKey'), 'the parameters were traced');
        assert.ok(channel.text.includes(REDACTED), 'the key was replaced');
      }
      assert.equal(channel.text.includes(KEY), false, channel.text);
      assert.equal(channel.text.includes(KEY.slice(0, 20)), false, 'no part of the key either');
    });
  }

  it('redacts a key already stored when the window opens, before anything is sent', async () => {
    const secrets = new MemorySecrets();
    await secrets.store('agentLsp.anthropicApiKey', KEY);
    const redactor = new SecretRedactor();
    const manager = new ApiKeyManager(secrets, () => Promise.resolve(), () => false, redactor);
    await manager.get();
    assert.equal(redactor.redact(`stderr: key=${KEY}`), `stderr: key=${REDACTED}`);
  });

  it('redacts every quoted form of a key with characters JSON escapes', () => {
    const odd = 'sk-"odd\\key\u0001';
    const redactor = new SecretRedactor();
    redactor.add(odd);
    const once = JSON.stringify({ apiKey: odd });
    const twice = JSON.stringify({ message: once });
    for (const text of [odd, once, twice]) {
      const out = redactor.redact(text);
      assert.equal(out.includes('odd'), false, out);
    }
  });

  it('redacts every text method of the channel and leaves the rest alone', () => {
    const channel = new RecordingChannel();
    const redactor = new SecretRedactor();
    redactor.add(KEY);
    const wrapped = redactingChannel(channel, redactor);
    wrapped.info(`info ${KEY}`);
    wrapped.error(new Error(`failed with ${KEY}`));
    wrapped.append(`stderr ${KEY}\n`);
    wrapped.show(true);
    assert.equal(wrapped.logLevel, 1);
    assert.deepEqual(channel.shown, [true]);
    assert.equal(channel.lines.length, 3);
    assert.equal(channel.text.includes(KEY), false, channel.text);
  });
});
