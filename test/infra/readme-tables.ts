/** Rewrites the README's generated tables from the code (see test/support/readme-tables.ts). */
import { resolve } from "node:path";
import { withTables } from "../support/readme-tables.ts";

const path = resolve(import.meta.dir, "../../README.md");
await Bun.write(path, withTables(await Bun.file(path).text()));
console.log("README.md: tables written");
