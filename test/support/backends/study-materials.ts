/**
 * for-hobom-backend's study material table, behind law.SaveStudyMaterialController. It has a unique
 * index on diffId and the save is a plain INSERT, so a second save of one diff fails: the reason the
 * relay must not re-run SaveStudyMaterial blindly after a failed mark.
 */
import * as grpc from "@grpc/grpc-js";
import type { SaveStudyMaterialRequest } from "../../../src/hobom/wire-types.ts";
import { RpcError } from "./double-server.ts";

export class StudyMaterialTable {
  readonly #byDiffId = new Map<string, SaveStudyMaterialRequest>();

  /** Inserts the material; a diffId already present fails with INTERNAL, like the unique index. */
  save(material: SaveStudyMaterialRequest): void {
    if (this.#byDiffId.has(material.diffId)) {
      throw new RpcError(grpc.status.INTERNAL, `duplicate key value violates unique constraint on diffId (${material.diffId})`);
    }
    this.#byDiffId.set(material.diffId, material);
  }

  /** The material saved for this diff, if any. */
  get(diffId: string): SaveStudyMaterialRequest | undefined {
    return this.#byDiffId.get(diffId);
  }

  /** Every saved material, in save order. */
  all(): SaveStudyMaterialRequest[] {
    return [...this.#byDiffId.values()];
  }

  clear(): void {
    this.#byDiffId.clear();
  }
}
