// `stratus schedule NAME 'rate(5 minutes)'`: an EventBridge Scheduler schedule that
// invokes the function (asynchronously, with --payload as its event). Run again with
// another expression, it updates the schedule of that name.
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  GetScheduleCommand,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import type { Context } from "../context.js";
import { emit } from "../output.js";
import { readPayload } from "../payload.js";

export interface ScheduleOptions {
  scheduleName?: string;
  payload?: string;
  qualifier?: string;
  roleArn?: string;
  timezone?: string;
}

export async function schedule(ctx: Context, name: string, expression: string, opts: ScheduleOptions): Promise<void> {
  const { lambda, scheduler } = ctx.clients();
  const payload = await readPayload(opts.payload);
  const fn = (await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: opts.qualifier })))
    .Configuration;
  const functionArn = fn?.FunctionArn ?? name;
  // A qualified answer's ARN may carry the qualifier already: qualify the bare ARN.
  const arn = opts.qualifier ? `${functionArn.split(":").slice(0, 7).join(":")}:${opts.qualifier}` : functionArn;
  const scheduleName = opts.scheduleName ?? fn?.FunctionName ?? name;
  const input: CreateScheduleCommandInput = {
    Name: scheduleName,
    ScheduleExpression: expression,
    ...(opts.timezone ? { ScheduleExpressionTimezone: opts.timezone } : {}),
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: {
      Arn: arn,
      // Scheduler requires a role; the function's own will do on Stratus.
      RoleArn: opts.roleArn ?? fn?.Role,
      ...(payload ? { Input: Buffer.from(payload).toString("utf8") } : {}),
    },
  };
  let action = "created";
  await scheduler.send(new CreateScheduleCommand(input)).catch(async (err) => {
    if (!(err instanceof ConflictException)) throw err;
    await scheduler.send(new UpdateScheduleCommand(input));
    action = "updated";
  });
  const s = await scheduler.send(new GetScheduleCommand({ Name: scheduleName }));
  emit(
    ctx.io,
    {
      Action: action,
      Name: s.Name,
      Arn: s.Arn,
      ScheduleExpression: s.ScheduleExpression,
      Target: s.Target?.Arn,
      State: s.State,
    },
    `schedule ${s.Name} ${action}: ${s.ScheduleExpression} → ${s.Target?.Arn} (${s.State})`,
  );
}
