// yaml-language-server 2.0.0's validation alone, without the server's 200 ms debounce:
// node yamlls_validate.mjs SCHEMA.json DOC.yaml ITERATIONS  -> {"ms": [...], "diagnostics": N}
// The document alternates `color: blue` / `color: blux`, as benchmarks/run.py edits it.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getLanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';

const [schemaPath, docPath, iterationsText] = process.argv.slice(2);
const schemaUri = pathToFileURL(schemaPath).href;
const docUri = pathToFileURL(docPath).href;
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const service = getLanguageService({
  schemaRequestService: async (uri) => readFileSync(new URL(uri), 'utf8'),
  workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).href },
  telemetry: { send() {}, sendError() {}, sendTrack() {} },
  clientCapabilities: {},
});
service.configure({ validate: true, hover: true, completion: true, schemas: [{ uri: schemaUri, fileMatch: ['*.yaml'], schema }] });
const base = readFileSync(docPath, 'utf8');
const variants = [base.replace(/^color: \w+/m, 'color: blux'), base];
const iterations = Number(iterationsText);
const ms = [];
let diagnostics = 0;
for (let i = 0; i < iterations + 20; i++) {
  const doc = TextDocument.create(docUri, 'yaml', i + 1, variants[i % 2]);
  const start = process.hrtime.bigint();
  const result = await service.doValidation(doc, false);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (i >= 20) ms.push(elapsed); // the first runs compile the schema and warm the JIT
  if (i % 2 === 0) diagnostics = result.length;
}
console.log(JSON.stringify({ ms, diagnostics }));
