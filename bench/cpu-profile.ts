/**
 * Reading a Chrome-format .cpuprofile (what `bun --cpu-prof` writes): the functions with the most
 * self time (where the CPU was) and the most total time (what it was done for), by sample weight.
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Frame {
  readonly name: string;
  /** Percent of all sampled time. */
  readonly selfPercent: number;
  readonly totalPercent: number;
  readonly selfMs: number;
}

const ROOT = resolve(import.meta.dir, "..");

/** "fn (file:line)" with paths relative to the repository, node_modules shortened. */
function frameName(frame: ProfileNode["callFrame"]): string {
  const fn = frame.functionName || "(anonymous)";
  if (!frame.url) return fn;
  let file = frame.url.replace(/^file:\/\//, "");
  file = file.startsWith("/") ? relative(ROOT, file) : file;
  file = file.replace(/^.*node_modules\//, "");
  return `${fn} (${file}:${frame.lineNumber + 1})`;
}

/** Top frames by self and by total time, `limit` each. */
export function topFrames(path: string, limit = 15): { bySelf: Frame[]; byTotal: Frame[]; sampledMs: number } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampled = 0;
  profile.samples.forEach((id, index) => {
    const weight = Math.max(0, profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0);
    sampled += weight;
    const node = byId.get(id);
    if (!node) return;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + weight);
    // Each function counts once per sample, however deep its recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const frameLabel = frameName(frame.callFrame);
      if (seen.has(frameLabel)) continue;
      seen.add(frameLabel);
      total.set(frameLabel, (total.get(frameLabel) ?? 0) + weight);
    }
  });
  const toFrames = (map: Map<string, number>, key: "self" | "total") =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .filter(([name]) => key === "self" || !/^\((root|program|idle)\)/.test(name))
      .slice(0, limit)
      .map(([name, _us]) => ({
        name,
        selfPercent: ((self.get(name) ?? 0) / sampled) * 100,
        totalPercent: ((total.get(name) ?? 0) / sampled) * 100,
        selfMs: (self.get(name) ?? 0) / 1000,
      }));
  return { bySelf: toFrames(self, "self"), byTotal: toFrames(total, "total"), sampledMs: sampled / 1000 };
}
