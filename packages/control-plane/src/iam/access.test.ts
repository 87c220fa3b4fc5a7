import { describe, expect, it } from "vitest";
import { createAccess, principalArn, principalOf } from "./access.js";

const ACCOUNT = "111111111111";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:b`;
const doc = (effect: "Allow" | "Deny", action: string, resource: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: action, Resource: resource }] });

/** A policy source over maps the test edits, counting reads. */
function source(roles: Record<string, string[]>, users: Record<string, string[]>) {
  const reads = { n: 0 };
  return {
    reads,
    role: async (_a: string, name: string) => {
      reads.n++;
      return roles[name.toLowerCase()];
    },
    user: async (_a: string, name: string) => {
      reads.n++;
      return users[name.toLowerCase()];
    },
  };
}

describe("principalOf", () => {
  it("is the role session of temporary credentials, the user of a user's key, none for the account's own", () => {
    const base = { accessKeyId: "AKIAX", accountId: ACCOUNT, secretAccessKey: "s" };
    expect(principalOf(base)).toBeUndefined();
    expect(principalOf({ ...base, user: { name: "ci", path: "/team/" } })).toEqual({
      accountId: ACCOUNT,
      userName: "ci",
      path: "/team/",
    });
    const session = { roleArn: `arn:aws:iam::${ACCOUNT}:role/r`, sessionName: "fn", expiresAt: 1 };
    expect(principalOf({ ...base, session })).toBe(session);
    expect(principalArn({ accountId: ACCOUNT, userName: "ci", path: "/team/" })).toBe(
      `arn:aws:iam::${ACCOUNT}:user/team/ci`,
    );
    expect(principalArn(session)).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/r/fn`);
  });
});

describe("createAccess for users", () => {
  const ci = { accountId: ACCOUNT, userName: "CI", path: "/" };

  it("allows what the user's policies allow; a deny wins; nothing allowed is refused naming the user", async () => {
    const src = source({}, { ci: [doc("Allow", "lambda:Invoke*", FN)] });
    const access = createAccess(src);
    await access.check(ci, "lambda:InvokeFunction", [FN]);
    await expect(access.check(ci, "lambda:GetFunction", [FN])).rejects.toMatchObject({
      code: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/CI is not authorized to perform: lambda:GetFunction on resource: ${FN} because no identity-based policy allows the lambda:GetFunction action`,
    });
    src.user = async () => [doc("Allow", "lambda:*", "*"), doc("Deny", "lambda:InvokeFunction", FN)];
    access.forget(ACCOUNT, "user", "ci");
    await expect(access.check(ci, "lambda:InvokeFunction", [FN])).rejects.toThrow(/explicit deny/);
  });

  it("refuses a user that no longer exists, and keeps users and roles of one name apart", async () => {
    const src = source({ ci: [doc("Allow", "*", "*")] }, {});
    const access = createAccess(src);
    await expect(access.check(ci, "lambda:InvokeFunction", [FN])).rejects.toThrow(/the user no longer exists/);
    await access.check({ roleArn: `arn:aws:iam::${ACCOUNT}:role/ci`, sessionName: "x" }, "lambda:InvokeFunction", [FN]);
  });

  it("reads a user's policies once within the cache time, again after forget", async () => {
    let t = 0;
    const src = source({}, { ci: [doc("Allow", "*", "*")] });
    const access = createAccess(src, () => t);
    await access.check(ci, "a:b", ["*"]);
    await access.check(ci, "a:b", ["*"]);
    expect(src.reads.n).toBe(1);
    access.forget(ACCOUNT, "user", "Ci");
    await access.check(ci, "a:b", ["*"]);
    expect(src.reads.n).toBe(2);
    t = 10_000;
    await access.check(ci, "a:b", ["*"]);
    expect(src.reads.n).toBe(3);
  });

  it("forgets every principal of one account, and only that account's", async () => {
    const src = source({}, { ci: [doc("Allow", "*", "*")] });
    const access = createAccess(src);
    const other = { ...ci, accountId: "210987654321" };
    await access.check(ci, "a:b", ["*"]);
    await access.check(other, "a:b", ["*"]);
    expect(src.reads.n).toBe(2);
    access.forgetAccount("210987654321");
    await access.check(ci, "a:b", ["*"]);
    expect(src.reads.n).toBe(2);
    await access.check(other, "a:b", ["*"]);
    expect(src.reads.n).toBe(3);
  });
});
