// tokjs_check.mjs MODEL_DIR CORPUS: for every line of CORPUS (one JSON
// string per line), what Hugging Face's tokenizers.js makes of it, one JSON
// object per line: the ids without and with the post-processor's special
// tokens, the decoded text, and each token decoded alone (an incomplete
// UTF-8 sequence shows as U+FFFD). Strings are escaped as Python's
// json.dumps(ensure_ascii=True) does, so that test_tokjs.c compares bytes.
// An independent implementation for test_tokjs.c.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(process.env.IMAGINE_NODE_MODULES + "/");
const { Tokenizer } = require("@huggingface/tokenizers");
const [dir, corpus] = process.argv.slice(2);
const tj = JSON.parse(readFileSync(dir + "/tokenizer.json", "utf8"));
const tc = JSON.parse(readFileSync(dir + "/tokenizer_config.json", "utf8"));
const tok = new Tokenizer(tj, tc);
const named = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
const hex = (c) => "\\u" + c.toString(16).padStart(4, "0");
function esc(s) {
  let o = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (named[ch]) o += named[ch];
    else if (c >= 0x20 && c < 0x7f) o += ch;
    else if (c < 0x10000) o += hex(c);
    else o += hex(0xd800 + ((c - 0x10000) >> 10)) + hex(0xdc00 + ((c - 0x10000) & 0x3ff));
  }
  return o + '"';
}
const opts = { skip_special_tokens: false, clean_up_tokenization_spaces: false };
const out = [];
for (const line of readFileSync(corpus, "utf8").split("\n")) {
  if (!line) continue;
  const text = JSON.parse(line);
  const plain = tok.encode(text, { add_special_tokens: false }).ids;
  const special = tok.encode(text, { add_special_tokens: true }).ids;
  const decoded = plain.length ? tok.decode(plain, opts) : "";
  const pieces = plain.map((id) => esc(tok.decode([id], opts)));
  out.push(`{"plain":[${plain}],"special":[${special}],"text":${esc(decoded)},"pieces":[${pieces}]}`);
}
process.stdout.write(out.join("\n") + "\n");
