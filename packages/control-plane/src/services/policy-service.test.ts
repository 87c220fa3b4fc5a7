import { describe, expect, it } from "vitest";
import type { FunctionPolicy } from "../policy.js";
import type { PolicyStore } from "../store/policy-store.js";
import { createPolicyService } from "./policy-service.js";

const ME = "111111111111";
const OTHER = "222222222222";

/** An in-memory store: function `f` with version 1 and alias `prod`. */
function memoryStore(): PolicyStore & { rows: Map<string, FunctionPolicy> } {
  const rows = new Map<string, FunctionPolicy>();
  let revision = 0;
  return {
    rows,
    async get(_a, name, q) {
      return rows.get(`${name}:${q}`);
    },
    async edit(accountId, name, q, edit) {
      if (name !== "f") return { missing: "function" };
      if (!["", "1", "prod"].includes(q)) return { missing: "target" };
      const statements = edit(rows.get(`${name}:${q}`));
      if (statements.length === 0) {
        rows.delete(`${name}:${q}`);
        return {};
      }
      const policy = { accountId, functionName: name, qualifier: q, statements, revisionId: `r${++revision}` };
      rows.set(`${name}:${q}`, policy);
      return { policy };
    },
  };
}

const grantTo = (StatementId: string, Principal = OTHER) => ({
  StatementId,
  Action: "lambda:InvokeFunction",
  Principal,
});
const code = (c: string) => expect.objectContaining({ code: c });

describe("policy service", () => {
  it("adds statements, answers the policy and removes them, the last one with the policy", async () => {
    const svc = createPolicyService(memoryStore(), "us-east-1");
    const statement = await svc.add(ME, "f", "prod", grantTo("a"));
    expect(JSON.parse(statement).Resource).toBe(`arn:aws:lambda:us-east-1:${ME}:function:f:prod`);
    await svc.add(ME, "f", "prod", grantTo("b"));
    const got = await svc.get(ME, "f", "prod");
    expect(JSON.parse(got.policy).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["a", "b"]);
    await svc.remove(ME, "f", "prod", "a");
    await svc.remove(ME, "f", "prod", "b");
    await expect(svc.get(ME, "f", "prod")).rejects.toThrow("The resource you requested does not exist.");
  });

  it("refuses $LATEST, a duplicate Sid and a stale RevisionId, storing nothing", async () => {
    const store = memoryStore();
    const svc = createPolicyService(store, "us-east-1");
    await expect(svc.add(ME, "f", "$LATEST", grantTo("a"))).rejects.toThrow(
      "We currently do not support adding policies for $LATEST.",
    );
    await svc.add(ME, "f", undefined, grantTo("a"));
    const before = store.rows.get("f:")?.revisionId;
    await expect(svc.add(ME, "f", undefined, grantTo("a"))).rejects.toThrow(code("ResourceConflictException"));
    await expect(svc.add(ME, "f", undefined, { ...grantTo("b"), RevisionId: "old" })).rejects.toThrow(
      code("PreconditionFailedException"),
    );
    await expect(svc.remove(ME, "f", undefined, "a", "old")).rejects.toThrow(code("PreconditionFailedException"));
    expect(store.rows.get("f:")?.revisionId).toBe(before);
    await svc.add(ME, "f", undefined, { ...grantTo("b"), RevisionId: before });
    expect(store.rows.get("f:")?.statements).toHaveLength(2);
  });

  it("refuses a policy past Lambda's 20 KB", async () => {
    const svc = createPolicyService(memoryStore(), "us-east-1");
    const arn = `arn:aws:s3:::${"b".repeat(900)}`;
    let refused: unknown;
    for (let i = 0; i < 40 && !refused; i++) {
      await svc.add(ME, "f", undefined, { ...grantTo(`s${i}`), SourceArn: arn }).catch((err) => {
        refused = err;
      });
    }
    expect(refused).toEqual(code("PolicyLengthExceededException"));
  });

  it("words what is missing as Lambda does", async () => {
    const svc = createPolicyService(memoryStore(), "us-east-1");
    const fn = `arn:aws:lambda:us-east-1:${ME}:function`;
    await expect(svc.add(ME, "g", undefined, grantTo("a"))).rejects.toThrow(`Function not found: ${fn}:g`);
    await expect(svc.add(ME, "f", "7", grantTo("a"))).rejects.toThrow(`Function not found: ${fn}:f:7`);
    await expect(svc.add(ME, "f", "beta", grantTo("a"))).rejects.toThrow(`Cannot find alias arn: ${fn}:f:beta`);
    await expect(svc.remove(ME, "g", undefined, "a")).rejects.toThrow(`No policy found for: ${fn}:g`);
    await expect(svc.remove(ME, "f", undefined, "a")).rejects.toThrow(
      "No policy is associated with the given resource.",
    );
    await svc.add(ME, "f", undefined, grantTo("a"));
    await expect(svc.remove(ME, "f", undefined, "zz")).rejects.toThrow("Statement zz is not found in resource policy.");
  });

  it("judges an invoke of $LATEST by the unqualified policy, and a version or alias by its own", async () => {
    const svc = createPolicyService(memoryStore(), "us-east-1");
    const req = { action: "lambda:InvokeFunction", principalAccount: OTHER };
    await svc.add(ME, "f", "1", grantTo("v1"));
    expect(await svc.allows(ME, "f", "1", req)).toBe(true);
    expect(await svc.allows(ME, "f", undefined, req)).toBe(false);
    expect(await svc.allows(ME, "f", "prod", req)).toBe(false);
    await svc.add(ME, "f", undefined, grantTo("fn"));
    expect(await svc.allows(ME, "f", "$LATEST", req)).toBe(true);
    expect(await svc.allows(ME, "f", "prod", req)).toBe(false);
  });
});
