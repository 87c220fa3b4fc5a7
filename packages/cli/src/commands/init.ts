// `stratus init [DIR]`: a function folder from a blueprint, named after the folder
// unless --name says otherwise.
import path from "node:path";
import { createFromBlueprint } from "../blueprints.js";
import type { Context } from "../context.js";
import { emit } from "../output.js";

export interface InitOptions {
  blueprint: string;
  name?: string;
}

export async function init(ctx: Context, dirArg: string | undefined, opts: InitOptions): Promise<void> {
  const dir = path.resolve(dirArg ?? ".");
  const name = opts.name ?? path.basename(dir);
  const created = await createFromBlueprint(opts.blueprint, dir, name);
  emit(ctx.io, { Directory: dir, FunctionName: name, Blueprint: opts.blueprint, Files: created.files }, [
    `Created ${name} in ${dir} from ${opts.blueprint}: ${created.files.join(", ")}`,
    `Next: stratus deploy ${dirArg ?? "."} && stratus invoke ${name}`,
  ]);
}
