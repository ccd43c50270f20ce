// tokjs_check.mjs MODEL_DIR CORPUS: encodes every line of CORPUS (one JSON
// string per line) with Hugging Face's tokenizers.js and prints the ids, one
// JSON array per line. Used by test_tokjs.c as an independent implementation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(process.env.IMAGINE_NODE_MODULES + "/");
const { Tokenizer } = require("@huggingface/tokenizers");
const [dir, corpus] = process.argv.slice(2);
const tj = JSON.parse(readFileSync(dir + "/tokenizer.json", "utf8"));
const tc = JSON.parse(readFileSync(dir + "/tokenizer_config.json", "utf8"));
const tok = new Tokenizer(tj, tc);
const out = [];
for (const line of readFileSync(corpus, "utf8").split("\n")) {
  if (!line) continue;
  out.push(JSON.stringify(tok.encode(JSON.parse(line), { add_special_tokens: false }).ids));
}
process.stdout.write(out.join("\n") + "\n");
