// IAM's user operations that Stratus serves, per account: users, their inline and
// attached (customer managed) policies, and their access keys. A user's key acts as
// the user: access.ts judges each request it signs by these policies. The secret of a
// key is in CreateAccessKey's answer only. Operations that may name no user act on
// the calling user; signed with the account's own keys they must name one.
import { type ManagedPolicy, type User, type UserKey, userArn } from "../store/iam-types.js";
import { type IamUserStore, KEYS_PER_USER } from "../store/iam-user-store.js";
import type { Access, Principal } from "./access.js";
import { iamErrors } from "./iam-errors.js";
import { type Input, name, only, page, pageOut, path, pathPrefix, refuse, required } from "./iam-input.js";
import { type IamOp, newId } from "./iam-service.js";
import { principalPolicyOps } from "./principal-policy-ops.js";

const KEY_ID = /^\w{16,128}$/;

const userShape = (u: User) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.userId,
  Arn: userArn(u),
  CreateDate: u.createdAt,
});

const keyShape = (k: UserKey) => ({
  UserName: k.userName,
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: k.createdAt,
});

const noUser = (userName: string) => iamErrors.noSuchEntity(`The user with name ${userName} cannot be found.`);

/** The user an operation acts on: UserName, else the calling user. */
function userOf(b: Input, caller: Principal | undefined): string {
  if (b.UserName !== undefined) return name(b, "UserName", 64);
  if (caller && "userName" in caller) return caller.userName;
  throw iamErrors.validation(
    "UserName is required: Stratus has no root user to act on; an account's own keys are managed through the admin API",
  );
}

function keyId(b: Input): string {
  const id = required(b, "AccessKeyId", 128);
  if (!KEY_ID.test(id)) throw iamErrors.validation("AccessKeyId must be 16 to 128 word characters");
  return id;
}

/** `forgetKey`: drops a key from this process's key caches once it changes (auth.ts). */
export function createIamUserOps(
  store: IamUserStore,
  access: Pick<Access, "forget">,
  forgetKey: (id: string) => void,
  getPolicy: (accountId: string, name: string) => Promise<ManagedPolicy | undefined>,
): Record<string, IamOp> {
  const userNamed = async (accountId: string, userName: string) => {
    const user = await store.getUser(accountId, userName);
    if (!user) throw noUser(userName);
    return user;
  };

  const changed = (accountId: string, userName: string) => access.forget(accountId, "user", userName);

  return {
    ...principalPolicyOps({
      kind: "User",
      policies: store.userPolicies,
      find: async (accountId, userName) => (await userNamed(accountId, userName)).name,
      getPolicy,
      changed,
    }),
    async CreateUser(accountId, b) {
      only(b, ["UserName", "Path", "Tags", "PermissionsBoundary"]);
      refuse(b, ["Tags", "PermissionsBoundary"]);
      const user: User = {
        accountId,
        name: name(b, "UserName", 64),
        userId: newId("AIDA"),
        path: path(b),
        createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
      };
      if (!(await store.createUser(user))) throw iamErrors.alreadyExists(`User with name ${user.name} already exists.`);
      return { User: userShape(user) };
    },
    async GetUser(accountId, b, caller) {
      only(b, ["UserName"]);
      return { User: userShape(await userNamed(accountId, userOf(b, caller))) };
    },
    async ListUsers(accountId, b) {
      only(b, ["PathPrefix", "Marker", "MaxItems"]);
      const { after, max } = page(b);
      const result = await store.listUsers(accountId, pathPrefix(b), after, max);
      return { Users: result.items.map(userShape), ...pageOut(result.after) };
    },
    async DeleteUser(accountId, b) {
      only(b, ["UserName"]);
      const userName = name(b, "UserName", 64);
      const outcome = await store.deleteUser(accountId, userName);
      if (outcome === "missing") throw noUser(userName);
      if (outcome === "keys") throw iamErrors.deleteConflict("Cannot delete entity, must delete access keys first.");
      if (outcome === "policies") throw iamErrors.deleteConflict("Cannot delete entity, must delete policies first.");
      if (outcome === "attached")
        throw iamErrors.deleteConflict("Cannot delete entity, must detach all policies first.");
      changed(accountId, userName);
      return {};
    },
    async ListGroupsForUser(accountId, b) {
      only(b, ["UserName", "Marker", "MaxItems"]);
      page(b);
      await userNamed(accountId, name(b, "UserName", 64));
      // Stratus has no IAM groups, so a user is in none (Terraform's aws_iam_user asks
      // before DeleteUser, to take the user out of each).
      return { Groups: [], IsTruncated: false };
    },
    async CreateAccessKey(accountId, b, caller) {
      only(b, ["UserName"]);
      const userName = userOf(b, caller);
      const made = await store.createKey(accountId, userName);
      if (made === "missing") throw noUser(userName);
      if (made === "limit")
        throw iamErrors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      // A lookup of this id before it existed may be cached as unknown.
      forgetKey(made.accessKeyId);
      return { AccessKey: { ...keyShape(made), SecretAccessKey: made.secretAccessKey } };
    },
    async ListAccessKeys(accountId, b, caller) {
      only(b, ["UserName", "Marker", "MaxItems"]);
      page(b);
      const user = await userNamed(accountId, userOf(b, caller));
      // At most KEYS_PER_USER keys: one page always holds them all.
      return {
        UserName: user.name,
        AccessKeyMetadata: (await store.listKeys(accountId, user.name)).map(keyShape),
        IsTruncated: false,
      };
    },
    async UpdateAccessKey(accountId, b, caller) {
      only(b, ["UserName", "AccessKeyId", "Status"]);
      const userName = userOf(b, caller);
      const id = keyId(b);
      const status = required(b, "Status");
      if (status !== "Active" && status !== "Inactive")
        throw iamErrors.validation("Status must be one of Active, Inactive");
      await userNamed(accountId, userName);
      if (!(await store.setKeyStatus(accountId, userName, id, status))) {
        throw iamErrors.noSuchEntity(`The Access Key with id ${id} cannot be found.`);
      }
      forgetKey(id);
      return {};
    },
    async DeleteAccessKey(accountId, b, caller) {
      only(b, ["UserName", "AccessKeyId"]);
      const userName = userOf(b, caller);
      const id = keyId(b);
      await userNamed(accountId, userName);
      if (!(await store.deleteKey(accountId, userName, id))) {
        throw iamErrors.noSuchEntity(`The Access Key with id ${id} cannot be found.`);
      }
      forgetKey(id);
      return {};
    },
  };
}
