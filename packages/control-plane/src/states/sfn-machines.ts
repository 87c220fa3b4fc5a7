// Step Functions' state machine operations: create (the definition validated by the
// engine's validator, InvalidDefinition naming each problem, nothing stored), describe,
// update (a new revision; running executions keep theirs), delete, list, validate, and
// tags. Another account's machine is answered as one that does not exist. EXPRESS
// machines refuse the integration patterns Express does not run; loggingConfiguration
// names a CloudWatch Logs group that must exist (execution-logs.ts).
import { isDeepStrictEqual } from "node:util";
import type { MachineStore, StateMachine } from "../store/sfn-machine-store.js";
import { InvalidDefinitionError } from "./errors.js";
import { type ExecutionLogPort, loggingOf, shownLogging } from "./execution-logs.js";
import { expressProblems } from "./express.js";
import {
  type Body,
  checkName,
  epoch,
  int,
  machineArn,
  parseArn,
  refuseFields,
  sfnErrors,
  str,
  tagsOf,
} from "./sfn-input.js";
import type { Definition } from "./types.js";
import { validateDefinition } from "./validate.js";

const MAX_DEFINITION = 1024 * 1024;
const ROLE = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/;

/** Fields of a create or update Stratus does not implement, refused by name when they ask for something. */
const unsupported = {
  publish: (v: unknown) => v === true,
  versionDescription: (v: unknown) => v !== "",
  // AWS_OWNED_KEY without a key is the default: what "no encryption configuration" means.
  encryptionConfiguration: (v: unknown) => {
    const c = v as Body;
    return !(c?.type === "AWS_OWNED_KEY" && (c.kmsKeyId === undefined || c.kmsKeyId === null));
  },
  tracingConfiguration: (v: unknown) => (v as Body)?.enabled === true,
};

function roleOf(b: Body, required: boolean): string | undefined {
  const role = required ? str(b, "roleArn", { required: true, max: 256 }) : str(b, "roleArn", { max: 256 });
  if (role !== undefined && !ROLE.test(role)) throw sfnErrors.invalidArn(`Invalid Arn: 'Invalid role ARN: ${role}'`);
  return role;
}

function definitionOf(b: Body, required: boolean, type: string): string | undefined {
  const text = required ? str(b, "definition", { required: true }) : str(b, "definition");
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > MAX_DEFINITION)
    throw new InvalidDefinitionError([`the definition is over ${MAX_DEFINITION} bytes`]);
  if (type === "EXPRESS") {
    // Express's own refusals first: an activity is refused for Express, whatever else Stratus runs.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const problems = parsed && typeof parsed === "object" ? expressProblems(parsed as Definition) : [];
    if (problems.length > 0) throw new InvalidDefinitionError(problems);
  }
  validateDefinition(text);
  return text;
}

const described = (m: StateMachine) => ({
  stateMachineArn: m.arn,
  name: m.name,
  status: "ACTIVE",
  definition: m.definition,
  roleArn: m.roleArn,
  type: m.type,
  creationDate: epoch(m.createdAt),
  loggingConfiguration: shownLogging(m.logging),
  tracingConfiguration: { enabled: false },
  revisionId: String(m.revision),
});

