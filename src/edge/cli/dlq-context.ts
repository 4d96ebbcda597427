/** What every dlq subcommand works with, built once by `dlq` from the options. */
import type { ApiClient } from "./api-client.ts";
import type { ParsedArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export interface DlqContext {
  readonly client: ApiClient;
  readonly io: CliIo;
  readonly args: ParsedArgs;
  /** Print the API's JSON answers exactly, nothing else on stdout. */
  readonly json: boolean;
  /** A command line to the same instance with the same key, for the next steps printed: `again("job", id)`. */
  again(...words: string[]): string;
  /** The subcommand's arguments as given, for the command of the next page. */
  readonly raw: readonly string[];
}
