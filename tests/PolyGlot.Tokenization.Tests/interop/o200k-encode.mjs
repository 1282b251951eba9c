// Encodes texts with gpt-tokenizer's o200k_base (an independent JavaScript implementation of
// OpenAI's tokenizer) for the PolyGlot tests. Input: a JSON array of strings on stdin. Output: a
// JSON array with the token ids of each string. Special-token text is encoded as ordinary text.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
try {
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((text) => encode(text, { disallowedSpecial: new Set() }))));
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
