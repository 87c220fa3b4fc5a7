// Staging labels as Secrets Manager moves them when a version is added: a label is on
// at most one version; the new version takes the labels it is given (AWSCURRENT when
// none are), and the version that loses AWSCURRENT takes AWSPREVIOUS from whichever
// held it. A secret's first version is AWSCURRENT whatever it is given. Versions left
// with no label are kept, oldest dropped past the limit, as Secrets Manager does.
export const CURRENT = "AWSCURRENT";
export const PREVIOUS = "AWSPREVIOUS";
/** Versions a secret keeps; past it, the oldest unlabelled ones go. */
export const MAX_VERSIONS = 100;

/** A version's id and labels, oldest version first. */
export interface StagedVersion {
  versionId: string;
  stages: string[];
}

export interface StagePlan {
  /** Every version kept, oldest first, the new one last, with its labels after the change. */
  versions: StagedVersion[];
  /** Versions removed (unlabelled, past MAX_VERSIONS). */
  dropped: string[];
}

/** The labels of `versions` once `newId` is added with `labels` (undefined or empty: AWSCURRENT). */
export function stageNewVersion(versions: StagedVersion[], newId: string, labels?: string[]): StagePlan {
  if (versions.some((v) => v.versionId === newId)) throw new Error(`Version ${newId} exists already`);
  const hadCurrent = versions.some((v) => v.stages.includes(CURRENT));
  const given = new Set(labels && labels.length > 0 ? labels : [CURRENT]);
  if (!hadCurrent) given.add(CURRENT);
  const takesCurrent = given.has(CURRENT);
  const next = versions.map((v) => {
    let stages = v.stages.filter((s) => !given.has(s));
    if (takesCurrent) {
      // Given AWSPREVIOUS itself, the new version keeps it: the old current one does not take it.
      if (v.stages.includes(CURRENT) && !given.has(PREVIOUS))
        stages = [...stages.filter((s) => s !== PREVIOUS), PREVIOUS];
      else stages = stages.filter((s) => s !== PREVIOUS);
    }
    return { versionId: v.versionId, stages };
  });
  next.push({ versionId: newId, stages: [...given] });
  const dropped: string[] = [];
  let excess = next.length - MAX_VERSIONS;
  const kept = next.filter((v) => {
    if (excess > 0 && v.stages.length === 0) {
      excess--;
      dropped.push(v.versionId);
      return false;
    }
    return true;
  });
  return { versions: kept, dropped };
}

/** The version holding `stage`, if one does. */
export const versionWithStage = (versions: StagedVersion[], stage: string) =>
  versions.find((v) => v.stages.includes(stage));

/** UpdateSecretVersionStage's move: `stage` taken from `removeFrom`, given to `moveTo`. */
export interface StageMove {
  stage: string;
  moveTo?: string;
  removeFrom?: string;
}

/**
 * The labels of `versions` after `move`, as Secrets Manager moves them; or why it is
 * refused. A label held elsewhere must be named where it is taken from; AWSCURRENT can
 * only move, and the version it leaves takes AWSPREVIOUS, as when a version is added.
 */
export function moveStage(versions: StagedVersion[], move: StageMove): StagedVersion[] | string {
  const { stage, moveTo, removeFrom } = move;
  if (moveTo === undefined && removeFrom === undefined)
    return "Either MoveToVersionId or RemoveFromVersionId is required";
  for (const id of [moveTo, removeFrom]) {
    if (id !== undefined && !versions.some((v) => v.versionId === id)) return `Version ${id} not found.`;
  }
  const holder = versionWithStage(versions, stage);
  if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
    return `Staging label ${stage} is not attached to version ${removeFrom}.`;
  }
  if (moveTo !== undefined && holder && holder.versionId !== moveTo && removeFrom === undefined) {
    return `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`;
  }
  if (stage === CURRENT && moveTo === undefined)
    return "You can't remove AWSCURRENT from a version: move it to another";
  if (moveTo !== undefined && holder?.versionId === moveTo) return versions;
  const currentMoves = stage === CURRENT && holder !== undefined && holder.versionId !== moveTo;
  return versions.map((v) => {
    let stages = v.stages.filter((s) => s !== stage);
    if (currentMoves) stages = stages.filter((s) => s !== PREVIOUS);
    if (currentMoves && v.versionId === holder?.versionId) stages.push(PREVIOUS);
    if (v.versionId === moveTo) stages.push(stage);
    return { versionId: v.versionId, stages };
  });
}
