# A Stratus function: edit, then `stratus deploy` and `stratus invoke <name> --payload '{"name":"you"}'`.
def lambda_handler(event, context):
    name = (event or {}).get("name", "world")
    print(f"saying hello to {name}")
    return {"message": f"Hello, {name}!", "function": context.function_name, "requestId": context.aws_request_id}
