// A Stratus function: edit, then `stratus deploy` and `stratus invoke <name> --payload '{"name":"you"}'`.
export const handler = async (event, context) => {
  const name = event?.name ?? "world";
  console.log(`saying hello to ${name}`);
  return { message: `Hello, ${name}!`, function: context.functionName, requestId: context.awsRequestId };
};
