/**
 * `migrate [--print]`: creates or upgrades what the pipelines file's sources need in their own
 * databases (the outbox table, its indexes and notification trigger). Safe to run on every deploy:
 * each step is a no-op once done. `--print` shows the statements and changes nothing, for a DBA.
 */
import { describeError } from "../../engine/errors.ts";
import { type Declaration, loadPipelinesFile } from "../../pipelines/file.ts";
import type { Migration, SourceKind } from "../../pipelines/kind.ts";
import { SOURCE_KINDS } from "../../pipelines/kinds.ts";
import { EXIT_CONFIG } from "./exit-codes.ts";

/** The names a pipelines file may not take (the built-in pipelines' names and DLQ prefixes). */
type Reserved = Parameters<typeof loadPipelinesFile>[2];

/** `migrate` needs the pipelines file alone, not the service's whole configuration: it runs before the service is configured. */
export async function migrateCommand(env: Readonly<Record<string, string | undefined>>, print: boolean, reserved: Reserved): Promise<number> {
  const path = env.HOBOM_PIPELINES_FILE;
  if (path === undefined || path === "") {
    process.stderr.write("hobom-event-processor migrate: HOBOM_PIPELINES_FILE is not set; migrate creates the outbox tables the pipelines file declares\n");
    return EXIT_CONFIG;
  }
  const file = loadPipelinesFile(path, env, reserved);
  if (file.problems.length > 0) {
    process.stderr.write(`hobom-event-processor: the pipelines file has ${file.problems.length} problem(s):\n`);
    for (const problem of file.problems) process.stderr.write(`  - ${problem}\n`);
    return EXIT_CONFIG;
  }
  return migrate(file.declarations, print);
}

export async function migrate(
  declarations: readonly Declaration[],
  print: boolean,
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const migrations: { pipeline: string; migration: Migration }[] = [];
  for (const declaration of declarations) {
    // The table's rows are typed by kind; a declaration carries its kind's own options.
    const kind = SOURCE_KINDS[declaration.source.kind] as SourceKind<unknown, unknown>;
    const migration = kind.migration?.(declaration.source.options);
    if (migration) migrations.push({ pipeline: declaration.name, migration });
  }
  if (migrations.length === 0) {
    out("nothing to migrate: no pipeline in the file has a source with a schema of its own (sql-outbox)\n");
    return 0;
  }
  let failed = 0;
  for (const { pipeline, migration } of migrations) {
    try {
      if (print) {
        const statements = await migration.statements();
        out(
          `-- pipeline ${pipeline}: ${migration.target}\n${statements.length > 0 ? statements.map((statement) => `${statement.trim()};\n`).join("\n") : "-- up to date\n"}\n`,
        );
      } else {
        await migration.run();
        out(`ok   pipeline ${pipeline}: ${migration.target}\n`);
      }
    } catch (error) {
      failed++;
      out(`FAIL pipeline ${pipeline}: ${migration.target}: ${describeError(error)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}
