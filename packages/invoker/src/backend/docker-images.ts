// The Images capability over the Docker Engine API: pull (with registry credentials,
// following the pull's progress stream to its end, where a failure may only show as
// an errorDetail), inspect and remove. The engine's answers are mapped to Lambda's
// reasons: an image not in its registry is ImageDeleted, a refusal ImageAccessDenied.
import { ImageProblem } from "@stratus/shared";
import type Docker from "dockerode";
import type { ImageInfo, Images } from "./container-backend.js";

/** Lambda's reason for an engine's failed pull. */
export function pullProblem(err: { statusCode?: number; message?: string }): ImageProblem {
  const message = (err.message ?? "pull failed").replace(/^\(HTTP code \d+\) [a-z ]+ - /, "").trim();
  if (/unauthorized|denied|authentication required|forbidden/i.test(message) || err.statusCode === 401) {
    return new ImageProblem("ImageAccessDenied", `The image could not be pulled: ${message}`);
  }
  if (err.statusCode === 404 || /manifest unknown|not found|does not exist/i.test(message)) {
    return new ImageProblem("ImageDeleted", `The image does not exist in its registry: ${message}`);
  }
  return new ImageProblem("ImageAccessDenied", `The image could not be pulled: ${message}`);
}

export function dockerImages(docker: Docker): Images {
  return {
    async pullImage(ref, auth) {
      try {
        const stream = await docker.pull(ref, auth ? { authconfig: auth } : {});
        await new Promise<void>((resolve, reject) => {
          docker.modem.followProgress(
            stream,
            (err: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
              const failed = events?.find((e) => e.error || e.errorDetail);
              if (err) reject(err);
              else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
              else resolve();
            },
          );
        });
      } catch (err) {
        throw pullProblem(err as { statusCode?: number; message?: string });
      }
    },
    async inspectImage(ref): Promise<ImageInfo | undefined> {
      try {
        const info = await docker.getImage(ref).inspect();
        const c = info.Config as { Entrypoint?: string[] | null; Cmd?: string[] | null; WorkingDir?: string };
        return {
          id: info.Id,
          sizeBytes: info.Size,
          architecture: info.Architecture,
          ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
          ...(c.Cmd ? { cmd: c.Cmd } : {}),
          ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
        };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    async removeImage(ref) {
      try {
        await docker.getImage(ref).remove({ force: false, noprune: false });
        return true;
      } catch {
        return false;
      }
    },
  };
}
