// Encodes and decodes texts with Hugging Face's `tokenizers` (the Rust core's Node binding)
// loading a tokenizer.json, for comparison with SentencePiece's ids.
// Usage: node hf-tokenizers-encode.mjs TOKENIZER_JSON < texts.json
//   stdin:  a JSON array of strings
//   stdout: {"ids": [[...]], "ids_with_special_tokens": [[...]], "decoded": ["..."]}
//           ids without added special tokens, ids as a user gets them by default, and the
//           decoding of the first (special tokens kept).
import { readFileSync } from "node:fs";
import { Tokenizer } from "tokenizers";

const [tokenizerJson] = process.argv.slice(2);
if (!tokenizerJson) {
  console.error("usage: node hf-tokenizers-encode.mjs TOKENIZER_JSON < texts.json");
  process.exit(2);
}
const tokenizer = Tokenizer.fromFile(tokenizerJson);
const texts = JSON.parse(readFileSync(0, "utf8"));
const plain = await tokenizer.encodeBatch(texts, { addSpecialTokens: false });
const special = await tokenizer.encodeBatch(texts, { addSpecialTokens: true });
const ids = plain.map((e) => Array.from(e.getIds()));
const decoded = await tokenizer.decodeBatch(ids, false);
process.stdout.write(JSON.stringify({
  ids,
  ids_with_special_tokens: special.map((e) => Array.from(e.getIds())),
  decoded,
}));
