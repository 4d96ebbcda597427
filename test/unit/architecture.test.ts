/**
 * The folders keep the architecture: the engine knows no transport (it imports no source, sink,
 * state or edge folder, and none of the clients those use), and no module imports itself round
 * a circle. Read from the import statements of src/, so a change that breaks either fails here.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

/** Every module of src/ and what it imports: files of src/ by path, packages by name. */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) graph.set(relative(SRC, path), importsOf(path));
    }
  };
  walk(SRC);
  return graph;
}

function importsOf(path: string): { files: string[]; packages: string[] } {
  const text = readFileSync(path, "utf8");
  const files: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
    const spec = match[1] as string;
    if (spec.startsWith(".")) {
      const target = relative(SRC, resolve(dirname(path), spec));
      // Files outside src/ (the embedded protos) are data, not modules.
      if (!target.startsWith("..")) files.push(target);
    } else packages.push(spec);
  }
  return { files, packages };
}

/** Every circle of imports, each as the modules on it (Tarjan's strongly connected components). */
function circles(graph: Map<string, { files: string[] }>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.files ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) as number, indices.get(next) as number));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.files.includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

const graph = importGraph();

describe("the architecture of src/", () => {
  test("has no import circle", () => {
    expect(circles(graph)).toEqual([]);
  });

  test("the engine imports no source, sink, state, edge or HoBom module, and no transport's client", () => {
    const forbiddenFolders = ["sources/", "sinks/", "state/", "edge/", "grpc/", "hobom/", "pipelines/", "config/"];
    const forbiddenPackages = ["@grpc/grpc-js", "@grpc/proto-loader", "kafkajs", "bun", "elysia", "prom-client", "protobufjs"];
    const offences: string[] = [];
    for (const [module, { files, packages }] of graph) {
      if (!module.startsWith("engine/")) continue;
      for (const file of files) if (forbiddenFolders.some((folder) => file.startsWith(folder))) offences.push(`${module} imports ${file}`);
      for (const name of packages) if (forbiddenPackages.includes(name)) offences.push(`${module} imports ${name}`);
    }
    expect(offences).toEqual([]);
  });

  test("sees the modules it checks (the check itself would pass on an empty graph)", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("main.ts")?.files).toContain("engine/run.ts");
    expect(graph.get("engine/cycle.ts")?.files).toContain("engine/deliver.ts");
  });
});
