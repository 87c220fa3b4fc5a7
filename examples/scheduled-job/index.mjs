// A scheduled job: EventBridge Scheduler (`stratus schedule`) invokes it with the
// schedule's payload; a scheduled EventBridge rule with a "Scheduled Event". It logs
// one line per run, which `stratus logs` shows.
export const handler = async (event, context) => {
  const scheduled = event?.["detail-type"] === "Scheduled Event" ? event.time : undefined;
  const job = event?.job ?? "cleanup";
  console.log(`scheduled job ${job} ran`, JSON.stringify({ requestId: context.awsRequestId, scheduled }));
  return { job, ranAt: new Date().toISOString(), ...(scheduled ? { scheduled } : {}) };
};
