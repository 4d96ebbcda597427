/** `dlq ls`, `dlq show`, `dlq rm` and `dlq audit`: reading entries and the audit trail, deleting one entry. */
import { UsageError } from "./args.ts";
import { auditTable } from "./audit-format.ts";
import type { DlqContext } from "./dlq-context.ts";
import { entryFilters, wholeNumber } from "./dlq-options.ts";
import { entriesFooter, entriesTable, entryView } from "./entry-format.ts";
import { EXIT_FAILED } from "./exit-codes.ts";
import { isYes } from "./io.ts";
import { printable } from "./table.ts";

/** `GET /dlq/entries` takes at most this many a page. */
const MAX_PAGE = 500;

export async function lsCommand({ client, io, args, json, again, raw }: DlqContext): Promise<number> {
  const answer = await client.listEntries({
    ...entryFilters(args),
    limit: wholeNumber(args, "--limit", 1, MAX_PAGE),
    cursor: args.value("--cursor"),
  });
  if (json) {
    io.out(`${answer.text.trimEnd()}\n`);
    return 0;
  }
  const page = answer.body;
  if (page.items.length > 0) io.out(`${entriesTable(page.items, io.now(), io.columns).join("\n")}\n`);
  io.out(`${entriesFooter(page, (cursor) => again("ls", ...withoutOption(raw, "--cursor"), "--cursor", cursor))}\n`);
  return 0;
}

export async function showCommand({ client, io, args, json }: DlqContext): Promise<number> {
  const key = args.positionals[0] as string;
  const answer = await client.getEntry(key);
  io.out(json ? `${answer.text.trimEnd()}\n` : `${entryView(key, answer.body, io.now()).join("\n")}\n`);
  return 0;
}

export async function rmCommand({ client, io, args, json }: DlqContext): Promise<number> {
  const key = args.positionals[0] as string;
  if (!args.flag("--yes")) {
    if (!io.canAsk) throw new UsageError("dlq rm deletes an entry for good and asks first; stdin is not a terminal, so add --yes to delete without asking");
    // Shown before asking, so that the operator confirms what is deleted, not a key; a 404 ends it here.
    const { body } = await client.getEntry(key);
    const what = body.meta
      ? `${body.meta.pipeline} entry, ${body.meta.attempts} attempt(s), reason: ${printable(body.meta.reason)}`
      : "entry written by the Go processor";
    const reply = await io.ask(`Delete ${key} (${what})? It cannot be undone. [y/N] `);
    if (!isYes(reply)) {
      io.err("not deleted\n");
      return EXIT_FAILED;
    }
  }
  const answer = await client.deleteEntry(key);
  io.out(json ? `${answer.text.trimEnd()}\n` : `deleted ${key}\n`);
  return 0;
}

export async function auditCommand({ client, io, args, json, again, raw }: DlqContext): Promise<number> {
  const answer = await client.audit({ limit: wholeNumber(args, "--limit", 1, 10_000), before: args.value("--before") });
  if (json) {
    io.out(`${answer.text.trimEnd()}\n`);
    return 0;
  }
  const page = answer.body;
  if (page.items.length === 0) io.out("the audit trail is empty\n");
  else io.out(`${auditTable(page.items, io.columns).join("\n")}\n`);
  if (page.nextBefore) io.out(`older entries: ${again("audit", ...withoutOption(raw, "--before"), "--before", page.nextBefore)}\n`);
  return 0;
}

/** The arguments without `option` and its value, and without the connection options `again` adds back. */
function withoutOption(raw: readonly string[], option: string): string[] {
  const kept: string[] = [];
  for (let index = 0; index < raw.length; index++) {
    const arg = raw[index] as string;
    const name = arg.split("=")[0] as string;
    if ([option, "--url", "--api-key-file"].includes(name)) {
      if (!arg.includes("=")) index++;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}
