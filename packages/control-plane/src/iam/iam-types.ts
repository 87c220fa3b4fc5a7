// IAM's domain types as Stratus keeps them: roles (with a trust policy, inline
// policies and attached managed policies) and customer managed policies, per account.

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
  document: string;
  createdAt: Date;
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