export function createMachineService(
  store: MachineStore,
  region: string,
  logs: Pick<ExecutionLogPort, "groupExists"> = { groupExists: async () => false },
) {
  async function machine(account: string, b: Body, key = "stateMachineArn"): Promise<StateMachine> {
    const arn = str(b, key, { required: true, max: 256 });
    parseArn(arn, "stateMachine");
    const m = await store.get(account, arn);
    if (!m) throw sfnErrors.machineNotFound(arn);
    return m;
  }
  return {
    machine,
    async createStateMachine(account: string, b: Body) {
      const name = checkName(str(b, "name", { required: true }), "state machine");
      refuseFields(b, unsupported);
      const type = str(b, "type") ?? "STANDARD";
      if (type !== "STANDARD" && type !== "EXPRESS")
        throw sfnErrors.validation(`'type' must be STANDARD or EXPRESS, not '${type}'`);
      const definition = definitionOf(b, true, type) as string;
      const roleArn = roleOf(b, true) as string;
      const arn = machineArn(region, account, name);
      const tags = tagsOf(b, "tags");
      const logging = (await loggingOf(b, account, region, logs)) ?? undefined;
      const made = {
        arn,
        accountId: account,
        name,
        type: type as StateMachine["type"],
        definition,
        roleArn,
        tags,
        ...(logging ? { logging } : {}),
      };
      if (!(await store.create(made))) {
        // The same request again answers the machine it made.
        const found = await store.get(account, arn);
        const same =
          found?.definition === definition &&
          found.roleArn === roleArn &&
          found.type === type &&
          isDeepStrictEqual(found.logging ?? null, logging ?? null);
        if (!found || !same) throw sfnErrors.machineExists(arn);
        return { stateMachineArn: arn, creationDate: epoch(found.createdAt) };
      }
      const stored = (await store.get(account, arn)) as StateMachine;
      return { stateMachineArn: arn, creationDate: epoch(stored.createdAt) };
    },
    async describeStateMachine(account: string, b: Body) {
      return described(await machine(account, b));
    },
    async updateStateMachine(account: string, b: Body) {
      const m = await machine(account, b);
      refuseFields(b, unsupported);
      const definition = definitionOf(b, false, m.type);
      const roleArn = roleOf(b, false);
      const logging = await loggingOf(b, account, region, logs);
      if (definition === undefined && roleArn === undefined && logging === undefined)
        throw sfnErrors.validation("Either the definition, the roleArn or the loggingConfiguration must be specified");
      const at = await store.update(account, m.arn, {
        ...(definition !== undefined ? { definition } : {}),
        ...(roleArn !== undefined ? { roleArn } : {}),
        ...(logging !== undefined ? { logging } : {}),
      });
      if (!at) throw sfnErrors.machineNotFound(m.arn);
      return { updateDate: epoch(at), revisionId: String(m.revision + 1) };
    },
    async deleteStateMachine(account: string, b: Body) {
      const arn = str(b, "stateMachineArn", { required: true, max: 256 });
      parseArn(arn, "stateMachine");
      // As in Step Functions, deleting a machine that is not there succeeds.
      await store.delete(account, arn);
      return {};
    },
    async listStateMachines(account: string, b: Body) {
      const limit = int(b, "maxResults", 0, 1000) || 100;
      const after = str(b, "nextToken", { max: 1024 });
      const rows = await store.list(account, limit + 1, after);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        stateMachines: page.map((m) => ({
          stateMachineArn: m.arn,
          name: m.name,
          type: m.type,
          creationDate: epoch(m.createdAt),
        })),
        ...(rows.length > limit && last ? { nextToken: last.name } : {}),
      };
    },
    /** A machine's published versions: none, since publishing one is refused (`publish`, `versionDescription`). */
    async listStateMachineVersions(account: string, b: Body) {
      int(b, "maxResults", 0, 1000);
      str(b, "nextToken", { max: 1024 });
      await machine(account, b);
      return { stateMachineVersions: [] };
    },
    async validateStateMachineDefinition(_account: string, b: Body) {
      const text = str(b, "definition", { required: true });
      try {
        validateDefinition(text);
        return { result: "OK", diagnostics: [], truncated: false };
      } catch (e) {
        if (!(e instanceof InvalidDefinitionError)) throw e;
        const diagnostics = e.problems.map((p) => {
          const [code, ...rest] = p.split(": ");
          return { severity: "ERROR", code, message: rest.join(": ") || p };
        });
        return { result: "FAIL", diagnostics, truncated: false };
      }
    },
    async tagResource(account: string, b: Body) {
      const m = await taggable(account, b);
      await store.setTags(account, m.arn, { ...m.tags, ...tagsOf(b, "tags") });
      return {};
    },
    async untagResource(account: string, b: Body) {
      const m = await taggable(account, b);
      const keys = b.tagKeys;
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== "string"))
        throw sfnErrors.validation("'tagKeys' must be a list of strings");
      const tags = { ...m.tags };
      for (const k of keys as string[]) delete tags[k];
      await store.setTags(account, m.arn, tags);
      return {};
    },
    async listTagsForResource(account: string, b: Body) {
      const m = await taggable(account, b);
      return { tags: Object.entries(m.tags).map(([key, value]) => ({ key, value })) };
    },
  };

  async function taggable(account: string, b: Body): Promise<StateMachine> {
    const arn = str(b, "resourceArn", { required: true, max: 256 });
    parseArn(arn, "stateMachine");
    const m = await store.get(account, arn);
    if (!m) throw sfnErrors.resourceNotFound(arn);
    return m;
  }
}

export type MachineService = ReturnType<typeof createMachineService>;
