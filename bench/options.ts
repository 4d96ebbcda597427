/**
 * What a run measures and at which sizes: the full run (`bun run bench`, ~16 min) or the quick
 * check (`bun run bench -- --quick`: small sizes, one repetition). `--reps N` overrides the
 * repetitions, `--only a,b` runs some sections, `--no-profile` / `--no-poll500` skip the extras.
 */

export const SECTIONS = ["idle", "limits", "backlog", "logs", "all", "steady", "poll500", "outbox", "profile"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly reps: number;
  readonly sections: ReadonlySet<Section>;
  readonly backlogRows: number;
  readonly backlogWarmupRows: number;
  readonly steadyRates: readonly number[];
  readonly steadySeconds: number;
  readonly steadyWarmupSeconds: number;
  /** The extra steady run with HOBOM_POLL_INTERVAL_MS=500: at this rate, for this long, once. */
  readonly poll500Rate: number;
  readonly poll500Seconds: number;
  /** The backlog drained once under the CPU profiler. */
  readonly profileRows: number;
  readonly logRows: number;
  readonly rowsPerPipeline: number;
  readonly idleSeconds: number;
  readonly baselineRows: number;
  /** The Go variant with a 1 s wait before every write is measured on this many rows. */
  readonly goWaitRows: number;
  readonly rawKafkaRows: number;
  readonly rawMarkRows: number;
  /** The SQL outbox section: a PostgreSQL backlog of this many rows, steady single-row commits at these rates for this long. */
  readonly outboxRows: number;
  readonly outboxRates: readonly number[];
  readonly outboxSeconds: number;
}

const FULL = {
  reps: 3,
  backlogRows: 100_000,
  backlogWarmupRows: 10_000,
  steadyRates: [500, 2_000, 10_000],
  steadySeconds: 60,
  steadyWarmupSeconds: 10,
  poll500Rate: 2_000,
  poll500Seconds: 30,
  profileRows: 50_000,
  logRows: 50_000,
  rowsPerPipeline: 1_000,
  idleSeconds: 10,
  baselineRows: 3_000,
  goWaitRows: 10,
  rawKafkaRows: 100_000,
  rawMarkRows: 30_000,
  outboxRows: 100_000,
  outboxRates: [500, 2_000],
  outboxSeconds: 30,
};

const QUICK: typeof FULL = {
  reps: 1,
  backlogRows: 10_000,
  backlogWarmupRows: 2_000,
  steadyRates: [500, 2_000, 10_000],
  steadySeconds: 10,
  steadyWarmupSeconds: 3,
  poll500Rate: 2_000,
  poll500Seconds: 10,
  profileRows: 10_000,
  logRows: 5_000,
  rowsPerPipeline: 200,
  idleSeconds: 5,
  baselineRows: 500,
  goWaitRows: 3,
  rawKafkaRows: 10_000,
  rawMarkRows: 5_000,
  outboxRows: 10_000,
  outboxRates: [500, 2_000],
  outboxSeconds: 8,
};

export function parseOptions(args: readonly string[]): BenchOptions {
  const quick = args.includes("--quick");
  const sizes = quick ? QUICK : FULL;
  const value = (name: string) => {
    const inline = args.find((arg) => arg.startsWith(`${name}=`));
    if (inline) return inline.slice(name.length + 1);
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const reps = Number(value("--reps") ?? sizes.reps);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer`);
  const only = value("--only");
  let sections = new Set<Section>(only ? (only.split(",") as Section[]) : SECTIONS);
  for (const section of sections) if (!SECTIONS.includes(section)) throw new Error(`unknown section "${section}"; known: ${SECTIONS.join(", ")}`);
  if (args.includes("--no-profile")) sections.delete("profile");
  if (args.includes("--no-poll500")) sections.delete("poll500");
  if (quick && !only) sections = new Set([...sections].filter((section) => section !== "profile"));
  return { quick, ...sizes, reps, sections };
}
