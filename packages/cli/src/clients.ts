// The SDK clients every command uses, configured from the global flags. What a flag
// leaves unset the SDK resolves as the AWS CLI does: AWS_PROFILE, the config and
// credentials files, AWS_* variables, AWS_ENDPOINT_URL_LAMBDA / _SCHEDULER or
// AWS_ENDPOINT_URL, and a profile's endpoint_url.
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SchedulerClient } from "@aws-sdk/client-scheduler";

export interface GlobalFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

export interface Clients {
  lambda: LambdaClient;
  scheduler: SchedulerClient;
}

export function createClients(flags: GlobalFlags): Clients {
  const config = {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
  };
  return { lambda: new LambdaClient(config), scheduler: new SchedulerClient(config) };
}
