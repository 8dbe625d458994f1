// Parse AsyncAPI documents with the official @asyncapi/parser and print every diagnostic as JSON:
//   node parse.mjs doc.json [doc.json ...]  ->  [{"document": ..., "severity": 0-3, "code": ..., "message": ..., "path": [...]}]
// Severity as the parser gives it: 0 error, 1 warning, 2 information, 3 hint.
import { Parser, fromFile } from "@asyncapi/parser";

const parser = new Parser();
const found = [];
for (const path of process.argv.slice(2)) {
  const { diagnostics } = await fromFile(parser, path).parse();
  for (const d of diagnostics) {
    found.push({ document: path, severity: d.severity, code: d.code, message: d.message, path: d.path });
  }
}
process.stdout.write(JSON.stringify(found));
