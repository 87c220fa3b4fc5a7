// Shell completion, generated from the program's own commands and options so that
// it never drifts from them: a bash function, which zsh loads through bashcompinit.
import type { Command, Option } from "commander";

const words = (list: string[]) => list.join(" ");

const flagsOf = (options: readonly Option[]) =>
  options.flatMap((o) => [o.long, o.short].filter((f) => f !== undefined));

/** Options that take a value: the word after one is not a command. */
const takesValue = (o: Option) => o.required || o.optional;

export function bashCompletion(program: Command): string {
  const globals = program.options;
  const commands = program.commands.filter((c) => c.name() !== "help");
  const valued = [...new Set([...globals, ...commands.flatMap((c) => c.options)])].filter(takesValue);
  const valueCases = [...new Map(valued.filter((o) => o.long).map((o) => [o.long, o])).values()].map((o) => {
    const reply = o.argChoices
      ? `COMPREPLY=($(compgen -W "${words(o.argChoices)}" -- "$cur"))`
      : `COMPREPLY=($(compgen -f -- "$cur"))`;
    return `    ${o.long}) ${reply}; return ;;`;
  });
  const commandCases = commands.map(
    (c) =>
      `    ${c.name()}) COMPREPLY=($(compgen -W "${words([...flagsOf(c.options), ...flagsOf(globals), "--help"])}" -- "$cur")) ;;`,
  );
  const skip = [...new Set(flagsOf(valued))].join("|");
  return `# stratus completion (bash; zsh through bashcompinit)
_stratus() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${skip}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${valueCases.join("\n")}
  esac
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${words([...commands.map((c) => c.name()), "help", ...flagsOf(globals), "--help", "--version"])}" -- "$cur"))
    return
  fi
  case "$cmd" in
${commandCases.join("\n")}
  esac
  [[ "$cur" == -* ]] || COMPREPLY+=($(compgen -f -- "$cur"))
}
complete -F _stratus stratus
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef stratus
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}
