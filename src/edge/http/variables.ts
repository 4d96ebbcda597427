/** The HTTP API's own variables beside the core ones: named api keys. */
import { type Parser, ValueProblem } from "../../config/parsers.ts";
import { variable } from "../../config/variable.ts";

/** One api key with the name the audit trail and the logs give its holder. */
export interface NamedApiKey {
  readonly name: string;
  readonly key: string;
}

/** What an api key's name may be. */
export const KEY_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * `name:key,name:key`: names unique, keys unique and non-empty (a key may hold colons: the name
 * ends at the first). A problem names the item by position and its name, never the key.
 */
export const namedApiKeys: Parser<NamedApiKey[]> = (raw) => {
  const keys: NamedApiKey[] = [];
  for (const [index, item] of raw.split(",").entries()) {
    const where = `item ${index + 1}`;
    const text = item.trim();
    if (text === "") throw new ValueProblem(`${where} is empty; write name:key pairs separated by commas`);
    const colon = text.indexOf(":");
    if (colon < 0) throw new ValueProblem(`${where} has no name; write name:key (a name is lower-case letters, digits, . _ -)`);
    const name = text.slice(0, colon);
    const key = text.slice(colon + 1);
    if (!KEY_NAME.test(name)) {
      throw new ValueProblem(`${where}: the name is not 1 to 63 of lower-case letters, digits, . _ - starting with a letter or digit`);
    }
    if (key === "") throw new ValueProblem(`${where} (${name}) has an empty key`);
    if (keys.some((known) => known.name === name)) throw new ValueProblem(`the name ${name} is given twice; every key has a name of its own`);
    if (keys.some((known) => known.key === key))
      throw new ValueProblem(`${where} (${name}) has the same key as an earlier item; give every holder a key of their own`);
    keys.push({ name, key });
  }
  return keys;
};

export const INTERNAL_API_KEYS_VARIABLE = variable({
  name: "HOBOM_INTERNAL_API_KEYS",
  doc: "Named x-api-keys the API accepts, `name:key` pairs separated by commas; the name is who the audit trail and the logs say acted. Beside or instead of HOBOM_INTERNAL_API_KEY.",
  example: "alice:k3y-for-alice,ci-bot:k3y-for-ci",
  secret: true,
  parse: namedApiKeys,
});
