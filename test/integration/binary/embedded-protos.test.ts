/** The protos travel inside the executable: compile, copy alone to an empty folder, run. */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ENTRY = resolve(import.meta.dir, "../../fixtures/embedded-protos-entry.ts");

test("a compiled program that loads the protos runs from an empty folder and sees every HoBom rpc", async () => {
  const build = mkdtempSync(join(tmpdir(), "hobom-build-"));
  const empty = mkdtempSync(join(tmpdir(), "hobom-empty-"));
  try {
    const compiled = Bun.spawnSync([process.execPath, "build", "--compile", ENTRY, "--outfile", join(build, "entry")], { stderr: "pipe" });
    expect(compiled.exitCode, compiled.stderr.toString()).toBe(0);
    await Bun.write(join(empty, "entry"), Bun.file(join(build, "entry")));
    Bun.spawnSync(["chmod", "+x", join(empty, "entry")]);
    expect(readdirSync(empty)).toEqual(["entry"]);

    const run = Bun.spawnSync([join(empty, "entry")], { cwd: empty, env: { PATH: "/usr/bin:/bin" }, stderr: "pipe" });
    expect(run.exitCode, run.stderr.toString()).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toEqual([
      "/law.SaveStudyMaterialController/SaveStudyMaterial",
      "/llm.StudyMaterialService/Generate",
      "/outbox.angel.FindHoBomAngelOutboxController/FindOutboxByEventTypeAndStatusUseCase",
      "/outbox.angel.PatchHoBomAngelOutboxController/PatchOutboxMarkAsFailedUseCase",
      "/outbox.angel.PatchHoBomAngelOutboxController/PatchOutboxMarkAsSentUseCase",
      "/outbox.law.FindHoBomLawOutboxController/FindOutboxByEventTypeAndStatusUseCase",
      "/outbox.log.FindHoBomLogOutboxController/FindLogOutboxByEventTypeAndStatusUseCase",
      "/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase",
      "/outbox.message.PatchOutboxController/PatchOutboxMarkAsFailedUseCase",
      "/outbox.message.PatchOutboxController/PatchOutboxMarkAsSentUseCase",
      "/outbox.space.FindHoBomSpaceOutboxController/FindOutboxByEventTypeAndStatusUseCase",
      "/outbox.space.PatchHoBomSpaceOutboxController/PatchOutboxMarkAsFailedUseCase",
      "/outbox.space.PatchHoBomSpaceOutboxController/PatchOutboxMarkAsSentUseCase",
    ]);
  } finally {
    rmSync(build, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
});
