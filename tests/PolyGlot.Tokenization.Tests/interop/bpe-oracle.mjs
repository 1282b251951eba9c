// Independent byte-level BPE implementations for the PolyGlot tests: Hugging Face tokenizers
// (Rust core, Node binding) and gpt-tokenizer (tiktoken encodings).
//
//   node bpe-oracle.mjs train CORPUS.txt OUT_DIR
//       trains a byte-level BPE with Hugging Face tokenizers and writes three tokenizer.json
//       variants under OUT_DIR: gpt2/ (ByteLevel pre-tokenizer with GPT-2's regex),
//       llama3/ (Split with Llama 3's regex, then ByteLevel without regex, plus special tokens)
//       and qwen/ (Qwen2's regex and an NFC normalizer)
//   node bpe-oracle.mjs encode TOKENIZER.json TEXTS.json     -> {"ids": [[...], ...]}
//   node bpe-oracle.mjs tiktoken ENCODING TEXTS.json         -> {"ids": [[...], ...]} (gpt-tokenizer)
//   node bpe-oracle.mjs tiktoken-file ENCODING               -> path of gpt-tokenizer's ENCODING.tiktoken
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import tokenizers from "tokenizers";

const { Tokenizer, BPE, byteLevelPreTokenizer, splitPreTokenizer, sequencePreTokenizer, nfcNormalizer } = tokenizers;
const require = createRequire(import.meta.url);

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function save(tokenizer, dir) {
  fs.mkdirSync(dir, { recursive: true });
  tokenizer.save(path.join(dir, "tokenizer.json"));
}

// The Node binding's splitPreTokenizer takes a literal string; Llama 3 and Qwen split by a regex,
// so the saved pattern is turned into a Regex one and the file reloaded (which validates it).
function splitVariant(trainedFile, dir, pattern, specials, normalize) {
  const t = Tokenizer.fromFile(trainedFile);
  t.setPreTokenizer(sequencePreTokenizer([splitPreTokenizer(pattern, "isolated", false), byteLevelPreTokenizer(false, false)]));
  if (normalize) t.setNormalizer(nfcNormalizer());
  t.addSpecialTokens(specials);
  save(t, dir);
  const file = path.join(dir, "tokenizer.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  json.pre_tokenizer.pretokenizers[0].pattern = { Regex: pattern };
  fs.writeFileSync(file, JSON.stringify(json));
  Tokenizer.fromFile(file);
}

async function main() {
  const [command, a, b] = process.argv.slice(2);
  if (command === "train") {
    const t = new Tokenizer(BPE.empty());
    t.setPreTokenizer(byteLevelPreTokenizer(false, true));
    t.train([a]);
    t.addSpecialTokens(["<|endoftext|>"]);
    save(t, path.join(b, "gpt2"));
    const trained = path.join(b, "gpt2", "tokenizer.json");
    splitVariant(trained, path.join(b, "llama3"), LLAMA3, ["<|begin_of_text|>", "<|end_of_text|>"], false);
    splitVariant(trained, path.join(b, "qwen"), QWEN2, ["<|im_start|>", "<|im_end|>"], true);
    console.log(JSON.stringify({ vocab: t.getVocabSize(true) }));
  } else if (command === "encode") {
    const t = Tokenizer.fromFile(a);
    const texts = JSON.parse(fs.readFileSync(b, "utf8"));
    const ids = [];
    for (const text of texts) ids.push(Array.from((await t.encode(text, null, { addSpecialTokens: false })).getIds()));
    console.log(JSON.stringify({ ids }));
  } else if (command === "tiktoken") {
    const encoding = require(`gpt-tokenizer/cjs/encoding/${a}`);
    const texts = JSON.parse(fs.readFileSync(b, "utf8"));
    console.log(JSON.stringify({ ids: texts.map((text) => encoding.encode(text, { disallowedSpecial: new Set() })) }));
  } else if (command === "tiktoken-file") {
    console.log(path.join(path.dirname(require.resolve("gpt-tokenizer/package.json")), "data", `${a}.tiktoken`));
  } else {
    console.error("usage: bpe-oracle.mjs train|encode|tiktoken|tiktoken-file ...");
    process.exit(2);
  }
}

main().catch((e) => { console.error(e.stack ?? String(e)); process.exit(1); });
