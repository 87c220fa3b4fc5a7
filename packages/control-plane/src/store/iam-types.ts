// IAM's domain types as Stratus keeps them: roles (with a trust policy, inline
// policies and attached managed policies), users (the same policies, and access keys
// of their own) and customer managed policies, per account.

export interface Role {
  accountId: string;
  name: string;
  roleId: string;
  path: string;
  trustPolicy: string;
  description: string;
  maxSessionDuration: number;
  createdAt: Date;
}

export interface ManagedPolicy {
  accountId: string;
  name: string;
  policyId: string;
  path: string;
  description: string;
  /** The default version's document. */
  document: string;
  createdAt: Date;
  /** The default version's number (`v1` is 1). */
  defaultVersion: number;
  /** When the default version last changed (CreateDate until it does). */
  updatedAt: Date;
  attachmentCount: number;
}

export interface NamePage<T> {
  items: T[];
  /** The last name of this page when more follow. */
  after?: string;
}

export const roleArn = (r: Pick<Role, "accountId" | "path" | "name">) =>
  `arn:aws:iam::${r.accountId}:role${r.path}${r.name}`;
export const policyArn = (p: Pick<ManagedPolicy, "accountId" | "path" | "name">) =>
  `arn:aws:iam::${p.accountId}:policy${p.path}${p.name}`;

/** An IAM user: its keys act as it, judged by its inline and attached policies. */
export interface User {
  accountId: string;
  name: string;
  userId: string;
  path: string;
  createdAt: Date;
}

/** A user's access key as ListAccessKeys shows it (never its secret). */
export interface UserKey {
  userName: string;
  accessKeyId: string;
  status: "Active" | "Inactive";
  createdAt: Date;
}

export const userArn = (u: Pick<User, "accountId" | "path" | "name">) =>
  `arn:aws:iam::${u.accountId}:user${u.path}${u.name}`;
